import { useRef, useState } from "react";
import { Link } from "wouter";
import { post, type ApiError } from "../../lib/api";
import { useDeny } from "./access";
import { Badge } from "./Badge";
import { ConfirmDialog } from "./ConfirmDialog";
import { actionError } from "./actionError";
import { DataTable, type Column } from "./DataTable";
import { count, shortId, when } from "./format";
import { Outcome, useFocusFallback, type OutcomeMessage } from "./Outcome";
import type { Job } from "./types";

export const retryable = (job: Job) => job.status === "dead" || job.status === "failed";

interface JobsTableProps {
  caption: string;
  jobs: Job[] | undefined;
  loading: boolean;
  error?: ApiError;
  reload: () => void;
  /** Whether to show each job's box (not on the box's own page). */
  showBox?: boolean;
  empty: string;
}

/** Jobs with their last error; a dead or failed one can be retried (after a confirmation). */
export function JobsTable({ caption, jobs, loading, error, reload, showBox = true, empty }: JobsTableProps) {
  const deny = useDeny();
  const [retrying, setRetrying] = useState<Job | null>(null);
  const [message, setMessage] = useState<OutcomeMessage | null>(null);
  const outcome = useRef<HTMLDivElement>(null);
  const armFocus = useFocusFallback(outcome, jobs);

  const retry = async (job: Job) => {
    try {
      const queued = await post<Job>(`/admin/jobs/${job.id}/retry`);
      setMessage({ ok: true, text: `The ${queued.type} job ${shortId(queued.id)} is ${queued.status} again.` });
    } catch (e) {
      deny(e);
      setMessage({ ok: false, text: actionError(e) });
    } finally {
      setRetrying(null);
      armFocus();
      reload();
    }
  };

  const columns: Column<Job>[] = [
    { header: "Job", className: "nowrap", cell: (job) => <code title={job.id}>{shortId(job.id)}</code> },
    { header: "Type", cell: (job) => job.type },
    { header: "Status", cell: (job) => <Badge value={job.status} of="job" /> },
    ...(showBox
      ? [
          {
            header: "Box",
            className: "nowrap",
            cell: (job: Job) => (
              <Link href={`/boxes/${job.boxId}`} title={job.boxId}>
                <code>{shortId(job.boxId)}</code>
              </Link>
            ),
          },
        ]
      : []),
    { header: "Attempts", className: "num", cell: (job) => `${count(job.attempts)} of ${count(job.maxAttempts)}` },
    { header: "Created", cell: (job) => when(job.createdAt) },
    { header: "Finished", cell: (job) => when(job.finishedAt) },
    { header: "Last error", className: "wide", cell: (job) => <div className="cell-text">{job.lastError ?? <span className="muted">none</span>}</div> },
    {
      header: "Action",
      cell: (job) =>
        retryable(job) ? (
          <button type="button" className="secondary small" onClick={() => setRetrying(job)}>
            Retry<span className="sr-only"> {job.type} job {shortId(job.id)}</span>
          </button>
        ) : (
          <span className="muted">—</span>
        ),
    },
  ];

  return (
    <>
      <Outcome ref={outcome} message={message} />
      <DataTable
        caption={caption}
        captionHidden
        columns={columns}
        rows={jobs}
        rowKey={(job) => job.id}
        loading={loading}
        error={error}
        retry={reload}
        what="jobs"
        empty={empty}
      />
      {retrying && (
        <ConfirmDialog title="Retry this job?" confirmLabel="Retry job" onConfirm={() => retry(retrying)} onCancel={() => setRetrying(null)}>
          <p>
            The {retrying.type} job <code>{shortId(retrying.id)}</code> ({retrying.status}) goes back to the queue, behind its box's other jobs. When it
            runs it does what the box's desired state needs then.
          </p>
          {retrying.lastError && (
            <p>
              Its last error: <q>{retrying.lastError}</q>
            </p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
