import type { ReactNode } from "react";
import { Link, useParams } from "wouter";
import { Loading, useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { Badge } from "./Badge";
import { ErrorState } from "../../ui/States";
import { DataTable, type Column } from "./DataTable";
import { count, day, shortId, when, words } from "./format";
import type { Box, CustomerDetail, CustomerUsage, UsageEvent, UsagePeriod } from "./types";

/** A definition list of label → value; empty values show a dash. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

const used = (period: UsagePeriod) => period.promptTokens + period.completionTokens;
const percent = (period: UsagePeriod) => (period.tokenAllowance > 0 ? Math.min(100, Math.round((used(period) * 100) / period.tokenAllowance)) : 0);

function CurrentUsage({ usage }: { usage: UsagePeriod | null }) {
  if (!usage) return <p className="muted">No usage period is open: nothing is counted until a subscription starts one.</p>;
  const pct = percent(usage);
  return (
    <>
      <p>
        <strong>{count(used(usage))}</strong> of {count(usage.tokenAllowance)} tokens used ({pct}%), {day(usage.periodStart)} to {day(usage.periodEnd)}.
      </p>
      <div className="meter" role="img" aria-label={`${pct}% of the allowance used`}>
        <span className={pct >= 100 ? "meter-fill full" : pct >= 80 ? "meter-fill high" : "meter-fill"} style={{ width: `${pct}%` }} />
      </div>
      <Facts
        items={[
          ["Requests", count(usage.requests)],
          ["Rejected requests", count(usage.rejectedRequests)],
          ["Prompt tokens", count(usage.promptTokens)],
          ["Completion tokens", count(usage.completionTokens)],
          ["Cached tokens", count(usage.cachedTokens)],
          ["Reasoning tokens", count(usage.reasoningTokens)],
        ]}
      />
    </>
  );
}

const boxColumns: Column<Box>[] = [
  { header: "Bot", cell: (b) => <Link href={`/boxes/${b.id}`}>@{b.botUsername}</Link> },
  { header: "Status", cell: (b) => <Badge value={b.status} /> },
  { header: "Desired state", cell: (b) => words(b.desiredState) },
  { header: "Live since", className: "nowrap", cell: (b) => when(b.liveSince) },
  { header: "Created", className: "nowrap", cell: (b) => when(b.createdAt) },
  { header: "Destroyed", className: "nowrap", cell: (b) => when(b.destroyedAt) },
];

const periodColumns: Column<UsagePeriod>[] = [
  { header: "Period", className: "nowrap", cell: (p) => `${day(p.periodStart)} to ${day(p.periodEnd)}` },
  { header: "Tokens used", className: "num", cell: (p) => count(used(p)) },
  { header: "Allowance", className: "num", cell: (p) => count(p.tokenAllowance) },
  { header: "Used", className: "num", cell: (p) => `${percent(p)}%` },
  { header: "Requests", className: "num", cell: (p) => count(p.requests) },
  { header: "Rejected", className: "num", cell: (p) => count(p.rejectedRequests) },
];

const eventColumns: Column<UsageEvent>[] = [
  { header: "When", className: "nowrap", cell: (e) => when(e.occurredAt) },
  { header: "Model", cell: (e) => e.model },
  { header: "Outcome", cell: (e) => <Badge value={e.outcome} /> },
  { header: "Prompt", className: "num", cell: (e) => count(e.promptTokens) },
  { header: "Completion", className: "num", cell: (e) => `${count(e.completionTokens)}${e.estimated ? " (estimated)" : ""}` },
  { header: "Latency", className: "num nowrap", cell: (e) => (e.upstreamLatencyMs === null ? "—" : `${count(e.upstreamLatencyMs)} ms`) },
  {
    header: "Box",
    className: "nowrap",
    cell: (e) =>
      e.boxId ? (
        <Link href={`/boxes/${e.boxId}`} title={e.boxId}>
          <code>{shortId(e.boxId)}</code>
        </Link>
      ) : (
        <span className="muted">none</span>
      ),
  },
];

/** /console/customers/:id: who they are, their boxes, subscription, usage and latest requests. */
export function CustomerPage() {
  const { id } = useParams<{ id: string }>();
  const customer = useAdmin<CustomerDetail>(`/admin/customers/${encodeURIComponent(id)}`);
  const usage = useAdmin<CustomerUsage>(customer.data ? `/admin/customers/${encodeURIComponent(id)}/usage` : null);
  const c = customer.data?.id === id ? customer.data : undefined;
  useTitle(c ? c.email : "Customer");

  const back = (
    <p className="back">
      <Link href="/customers">All customers</Link>
    </p>
  );
  if (customer.error) {
    return (
      <>
        {back}
        <h1>Customer</h1>
        {customer.error.status === 404 ? <p>There is no such customer.</p> : <ErrorState error={customer.error} retry={customer.reload} />}
      </>
    );
  }
  if (!c) {
    return (
      <>
        {back}
        <h1>Customer</h1>
        <Loading what="the customer" />
      </>
    );
  }

  const s = c.subscription;
  return (
    <>
      {back}
      <h1 className="break">{c.email}</h1>
      <div className="grid">
        <section className="card" aria-labelledby="customer-details">
          <h2 id="customer-details">Details</h2>
          <Facts
            items={[
              ["Name", c.displayName],
              ["Status", <Badge value={c.status} />],
              ["Plan", words(c.plan)],
              ["Telegram user", c.telegramUserId],
              ["Signed up", when(c.createdAt)],
              ["Stripe customer", c.stripeCustomerId && <code>{c.stripeCustomerId}</code>],
              ["Customer id", <code>{c.id}</code>],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="customer-subscription">
          <h2 id="customer-subscription">Subscription</h2>
          {s ? (
            <Facts
              items={[
                ["Plan", words(s.plan)],
                ["Status", <Badge value={s.status} />],
                ["Current period", s.currentPeriodStart ? `${day(s.currentPeriodStart)} to ${day(s.currentPeriodEnd)}` : null],
                ["Ends at period end", s.cancelAtPeriodEnd ? "yes" : "no"],
                ["Stripe subscription", <code>{s.stripeSubscriptionId}</code>],
              ]}
            />
          ) : (
            <p className="muted">No subscription: the customer has not paid yet.</p>
          )}
        </section>
        <section className="card" aria-labelledby="customer-usage">
          <h2 id="customer-usage">Current usage</h2>
          <CurrentUsage usage={c.usage} />
        </section>
      </div>

      <section aria-labelledby="customer-boxes">
        <h2 id="customer-boxes">Boxes</h2>
        <DataTable
          caption={`Boxes of ${c.email}`}
          captionHidden
          columns={boxColumns}
          rows={c.boxes}
          rowKey={(b) => b.id}
          loading={false}
          what="boxes"
          empty={<p>No box yet: one is made once the first payment arrives.</p>}
        />
      </section>

      <section aria-labelledby="customer-periods">
        <h2 id="customer-periods">Usage by period</h2>
        <DataTable
          caption="Usage periods, newest first"
          captionHidden
          columns={periodColumns}
          rows={usage.data?.periods}
          rowKey={(p) => p.periodStart}
          loading={usage.loading}
          error={usage.error}
          retry={usage.reload}
          what="usage"
          empty={<p>No usage period yet.</p>}
        />
      </section>

      <section aria-labelledby="customer-requests">
        <h2 id="customer-requests">Recent requests</h2>
        <p className="muted">The latest 50 requests to the model, newest first.</p>
        <DataTable
          caption="Recent requests, newest first"
          captionHidden
          columns={eventColumns}
          rows={usage.data?.recentEvents}
          rowKey={(e) => e.requestId}
          loading={usage.loading}
          error={usage.error}
          retry={usage.reload}
          what="requests"
          empty={<p>No requests yet.</p>}
        />
      </section>
    </>
  );
}
