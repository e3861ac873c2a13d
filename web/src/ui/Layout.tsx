import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { SessionProvider, useSession } from "../lib/session";

function Nav() {
  const { me, isAdmin, signOut } = useSession();
  const [, navigate] = useLocation();
  return (
    <nav aria-label="Main">
      <ul className="nav">
        {me?.customer && (
          <li>
            <Link href="/dashboard">Dashboard</Link>
          </li>
        )}
        {isAdmin && (
          <li>
            <Link href="/console">Admin</Link>
          </li>
        )}
        <li>
          {me ? (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                void signOut().then(() => navigate("/"));
              }}
            >
              Sign out
            </button>
          ) : (
            <Link href="/signin">Sign in</Link>
          )}
        </li>
      </ul>
    </nav>
  );
}

/** Every page: a skip link, the header with the brand and navigation, the page in <main>, a footer. */
export function Layout({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="container header-row">
          <Link href="/" className="brand" aria-label="OpenClaw Cloud, home">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span>OpenClaw Cloud</span>
          </Link>
          <Nav />
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">OpenClaw Cloud: your own OpenClaw agent on Telegram.</div>
      </footer>
    </SessionProvider>
  );
}
