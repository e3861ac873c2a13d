import { Link } from "wouter";
import { useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { DataTable, type Column } from "./DataTable";
import { isUuid, shortId, when } from "./format";
import { Pager, useCursorPages, withQuery } from "./Pager";
import type { AuditEntry, Paged } from "./types";

const LIMIT = 50;

const ACTIONS: Record<string, string> = {
  "job.retry": "retried a job",
  "box.suspend": "suspended a box",
  "box.reactivate": "reactivated a box",
  "box.destroy": "destroyed a box",
  "box.rotate-bot-token": "rotated a bot's token",
};

/** An entry's action in words ("suspended a box"); an action this page does not know, as the api spells it. */
export function auditSummary(entry: AuditEntry): string {
  return ACTIONS[entry.action] ?? entry.action;
}

function Target({ entry }: { entry: AuditEntry }) {
  const id = <code title={entry.targetId}>{shortId(entry.targetId)}</code>;
  if (entry.targetType === "box") return <Link href={`/boxes/${entry.targetId}`}>box {id}</Link>;
  return (
    <>
      {entry.targetType} {id}
    </>
  );
}

function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="details">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}: </dt>
          <dd>
            {typeof value !== "string" ? (
              JSON.stringify(value)
            ) : isUuid(value) ? (
              <code title={value}>{shortId(value)}</code>
            ) : (
              value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const columns: Column<AuditEntry>[] = [
  { header: "When", className: "nowrap", cell: (e) => <time dateTime={e.at}>{when(e.at)}</time> },
  { header: "Who", cell: (e) => e.actor },
  { header: "What", cell: (e) => <span title={e.action}>{auditSummary(e)}</span> },
  { header: "Target", className: "nowrap", cell: (e) => <Target entry={e} /> },
  {
    header: "Details",
    className: "wide",
    cell: (e) => (
      <div className="cell-text">
        <Details details={e.details} />
      </div>
    ),
  },
];

/** /console/audit: every admin action, newest first, paged. */
export function Audit() {
  useTitle("Audit log");
  const pages = useCursorPages("audit");
  const { data, error, loading, reload } = useAdmin<Paged<AuditEntry>>(withQuery("/admin/audit", { limit: LIMIT, cursor: pages.cursor }));
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every action an admin took, newest first. It is written in the same transaction as the action itself.</p>
      <DataTable
        caption="Audit log"
        captionHidden
        columns={columns}
        rows={data?.items}
        rowKey={(e) => String(e.id)}
        loading={loading}
        error={error}
        retry={reload}
        what="the audit log"
        empty={<p>No admin has acted yet. Retries, suspensions, reactivations, destructions and token rotations appear here.</p>}
      />
      <Pager label="Audit log" page={pages.page} next={data?.next} busy={loading} onNext={pages.forward} onPrevious={pages.back} />
    </>
  );
}
