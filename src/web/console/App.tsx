import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { api, ApiError, onSessionEnded, setCsrfToken } from "../shared/api.ts";
import { Link, navigate, usePath } from "../shared/router.tsx";
import { Attest } from "./pages/Attest.tsx";
import { Setup } from "./pages/Setup.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { mayOpen, PAGES, whoFor } from "./pages.tsx";
import type { Me, PolicyInfo } from "./types.ts";

/** Pages anyone may open: signing in and setting up sign-in. */
const OPEN_PAGES = ["/console/signin", "/console/setup"];

/**
 * The console's frame: who is signed in (GET /v1/console/me), the attestation the pack requires
 * before anything else (ZZ-04), the navigation, and the page for the path. A session that ends
 * under an open page shows the sign-in form above it, so what was typed there is kept.
 */
export function App({ policy }: { policy: PolicyInfo }) {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const load = useCallback(async () => {
    try {
      const { data } = await api<Me>("GET", "/v1/console/me");
      setCsrfToken(data.csrfToken);
      setMe(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMe(null);
    }
  }, []);

  useEffect(() => {
    void load();
    return onSessionEnded(() => {
      setCsrfToken(null);
      setExpired(true);
    });
  }, [load]);

  const open = OPEN_PAGES.includes(path);
  useEffect(() => {
    if (me === null && !open && !expired) navigate(`/console/signin?next=${encodeURIComponent(path)}`);
    if (path === "/console" && me) navigate("/console/people");
  }, [me, open, path, expired]);

  const signOut = async () => {
    try {
      await api("POST", "/v1/console/signout");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    setCsrfToken(null);
    setMe(null);
    navigate("/console/signin");
  };

  /** After a sign-in: again over an open page, that page stays (and keeps what was typed). */
  const signedIn = (again: boolean) => {
    // Otherwise who is signed in is unknown until /me answers: nothing redirects meanwhile.
    if (!again) setMe(undefined);
    setExpired(false);
    void load();
  };

  let page: ReactNode;
  if (path === "/console/signin") page = <SignIn onSignedIn={() => signedIn(false)} />;
  else if (path === "/console/setup") page = <Setup onSignedIn={() => signedIn(false)} />;
  else if (me === undefined || (me === null && !expired)) page = <p aria-busy="true">Loading…</p>;
  else if (me !== null && me.attestation.required && me.attestedAt === null)
    page = <Attest me={me} onAttested={setMe} />;
  else {
    const found = PAGES.find((p) => p.path === path || path.startsWith(`${p.path}/`));
    if (found === undefined || me === null) page = <NotFound />;
    else if (!mayOpen(found, me)) page = <Forbidden whom={whoFor(found)} />;
    else page = found.render({ me, policy, path });
  }

  const nav = me && !(me.attestation.required && me.attestedAt === null);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="console-header">
        <div className="wrap">
          <p className="brand">
            {policy.name} <span>Console</span>
          </p>
          {me ? (
            <p className="who">
              {me.displayName} ({me.role}){" "}
              <button type="button" className="link-button" onClick={() => void signOut()}>
                Sign out
              </button>
            </p>
          ) : null}
        </div>
        {nav ? (
          <nav aria-label="Console" className="wrap">
            <ul>
              {PAGES.filter((p) => mayOpen(p, me)).map((p) => (
                <li key={p.path}>
                  <Link to={p.path} current={path === p.path || path.startsWith(`${p.path}/`)}>
                    {p.title}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <Main path={path}>
        {expired && !open ? <SignIn again onSignedIn={() => signedIn(true)} /> : null}
        {page}
      </Main>
    </>
  );
}

function Main(props: { path: string; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  const shown = useRef(props.path);
  useEffect(() => {
    if (shown.current === props.path) return;
    shown.current = props.path;
    ref.current?.focus();
  }, [props.path]);
  return (
    <main id="main" ref={ref} tabIndex={-1} className="wrap">
      {props.children}
    </main>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no such page. <Link to="/console/people">Find a person</Link>.
      </p>
    </>
  );
}

function Forbidden({ whom }: { whom: string }) {
  return (
    <>
      <h1>Not for your role</h1>
      <p>This page is for {whom}.</p>
    </>
  );
}
