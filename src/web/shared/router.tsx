import { useEffect, useState, type MouseEvent, type ReactNode } from "react";

/**
 * Routing in the browser with the History API: each page has its own URL (bookmarks, the back
 * button, a reload), and the server answers every page's path with the same HTML
 * (src/http/web.routes.ts). Links are real `<a href>`s, so they work with the keyboard and with
 * "open in a new tab".
 */
const listeners = new Set<() => void>();

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return path;
}

export function Link(props: { to: string; children: ReactNode; className?: string; current?: boolean }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      aria-current={props.current === true ? "page" : undefined}
    >
      {props.children}
    </a>
  );
}
