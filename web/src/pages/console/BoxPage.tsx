import { useRef, useState } from "react";
import { Link, useParams } from "wouter";
import { post } from "../../lib/api";
import { Loading, useTitle } from "../../ui/States";
import { useAdmin, useDeny } from "./access";
import { Badge } from "./Badge";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorState } from "../../ui/States";
import { actionError } from "./actionError";
import { Facts } from "./CustomerPage";
import { shortId, when, words } from "./format";
import { JobsTable } from "./JobsTable";
import { Outcome, useFocusFallback, type OutcomeMessage } from "./Outcome";
import type { BoxActionResult, BoxDetail, Job } from "./types";

type Action = "suspend" | "reactivate" | "destroy" | "rotate-bot-token";

interface ActionText {
  button: string;
  title: string;
  confirm: string;
  danger: boolean;
  what: (bot: string) => string;
}

const ACTIONS: Record<Action, ActionText> = {
  suspend: {
    button: "Suspend",
    title: "Suspend this box?",
    confirm: "Suspend box",
    danger: false,
    what: (bot) => `@${bot} stops answering: its gateway is stopped and its data kept. Reactivate brings it back.`,
  },
  reactivate: {
    button: "Reactivate",
    title: "Reactivate this box?",
    confirm: "Reactivate box",
    danger: false,
    what: (bot) => `@${bot}'s gateway is started again with its data and settings.`,
  },
  destroy: {
    button: "Destroy",
    title: "Destroy this box?",
    confirm: "Destroy box",
    danger: true,
    what: (bot) => `@${bot}'s gateway and data are deleted and its model token revoked. This cannot be undone.`,
  },
  "rotate-bot-token": {
    button: "Rotate bot token",
    title: "Rotate the bot's token?",
    confirm: "Rotate token",
    danger: false,
    what: (bot) =>
      `Telegram replaces @${bot}'s token: the old one stops working at once and the gateway restarts with the new one. Only for a bot made through the setup bot; any other bot is refused.`,
  },
};

/** Which actions make sense now: a destroyed box has none. */
function available(box: BoxDetail): Action[] {
  if (box.destroyedAt || box.desiredState === "destroyed") return [];
  const actions: Action[] = [];
  if (box.desiredState === "running") actions.push("suspend");
  if (box.desiredState === "suspended") actions.push("reactivate");
  actions.push("rotate-bot-token", "destroy");
  return actions;
}

function describe(action: Action, answer: BoxActionResult | { job: Job }): string {
  const job = answer.job;
  const queued = `the ${job.type} job ${shortId(job.id)} is ${job.status}`;
  if (action === "rotate-bot-token") return `The bot's token was replaced: ${queued} to restart the gateway with it.`;
  const box = (answer as BoxActionResult).box;
  return `Done: the box should now be ${words(box.desiredState)}, and ${queued}.`;
}

/** /console/boxes/:id: the box's state and settings, its latest jobs, and what an admin can do to it. */
export function BoxPage() {
  const { id } = useParams<{ id: string }>();
  const deny = useDeny();
  const { data, error, reload } = useAdmin<BoxDetail>(`/admin/boxes/${encodeURIComponent(id)}`);
  const box = data?.id === id ? data : undefined;
  useTitle(box ? `@${box.botUsername}` : "Box");
  const [asking, setAsking] = useState<Action | null>(null);
  const [message, setMessage] = useState<OutcomeMessage | null>(null);
  const outcome = useRef<HTMLDivElement>(null);
  const armFocus = useFocusFallback(outcome, box);

  const back = (
    <p className="back">
      <Link href="/boxes">All boxes</Link>
    </p>
  );
  if (error && !box) {
    return (
      <>
        {back}
        <h1>Box</h1>
        {error.status === 404 ? <p>There is no such box.</p> : <ErrorState error={error} retry={reload} />}
      </>
    );
  }
  if (!box) {
    return (
      <>
        {back}
        <h1>Box</h1>
        <Loading what="the box" />
      </>
    );
  }

  const act = async (action: Action) => {
    try {
      const answer = await post<BoxActionResult | { job: Job }>(`/admin/boxes/${box.id}/${action}`);
      setMessage({ ok: true, text: describe(action, answer) });
    } catch (e) {
      deny(e);
      setMessage({ ok: false, text: actionError(e) });
    } finally {
      setAsking(null);
      armFocus();
      reload();
    }
  };

  const actions = available(box);
  const text = asking ? ACTIONS[asking] : null;
  return (
    <>
      {back}
      <h1 className="break">@{box.botUsername}</h1>
      <div className="grid">
        <section className="card" aria-labelledby="box-state">
          <h2 id="box-state">State</h2>
          <Facts
            items={[
              ["Status", <Badge value={box.status} />],
              ["Desired state", words(box.desiredState)],
              ["Live since", when(box.liveSince)],
              ["Last error", box.lastError],
              [
                "Bot",
                <a href={box.telegramLink} rel="noreferrer noopener" target="_blank">
                  t.me/{box.botUsername}
                </a>,
              ],
              [
                "Customer",
                <Link href={`/customers/${box.customerId}`} title={box.customerId}>
                  The customer's page
                </Link>,
              ],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="box-where">
          <h2 id="box-where">Where and how</h2>
          <Facts
            items={[
              ["Runtime", box.runtime],
              ["Namespace", box.namespace && <code>{box.namespace}</code>],
              ["Model", box.settings.model],
              ["Thinking level", words(box.settings.thinkingLevel)],
              ["Allowed Telegram users", box.settings.allowedTelegramUserIds.join(", ")],
              ["Created", when(box.createdAt)],
              ["Destroyed", when(box.destroyedAt)],
              ["Box id", <code>{box.id}</code>],
            ]}
          />
        </section>
      </div>

      <section className="card" aria-labelledby="box-actions">
        <h2 id="box-actions">Actions</h2>
        {actions.length ? (
          <div className="row">
            {actions.map((action) => (
              <button key={action} type="button" className={ACTIONS[action].danger ? "danger" : "secondary"} onClick={() => setAsking(action)}>
                {ACTIONS[action].button}
              </button>
            ))}
            <button type="button" className="secondary" onClick={reload}>
              Refresh
            </button>
          </div>
        ) : (
          <p className="muted">None: the box is destroyed.</p>
        )}
        <Outcome ref={outcome} message={message} />
      </section>

      <section aria-labelledby="box-jobs">
        <h2 id="box-jobs">Latest jobs</h2>
        <JobsTable caption={`Latest jobs of @${box.botUsername}`} jobs={box.jobs} loading={false} reload={reload} showBox={false} empty="No jobs yet." />
        <p>
          <Link href={`/jobs?boxId=${box.id}`}>All jobs of this box</Link>
        </p>
      </section>

      {asking && text && (
        <ConfirmDialog
          title={text.title}
          confirmLabel={text.confirm}
          danger={text.danger}
          onConfirm={() => act(asking)}
          onCancel={() => setAsking(null)}
          typeToConfirm={asking === "destroy" ? { label: `Type ${box.botUsername} or destroy to confirm`, accepts: [box.botUsername, "destroy"] } : undefined}
        >
          <p>{text.what(box.botUsername)}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
