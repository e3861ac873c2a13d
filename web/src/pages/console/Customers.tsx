import { useEffect, useId, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "wouter";
import { useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { Badge } from "./Badge";
import { DataTable, type Column } from "./DataTable";
import { day, words } from "./format";
import { Pager, useCursorPages, withQuery } from "./Pager";
import type { Customer, Paged } from "./types";

const LIMIT = 50;
const DEBOUNCE_MS = 300;

const columns: Column<Customer>[] = [
  { header: "Email", cell: (c) => <Link href={`/customers/${c.id}`}>{c.email}</Link> },
  { header: "Name", cell: (c) => c.displayName ?? <span className="muted">—</span> },
  { header: "Status", cell: (c) => <Badge value={c.status} /> },
  { header: "Plan", cell: (c) => words(c.plan) },
  { header: "Telegram user", className: "num", cell: (c) => c.telegramUserId ?? <span className="muted">—</span> },
  { header: "Signed up", className: "nowrap", cell: (c) => day(c.createdAt) },
];

/**
 * /console/customers: newest first, paged; or the customers whose email contains ?q= (one page of
 * at most 50: the api does not page a search). The search is in the address, so it can be shared.
 */
export function Customers() {
  useTitle("Customers");
  const searchId = useId();
  const [params, setParams] = useSearchParams();
  const q = params.get("q")?.trim() ?? "";
  const [typed, setTyped] = useState(q);

  const search = (text: string) => {
    const next = text.trim();
    if (next !== q) setParams(next ? { q: next } : {}, { replace: true });
  };

  // Typing searches once it pauses; Enter searches at once.
  useEffect(() => {
    const timer = setTimeout(() => search(typed), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  // The address changed by itself (Back, a link): the field follows.
  useEffect(() => {
    setTyped((current) => (current.trim() === q ? current : q));
  }, [q]);

  const pages = useCursorPages(q);
  const path = q ? withQuery("/admin/customers", { q, limit: LIMIT }) : withQuery("/admin/customers", { limit: LIMIT, cursor: pages.cursor });
  const { data, error, loading, reload } = useAdmin<Paged<Customer>>(path);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    search(typed);
  };

  return (
    <>
      <h1>Customers</h1>
      <form className="console-filters" role="search" onSubmit={submit}>
        <div className="field">
          <label htmlFor={searchId}>Search by email</label>
          <input id={searchId} type="search" value={typed} onChange={(event) => setTyped(event.target.value)} maxLength={254} autoComplete="off" spellCheck={false} />
        </div>
        <button type="submit">Search</button>
      </form>
      <p className="muted search-note" role="status">
        {q && data && !loading && data.items.length > 0
          ? data.items.length >= LIMIT
            ? `The first ${LIMIT} customers whose email contains “${q}”: make the search narrower to see others.`
            : `${data.items.length} ${data.items.length === 1 ? "customer's email contains" : "customers' emails contain"} “${q}”.`
          : ""}
      </p>
      <DataTable
        caption={q ? `Customers whose email contains “${q}”` : "Customers, newest first"}
        captionHidden
        columns={columns}
        rows={data?.items}
        rowKey={(c) => c.id}
        loading={loading}
        error={error}
        retry={reload}
        what="customers"
        empty={q ? <p>No customer's email contains “{q}”.</p> : <p>No customers yet. They appear here once they sign up.</p>}
      />
      {!q && <Pager label="Customers" page={pages.page} next={data?.next} busy={loading} onNext={pages.forward} onPrevious={pages.back} />}
    </>
  );
}
