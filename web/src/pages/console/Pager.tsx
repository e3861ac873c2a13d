import { useState } from "react";

/**
 * The pages of an /admin list: the api hands a `next` cursor per page, so going back keeps the
 * stack of cursors that led here. `key` names the list and its filters: a new key starts at page 1.
 */
export function useCursorPages(key: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key, stack: [] });
  const stack = state.key === key ? state.stack : [];
  return {
    cursor: stack.length ? stack[stack.length - 1] : undefined,
    page: stack.length + 1,
    forward: (next: string) => setState({ key, stack: [...stack, next] }),
    back: () => setState({ key, stack: stack.slice(0, -1) }),
  };
}

/** "/admin/x" with the parameters that have a value. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

interface PagerProps {
  /** What is paged, for the navigation's name: "Customers" → "Customers pages". */
  label: string;
  page: number;
  next: string | null | undefined;
  busy?: boolean;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}

/**
 * Previous page / Next page. Buttons that cannot act are aria-disabled rather than disabled, so
 * the focus stays on them at the first or last page.
 */
export function Pager({ label, page, next, busy, onNext, onPrevious }: PagerProps) {
  const canBack = page > 1 && !busy;
  const canForward = !!next && !busy;
  if (page === 1 && !next) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="secondary" aria-disabled={!canBack} onClick={() => canBack && onPrevious()}>
        Previous page
      </button>
      <span className="pager-page" aria-live="polite">
        Page {page}
      </span>
      <button type="button" className="secondary" aria-disabled={!canForward} onClick={() => canForward && next && onNext(next)}>
        Next page
      </button>
    </nav>
  );
}
