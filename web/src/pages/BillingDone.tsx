import { Link, useSearch } from "wouter";
import { useSession } from "../lib/session";
import { useTitle } from "../ui/States";
import "./public/pages.css";

/** /billing/done?session=…: where Stripe's checkout returns after a payment. */
export default function BillingDone() {
  useTitle("Payment received");
  const session = new URLSearchParams(useSearch()).get("session");
  return (
    <section className="pub-narrow" aria-labelledby="done-title">
      <h1 id="done-title">Payment received, thank you</h1>
      <p className="pub-lead">Your agent is being set up now and answers on your Telegram bot within a minute. A receipt follows by email.</p>
      <div className="pub-cards">
        <div className="card">
          <h2>Signed up in this browser?</h2>
          <p>The chat shows each step and tells you the moment your agent is live, with its link.</p>
          <Link href="/start" className="button">
            Follow the setup in the chat
          </Link>
        </div>
        <div className="card">
          <h2>Signed up in Telegram?</h2>
          <p>The setup bot tells you there when your agent is live, with a button that opens it. You can close this tab.</p>
        </div>
      </div>
      <DashboardLink />
      {session && <p className="muted pub-reference">Payment reference: {session}</p>}
    </section>
  );
}

/** The dashboard for a signed-in customer, else signing in. */
export function DashboardLink() {
  const { me, loading } = useSession();
  if (loading) return null;
  return me?.customer ? (
    <p>
      <Link href="/dashboard">Go to your dashboard</Link> to see your agent, its usage and your plan.
    </p>
  ) : (
    <p>
      Your dashboard shows your agent, its usage and your plan: <Link href="/signin">sign in</Link> with the email you gave.
    </p>
  );
}
