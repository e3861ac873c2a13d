import { Link } from "wouter";
import { Loading, useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { auditSummary } from "./Audit";
import { ErrorState } from "../../ui/States";
import { count, when } from "./format";
import type { AuditEntry, Paged } from "./types";

/** Counting by listing: the api has no counts, so a page of 200 says "200 or more" when there is more. */
const COUNT_LIMIT = 200;

function Tally({ path, what, link, linkText, alarm }: { path: string; what: string; link: string; linkText: string; alarm?: boolean }) {
  const { data, error, loading, reload } = useAdmin<Paged<unknown>>(path);
  let body;
  if (error) body = <ErrorState error={error} retry={reload} />;
  else if (!data) body = loading ? <Loading what={what} /> : null;
  else {
    const n = data.items.length;
    body = (
      <p className={alarm && n > 0 ? "tally tally-alarm" : "tally"}>
        {data.next ? `${count(n)} or more` : count(n)} <span className="tally-what">{what}</span>
      </p>
    );
  }
  return (
    <>
      {body}
      <p>
        <Link href={link}>{linkText}</Link>
      </p>
    </>
  );
}

function RecentActions() {
  const { data, error, loading, reload } = useAdmin<Paged<AuditEntry>>("/admin/audit?limit=5");
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!data) return loading ? <Loading what="the latest actions" /> : null;
  if (data.items.length === 0) return <p className="muted">No admin has acted yet.</p>;
  return (
    <ul className="plain-list">
      {data.items.map((entry) => (
        <li key={entry.id}>
          <span className="muted">{when(entry.at)}</span> {entry.actor}: {auditSummary(entry)}
        </li>
      ))}
    </ul>
  );
}

/** /console: how many customers, boxes and dead jobs there are, with the latest admin actions. */
export function Overview() {
  useTitle("Admin");
  return (
    <>
      <h1>Admin</h1>
      <div className="grid">
        <section className="card" aria-labelledby="overview-customers">
          <h2 id="overview-customers">Customers</h2>
          <Tally path={`/admin/customers?limit=${COUNT_LIMIT}`} what="customers" link="/customers" linkText="See all customers" />
        </section>
        <section className="card" aria-labelledby="overview-boxes">
          <h2 id="overview-boxes">Boxes</h2>
          <Tally path={`/admin/boxes?limit=${COUNT_LIMIT}`} what="boxes, destroyed ones included" link="/boxes" linkText="See all boxes" />
        </section>
        <section className="card" aria-labelledby="overview-dead">
          <h2 id="overview-dead">Dead jobs</h2>
          <Tally path={`/admin/jobs?status=dead&limit=${COUNT_LIMIT}`} what="jobs gave up after their last attempt" link="/jobs" linkText="See dead jobs" alarm />
        </section>
      </div>
      <section className="card" aria-labelledby="overview-audit">
        <h2 id="overview-audit">Latest admin actions</h2>
        <RecentActions />
        <p>
          <Link href="/audit">See the audit log</Link>
        </p>
      </section>
    </>
  );
}
