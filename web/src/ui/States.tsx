import { useEffect, type ReactNode } from "react";
import { Link } from "wouter";
import type { ApiError } from "../lib/api";

/** Something is on its way: announced politely to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** Nothing to show yet, with what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** An error in words, with a way forward: try again, or sign in when the session has ended. */
export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  if (error.unauthorized) {
    return (
      <div className="state state-error" role="alert">
        <p>Your session has ended.</p>
        <p>
          <Link href="~/signin">Sign in again</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="state state-error" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Sets the document title of a page. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · OpenClaw Cloud`;
  }, [title]);
}
