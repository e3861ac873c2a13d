import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get } from "../../lib/api";
import type { Job } from "./types";
import type { Subscribe } from "./useProgressStream";

const POLL_MS = 1500;
const FINAL = new Set(["succeeded", "failed", "dead", "superseded"]);

export interface Followed {
  job: Job | null;
  /** The latest step the operator announced for this kind of job (SSE), while it runs. */
  step: string | null;
  /** Its name (accepted, token, config, resources, scheduled, starting, ready, bot, updated...). */
  stepName: string | null;
  /** True from follow() until the job has ended. */
  active: boolean;
  /** Polling the job failed for good (e.g. it is gone). */
  error: string | null;
}

const IDLE: Followed = { job: null, step: null, stepName: null, active: false, error: null };

/**
 * Follows one job of the agent to its end: GET /me/jobs/{id} every 1.5 s until it is succeeded,
 * failed, dead or superseded, and meanwhile the operator's progress messages of that job type from
 * the page's event stream (whose events name the job's type, not its id). onEnd runs once it ended.
 */
export function useJobFollower(subscribe: Subscribe, onEnd: () => void) {
  const [state, setState] = useState<Followed>(IDLE);
  const round = useRef(0);
  const endRef = useRef(onEnd);
  useEffect(() => {
    endRef.current = onEnd;
  });

  const stop = useCallback(() => {
    round.current++;
  }, []);
  useEffect(() => stop, [stop]);

  const follow = useCallback(
    (job: Job) => {
      const mine = ++round.current;
      const live = () => round.current === mine;
      setState({ job, step: null, stepName: null, active: !FINAL.has(job.status), error: null });
      if (FINAL.has(job.status)) {
        endRef.current();
        return;
      }
      const unsubscribe = subscribe((p) => {
        if (live() && p && p.job === job.type) setState((s) => ({ ...s, step: p.message, stepName: p.step }));
      });
      const poll = () => {
        if (!live()) return unsubscribe();
        get<Job>(`/me/jobs/${encodeURIComponent(job.id)}`)
          .then((now) => {
            if (!live()) return unsubscribe();
            const ended = FINAL.has(now.status);
            setState((s) => ({ ...s, job: now, active: !ended }));
            if (ended) {
              unsubscribe();
              endRef.current();
            } else {
              setTimeout(poll, POLL_MS);
            }
          })
          .catch((e: unknown) => {
            if (!live()) return unsubscribe();
            if (e instanceof ApiError && (e.status === 404 || e.unauthorized)) {
              unsubscribe();
              setState((s) => ({ ...s, active: false, error: e.unauthorized ? "Your session has ended: sign in again to follow it." : "This change can no longer be followed." }));
              endRef.current();
            } else {
              setTimeout(poll, POLL_MS * 2); // a blip: keep following
            }
          });
      };
      setTimeout(poll, POLL_MS);
    },
    [subscribe],
  );

  return { ...state, follow };
}
