import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, get } from "../../lib/api";
import type { Resource } from "../../lib/useResource";

const PREFETCH_TTL_MS = 10_000;
const prefetched = new Map<string, { at: number; answer: Promise<unknown> }>();

/**
 * Starts GETs before the page knows it needs them (when its module loads, alongside the session's
 * own GET /me), so the cards' data is on its way one round trip earlier. A 401 there costs
 * nothing: the page shows the sign-in prompt from the session, not these answers.
 */
export function prefetch(paths: string[]) {
  for (const path of paths) {
    const answer = get(path);
    answer.catch(() => undefined); // consumed (or dropped) later; never an unhandled rejection
    prefetched.set(path, { at: Date.now(), answer });
  }
}

function load<T>(path: string): Promise<T> {
  const early = prefetched.get(path);
  prefetched.delete(path);
  if (early && Date.now() - early.at < PREFETCH_TTL_MS) return early.answer as Promise<T>;
  const answer = get<T>(path);
  // StrictMode runs a state initialiser twice and keeps one answer: the other must not reject unheard.
  answer.catch(() => undefined);
  return answer;
}

interface State<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
}

/**
 * Like lib/useResource, but the request starts during the first render (or comes from prefetch),
 * not after the first paint: the dashboard's budget from data to charts is 200 ms.
 */
export function useLoad<T>(path: string): Resource<T> {
  const [request, setRequest] = useState(() => load<T>(path));
  const [state, setState] = useState<State<T>>({ data: undefined, error: undefined, loading: true });

  useEffect(() => {
    let live = true;
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    request.then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (e: unknown) => live && setState((s) => ({ data: s.data, error: e instanceof ApiError ? e : new ApiError(0, "error", String(e)), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [request]);

  const reload = useCallback(() => setRequest(load<T>(path)), [path]);
  // The same object until the answer changes, so memoised cards skip the page's other renders.
  return useMemo(() => ({ ...state, reload }), [state, reload]);
}
