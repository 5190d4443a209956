import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, ApiError, onSessionEnded, setCsrfToken } from "../shared/api.ts";
import { Link, navigate, usePath } from "../shared/router.tsx";
import { Home } from "./pages/Home.tsx";
import { Information } from "./pages/Information.tsx";
import { PolicyPage } from "./pages/Policy.tsx";
import { Preferences } from "./pages/Preferences.tsx";
import { Requests } from "./pages/Requests.tsx";
import { Disclosures } from "./pages/Disclosures.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { SignUp } from "./pages/SignUp.tsx";
import type { PolicyView, Session } from "./types.ts";

/** Pages that need a signed-in customer; the others work without an account (ZM-04). */
const ACCOUNT_PAGES = ["/my/information", "/my/preferences", "/my/requests", "/my/disclosures"];

export function App({ policy }: { policy: PolicyView }) {
  const path = usePath();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  // The session ended under an open page: sign in again on that page, keeping what was typed.
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    // A live session answers with its CSRF token; no session is a 401.
    api<{ csrfToken: string }>("GET", "/v1/account/csrf").then(
      ({ data }) => {
        setCsrfToken(data.csrfToken);
        setSignedIn(true);
      },
      () => {
        setSignedIn(false);
        setExpired(false); // no session to begin with: nothing ended
      },
    );
    return onSessionEnded(() => {
      setCsrfToken(null);
      setSignedIn(false);
      setExpired(true);
    });
  }, []);

  const session: Session = useMemo(
    () => ({
      signedIn: signedIn === true,
      signIn(token) {
        setCsrfToken(token);
        setSignedIn(true);
        setExpired(false);
      },
      signOut() {
        setCsrfToken(null);
        setSignedIn(false);
        setExpired(false);
      },
    }),
    [signedIn],
  );

  const signOut = useCallback(async () => {
    try {
      await api("POST", "/v1/account/signout");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    session.signOut();
    navigate("/");
  }, [session]);

  // Leaving the page whose session ended: the usual way to sign in, from the sign-in page.
  useEffect(() => setExpired(false), [path]);
  const needsAccount = ACCOUNT_PAGES.includes(path);
  useEffect(() => {
    if (signedIn === false && needsAccount && !expired) navigate(`/signin?next=${encodeURIComponent(path)}`);
  }, [signedIn, needsAccount, path, expired]);

  let page: ReactNode;
  if (needsAccount && signedIn !== true && !expired) page = <p aria-busy="true">Loading…</p>;
  else if (path === "/") page = <Home policy={policy} session={session} />;
  else if (path === "/privacy" || path.startsWith("/privacy/versions/"))
    page = (
      <PolicyPage
        current={policy}
        version={path.startsWith("/privacy/versions/") ? decodeURIComponent(path.slice(18)) : null}
      />
    );
  else if (path === "/signin") page = <SignIn session={session} />;
  else if (path === "/signup") page = <SignUp policy={policy} session={session} />;
  else if (path === "/my/information") page = <Information fields={policy.accounts?.fields ?? []} />;
  else if (path === "/my/preferences") page = <Preferences policy={policy} />;
  else if (path === "/my/requests") page = <Requests policy={policy} />;
  else if (path === "/my/disclosures") page = <Disclosures policy={policy} />;
  else page = <NotFound />;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="wrap">
          <p className="brand">
            <Link to="/">{policy.name}</Link> <span>Privacy center</span>
          </p>
          <nav aria-label="Privacy center">
            <ul>
              <NavItem to="/" path={path}>
                Home
              </NavItem>
              <NavItem to="/privacy" path={path}>
                Privacy policy
              </NavItem>
              {signedIn === true ? (
                <>
                  <NavItem to="/my/information" path={path}>
                    My information
                  </NavItem>
                  <NavItem to="/my/preferences" path={path}>
                    My preferences
                  </NavItem>
                  <NavItem to="/my/requests" path={path}>
                    My requests
                  </NavItem>
                  <NavItem to="/my/disclosures" path={path}>
                    Who has my data
                  </NavItem>
                  <li>
                    <button type="button" className="link-button" onClick={() => void signOut()}>
                      Sign out
                    </button>
                  </li>
                </>
              ) : signedIn === false && policy.accounts !== null ? (
                <>
                  <NavItem to="/signin" path={path}>
                    Sign in
                  </NavItem>
                  <NavItem to="/signup" path={path}>
                    Create an account
                  </NavItem>
                </>
              ) : null}
            </ul>
          </nav>
        </div>
      </header>
      <Main path={path}>
        {expired && needsAccount ? <SignIn session={session} again /> : null}
        {page}
      </Main>
      <footer className="site-footer">
        <div className="wrap">
          <p>
            {policy.name} privacy policy, version {policy.version}, last updated {policy.lastUpdated}.{" "}
            <a href="/policy">Printable policy</a> ·{" "}
            <a href="/.well-known/gpc.json">Global Privacy Control</a>
          </p>
        </div>
      </footer>
    </>
  );
}

function NavItem(props: { to: string; path: string; children: ReactNode }) {
  const current = props.to === "/" ? props.path === "/" : props.path.startsWith(props.to);
  return (
    <li>
      <Link to={props.to} current={current}>
        {props.children}
      </Link>
    </li>
  );
}

/** The page's main region; on a change of page, focus moves to it so a screen reader starts there. */
function Main(props: { path: string; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  const shown = useRef(props.path);
  useEffect(() => {
    if (shown.current === props.path) return; // the first page: focus stays where the browser put it
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
        There is no such page. <Link to="/">Go to the privacy center's home page</Link>.
      </p>
    </>
  );
}
