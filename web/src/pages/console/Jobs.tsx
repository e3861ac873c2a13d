import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { useSearchParams } from "wouter";
import { useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { isUuid } from "./format";
import { JobsTable } from "./JobsTable";
import { Pager, useCursorPages, withQuery } from "./Pager";
import { JOB_STATUSES, JOB_TYPES, type Job, type Paged } from "./types";

const LIMIT = 50;

/**
 * /console/jobs: by status (the api's default: dead) or every job of one box. The api filters by
 * status or box only, so the type (and, for a box, the status) narrows the page shown here. The
 * filters live in the address: ?status=, ?type=, ?boxId=.
 */
export function Jobs() {
  useTitle("Jobs");
  const ids = { status: useId(), type: useId(), box: useId(), boxError: useId(), note: useId() };
  const [params, setParams] = useSearchParams();
  const boxId = params.get("boxId") ?? "";
  const status = params.get("status") ?? (boxId ? "" : "dead");
  const type = params.get("type") ?? "";
  const [typedBox, setTypedBox] = useState(boxId);
  const [boxError, setBoxError] = useState("");
  useEffect(() => setTypedBox(boxId), [boxId]);

  const set = (changes: Record<string, string>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [name, value] of Object.entries(changes)) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        return next;
      },
      { replace: true },
    );

  const pages = useCursorPages(boxId ? `box:${boxId}` : `status:${status}`);
  const path = boxId
    ? withQuery("/admin/jobs", { boxId, limit: LIMIT, cursor: pages.cursor })
    : withQuery("/admin/jobs", { status, limit: LIMIT, cursor: pages.cursor });
  const { data, error, loading, reload } = useAdmin<Paged<Job>>(path);
  const shown = useMemo(
    () => data?.items.filter((job) => (!type || job.type === type) && (!boxId || !status || job.status === status)),
    [data, type, boxId, status],
  );
  const narrowed = !!data && !!shown && shown.length < data.items.length;

  const chooseBox = (event: FormEvent) => {
    event.preventDefault();
    const id = typedBox.trim();
    if (id && !isUuid(id)) {
      setBoxError("A box id looks like 0b6f1c2e-5d7a-4c1e-9f3a-2b8d4e6a1c90 (see a box's page).");
      return;
    }
    setBoxError("");
    set({ boxId: id, status: "" });
  };

  return (
    <>
      <h1>Jobs</h1>
      <p className="muted">What the operator was asked to do to each box, with the last error of each. Dead and failed jobs can be retried.</p>
      <div className="console-filters">
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => set({ status: event.target.value })}>
            {boxId && <option value="">any status</option>}
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={type} onChange={(event) => set({ type: event.target.value })} aria-describedby={ids.note}>
            <option value="">any type</option>
            {JOB_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <form className="box-filter" onSubmit={chooseBox}>
          <div className="field">
            <label htmlFor={ids.box}>Box id</label>
            <input
              id={ids.box}
              value={typedBox}
              onChange={(event) => setTypedBox(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={!!boxError || undefined}
              aria-describedby={boxError ? ids.boxError : undefined}
            />
            {boxError && (
              <p id={ids.boxError} className="field-error">
                {boxError}
              </p>
            )}
          </div>
          <button type="submit" className="secondary">
            Show the box's jobs
          </button>
          {boxId && (
            <button type="button" className="secondary" onClick={() => set({ boxId: "", status: "" })}>
              All boxes
            </button>
          )}
        </form>
      </div>
      <p id={ids.note} className="field-hint">
        {boxId ? "Every job of this box, newest first; status and type narrow the page shown." : "Status is asked of the server; type narrows the page shown."}
        {narrowed && ` ${shown.length} of the ${data.items.length} jobs on this page match.`}
      </p>
      <JobsTable
        key={path.replace(/&?cursor=[^&]*/, "")}
        caption={boxId ? `Jobs of box ${boxId}` : `Jobs with status ${status}`}
        jobs={shown}
        loading={loading}
        error={error}
        reload={reload}
        empty={emptyText(status, type, boxId, !!data?.next)}
      />
      <Pager label="Jobs" page={pages.page} next={data?.next} busy={loading} onNext={pages.forward} onPrevious={pages.back} />
    </>
  );
}

function emptyText(status: string, type: string, boxId: string, more: boolean): string {
  const what = [status && status, type && type].filter(Boolean).join(" ");
  const where = boxId ? " for this box" : "";
  const base = `No ${what ? `${what} ` : ""}jobs${where}${more ? " on this page" : ""}.`;
  return status === "dead" && !type && !boxId ? `${base} Nothing gave up after its last attempt.` : base;
}
