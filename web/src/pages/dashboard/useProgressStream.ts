import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get } from "../../lib/api";
import type { Progress } from "./types";

/** A progress event, or null when the stream came back after a gap (events may have been missed). */
export type ProgressListener = (progress: Progress | null) => void;
export type Subscribe = (listener: ProgressListener) => () => void;
export type StreamState = "connecting" | "open" | "reconnecting" | "closed";

const MAX_DELAY_MS = 30_000;

/**
 * GET /me/box/events as one EventSource for the whole page, handed to whoever subscribes. The
 * browser reconnects by itself after a dropped connection; a refused one (401 once the access token
 * has expired, a proxy's 502) closes the source for good, so then the session is refreshed (any api
 * call does that on 401) and the source opened again, waiting longer after each failure.
 */
export function useProgressStream(enabled: boolean): { state: StreamState; subscribe: Subscribe } {
  const listeners = useRef(new Set<ProgressListener>());
  const [state, setState] = useState<StreamState>("connecting");

  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let failures = 0;
    let everOpen = false;
    const emit = (p: Progress | null) => listeners.current.forEach((listener) => listener(p));

    const open = () => {
      const current = new EventSource("/me/box/events");
      source = current;
      current.onopen = () => {
        failures = 0;
        setState("open");
        if (everOpen) emit(null);
        everOpen = true;
      };
      current.addEventListener("progress", (event) => {
        try {
          emit(JSON.parse((event as MessageEvent<string>).data) as Progress);
        } catch {
          // not the operator's JSON: nothing to show
        }
      });
      current.onerror = () => {
        if (current.readyState !== EventSource.CLOSED) {
          setState("reconnecting");
          return;
        }
        current.close();
        setState("reconnecting");
        const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** failures++);
        timer = setTimeout(() => {
          get("/me")
            .then(() => !stopped && open())
            .catch((e: unknown) => {
              if (stopped) return;
              if (e instanceof ApiError && e.unauthorized) setState("closed");
              else open();
            });
        }, delay);
      };
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [enabled]);

  const subscribe = useCallback<Subscribe>((listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  return { state, subscribe };
}
