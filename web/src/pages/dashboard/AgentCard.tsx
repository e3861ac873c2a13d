import { useState } from "react";
import { Link } from "wouter";
import { ApiError, post } from "../../lib/api";
import type { Resource } from "../../lib/useResource";
import { ErrorState, Loading } from "../../ui/States";
import { changeError, when } from "./format";
import { JobProgress, type JobWords } from "./JobProgress";
import type { Box, Job } from "./types";
import type { Followed } from "./useJobFollower";
import type { StreamState } from "./useProgressStream";

type Tone = "ok" | "info" | "warn" | "danger";

interface Described {
  label: string;
  tone: Tone;
  text: string;
  /** Said after the last error, when there is one to show. */
  after?: string;
}

/** The agent's state in words: a short label for the badge and a sentence with what happens next. */
export function describe(box: Box, updating: boolean): Described {
  switch (box.status) {
    case "running":
      return updating
        ? { label: "Updating", tone: "info", text: "Your agent is being updated; it answers again in a moment." }
        : { label: "Live", tone: "ok", text: "Your agent is live: talk to it on Telegram." };
    case "pending":
    case "provisioning":
      return { label: "Being set up", tone: "info", text: "Your agent is being set up: it answers on Telegram within a minute, and we mail you when it is live." };
    case "suspended":
      return { label: "Paused", tone: "warn", text: "Your agent is paused. It starts again, with its memory, as soon as the invoice is paid." };
    case "bot_refused":
      return { label: "Bot refused", tone: "danger", text: "Your agent runs but cannot reach anyone on Telegram." };
    case "failed":
      return { label: "Failed", tone: "danger", text: "Your agent could not be started.", after: "We are on it; nothing needs doing on your side." };
    case "destroying":
      return { label: "Being deleted", tone: "warn", text: "Your agent is being deleted." };
    case "destroyed":
      return { label: "Deleted", tone: "warn", text: "Your agent has been deleted." };
    default:
      return { label: String(box.status), tone: "info", text: "" };
  }
}

const RESTART_WORDS: JobWords = {
  running: "Restarting your agent",
  done: "Restarted: your agent is running again.",
  failed: "The restart did not finish",
  steps: { accepted: "Restart accepted.", updated: "Your agent is back." },
};

const STREAM_WORDS: Record<StreamState, string> = {
  connecting: "Connecting to live updates…",
  open: "Live updates on: this card changes as your agent does.",
  reconnecting: "Live updates interrupted: reconnecting…",
  closed: "Live updates stopped: reload the page to see changes.",
};

interface Props {
  box: Resource<Box>;
  restart: Followed & { follow: (job: Job) => void };
  updating: boolean;
  stream: StreamState;
}

export function AgentCard({ box, restart, updating, stream }: Props) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  let body;
  if (box.data) {
    const b = box.data;
    const state = describe(b, updating);
    const busy = sending || restart.active;
    const onRestart = () => {
      if (busy) return;
      setError(null);
      setSending(true);
      post<{ job: Job }>("/me/box/restart")
        .then((answer) => restart.follow(answer.job))
        .catch((e: unknown) => setError(e instanceof ApiError ? changeError(e, "restart") : String(e)))
        .finally(() => setSending(false));
    };
    body = (
      <>
        <p className="agent-status">
          <span>Status:</span>{" "}
          <span className={`badge ${state.tone}`} data-testid="agent-status">
            {state.label}
          </span>
        </p>
        <p>{state.text}</p>
        {(b.status === "bot_refused" || b.status === "failed") && b.lastError && (
          <p className="agent-error" data-testid="agent-last-error">
            {b.lastError}
          </p>
        )}
        {state.after && <p>{state.after}</p>}
        <dl className="facts">
          <div>
            <dt>Telegram bot</dt>
            <dd>
              <a href={b.telegramLink}>@{b.botUsername}</a>
            </dd>
          </div>
          {b.liveSince && b.status === "running" && (
            <div>
              <dt>Live since</dt>
              <dd data-testid="agent-live-since">{when(b.liveSince)}</dd>
            </div>
          )}
        </dl>
        {b.desiredState === "running" && b.status !== "destroyed" && b.status !== "destroying" && (
          <div className="row">
            <button type="button" className="secondary" onClick={onRestart} aria-disabled={busy || undefined}>
              Restart agent
            </button>
          </div>
        )}
        {error && (
          <p className="field-error" role="alert" data-testid="restart-error">
            {error}
          </p>
        )}
        <JobProgress followed={restart} words={RESTART_WORDS} testId="restart-progress" />
        <p className="muted small">{STREAM_WORDS[stream]}</p>
      </>
    );
  } else if (box.error?.status === 404) {
    body = (
      <div className="state state-empty">
        <p>You have no agent at the moment.</p>
        <p>
          <Link href="/start">Set one up in a chat</Link>
        </p>
      </div>
    );
  } else if (box.error) {
    body = <ErrorState error={box.error} retry={box.reload} />;
  } else {
    body = <Loading what="your agent" />;
  }

  return (
    <section className="card" aria-labelledby="agent-heading">
      <h2 id="agent-heading">Your agent</h2>
      {body}
    </section>
  );
}
