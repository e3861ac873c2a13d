import { memo, useState } from "react";
import { ApiError, post } from "../../lib/api";
import type { Resource } from "../../lib/useResource";
import { ErrorState, Loading } from "../../ui/States";
import { longDate } from "./format";
import type { Billing } from "./types";

const STATUS: Record<string, { label: string; tone: "ok" | "info" | "warn" | "danger" }> = {
  active: { label: "Active", tone: "ok" },
  trialing: { label: "Trial", tone: "ok" },
  past_due: { label: "Payment due", tone: "warn" },
  unpaid: { label: "Unpaid", tone: "danger" },
  canceled: { label: "Cancelled", tone: "warn" },
  incomplete: { label: "Payment not completed", tone: "warn" },
  incomplete_expired: { label: "Payment expired", tone: "danger" },
  paused: { label: "Paused", tone: "warn" },
};

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function portalError(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 409 && e.code === "no_billing_account") return "There is no billing account yet: it is made when you first pay for a plan.";
  if (e.status === 503) return "The billing portal is unavailable right now. Try again in a few minutes.";
  if (e.unauthorized) return "Your session has ended: sign in again to manage billing.";
  return `The billing portal could not be opened: ${e.message}`;
}

function Details({ billing }: { billing: Billing }) {
  const status = billing.status ? (STATUS[billing.status] ?? { label: capitalised(billing.status.replace(/_/g, " ")), tone: "info" as const }) : null;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Plan</dt>
          <dd data-testid="billing-plan">
            {billing.plan ? capitalised(billing.plan) : "No plan"}
            {billing.price && <span className="muted">, {billing.price}</span>}
          </dd>
        </div>
        <div>
          <dt>Subscription</dt>
          <dd>
            {status ? (
              <span className={`badge ${status.tone}`} data-testid="billing-status">
                {status.label}
              </span>
            ) : (
              "None"
            )}
          </dd>
        </div>
        {billing.currentPeriodEnd && (
          <div>
            <dt>{billing.cancelAtPeriodEnd ? "Ends on" : "Next invoice"}</dt>
            <dd data-testid="billing-next">{longDate(billing.currentPeriodEnd)}</dd>
          </div>
        )}
      </dl>
      {billing.cancelAtPeriodEnd && billing.currentPeriodEnd && (
        <p className="notice warn">Your plan ends on {longDate(billing.currentPeriodEnd)}; nothing more will be charged. Manage billing to keep it.</p>
      )}
      {billing.status === "past_due" && <p className="notice warn">The last payment did not go through. Update your payment method in Manage billing to keep your agent running.</p>}
    </>
  );
}

/** Plan, price, subscription state, the next invoice (or the end), and the Stripe portal. */
export const BillingCard = memo(function BillingCard({ billing }: { billing: Resource<Billing> }) {
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = () => {
    if (opening) return;
    setError(null);
    setOpening(true);
    post<{ url: string }>("/me/billing/portal")
      .then((answer) => window.location.assign(answer.url))
      .catch((e: unknown) => {
        setError(portalError(e));
        setOpening(false);
      });
  };

  let body;
  if (billing.data) body = <Details billing={billing.data} />;
  else if (billing.error)
    body = (
      <ErrorState
        error={billing.error.status === 404 ? new ApiError(404, "not_found", "Your billing details are not available yet.") : billing.error}
        retry={billing.error.status === 404 ? undefined : billing.reload}
      />
    );
  else body = <Loading what="your billing" />;

  return (
    <section className="card" aria-labelledby="billing-heading">
      <h2 id="billing-heading">Billing</h2>
      {body}
      <div className="row">
        <button type="button" className="secondary" onClick={open} aria-disabled={opening || undefined}>
          Manage billing
        </button>
      </div>
      <p role="status" className="muted small">
        {opening ? "Opening the billing portal…" : ""}
      </p>
      {error && (
        <p className="field-error" role="alert" data-testid="billing-error">
          {error}
        </p>
      )}
    </section>
  );
});
