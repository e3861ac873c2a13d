import type { Followed } from "./useJobFollower";

export interface JobWords {
  /** "Restarting your agent" */
  running: string;
  /** "Restarted: your agent is running again." */
  done: string;
  /** "The restart did not finish" */
  failed: string;
  /** Own words for some of the operator's steps (its update job speaks of settings). */
  steps?: Record<string, string>;
}

function text(f: Followed, words: JobWords): string {
  if (f.error) return f.error;
  const job = f.job;
  if (!job) return "";
  switch (job.status) {
    case "queued":
    case "running":
      return `${words.running}… ${(f.stepName && words.steps?.[f.stepName]) ?? f.step ?? (job.status === "queued" ? "Waiting for its turn." : "Under way.")}`;
    case "succeeded":
      return words.done;
    case "superseded":
      return job.lastError ?? "Skipped: a later change takes care of it.";
    default:
      return `${words.failed}: ${job.lastError ?? "no reason was given."}`;
  }
}

/**
 * The followed job's progress in one line, in a polite live region that is always in the page (a
 * region added together with its text is often not announced).
 */
export function JobProgress({ followed, words, testId }: { followed: Followed; words: JobWords; testId: string }) {
  const line = text(followed, words);
  const tone = followed.error || followed.job?.status === "failed" || followed.job?.status === "dead" ? "bad" : followed.job?.status === "succeeded" ? "good" : "";
  return (
    <p role="status" aria-live="polite" className={`job-progress ${tone}`} data-testid={testId}>
      {followed.active && <span className="spinner" aria-hidden="true" />}
      {line}
    </p>
  );
}
