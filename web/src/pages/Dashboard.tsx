import { useEffect, useRef } from "react";
import { Link } from "wouter";
import { useSession } from "../lib/session";
import { Loading, useTitle } from "../ui/States";
import { AgentCard } from "./dashboard/AgentCard";
import { BillingCard } from "./dashboard/BillingCard";
import { SettingsCard } from "./dashboard/SettingsCard";
import type { Billing, Box, Usage, UsageHistory } from "./dashboard/types";
import { UsageCard } from "./dashboard/UsageCard";
import { useJobFollower } from "./dashboard/useJobFollower";
import { useProgressStream } from "./dashboard/useProgressStream";
import { prefetch, useLoad } from "./dashboard/useLoad";
import "./dashboard.css";

const BOX = "/me/box";
const USAGE = "/me/usage";
const HISTORY = "/me/usage/history?months=12";
const BILLING = "/me/billing";

// This module loads when /dashboard is opened: ask for the cards' data now, beside the session's GET
// /me, rather than one round trip (and a paint) after it.
prefetch([BOX, USAGE, HISTORY, BILLING]);

/** The customer's dashboard (/dashboard): the agent live, usage, billing and settings. */
export default function Dashboard() {
  useTitle("Dashboard");
  const { me, loading } = useSession();

  if (loading) return <Loading what="your dashboard" />;
  if (!me) {
    return (
      <div className="dashboard-gate">
        <h1>Dashboard</h1>
        <p>Your agent, its usage and your billing are here once you are signed in.</p>
        <p>
          <Link href="/signin" className="button">
            Sign in to see your agent
          </Link>
        </p>
      </div>
    );
  }
  if (!me.customer) {
    return (
      <div className="dashboard-gate">
        <h1>Dashboard</h1>
        <p>
          You are signed in as {me.email}, which has no agent of its own: the dashboard is for customers.
          {me.roles.includes("admin") ? " As an administrator, you will find every customer in the console." : ""}
        </p>
        <p>
          {me.roles.includes("admin") ? <Link href="/console">Go to the admin console</Link> : <Link href="/start">Set up an agent</Link>}
        </p>
      </div>
    );
  }
  return <CustomerDashboard email={me.email} />;
}

const RELOAD_DEBOUNCE_MS = 300;

function CustomerDashboard({ email }: { email: string }) {
  const box = useLoad<Box>(BOX);
  const usage = useLoad<Usage>(USAGE);
  const history = useLoad<UsageHistory>(HISTORY);
  const billing = useLoad<Billing>(BILLING);
  const stream = useProgressStream(true);
  const reloadBox = box.reload;

  // Progress (or the stream back after a gap): read the agent again, once per burst of events.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    const off = stream.subscribe(() => {
      clearTimeout(timer.current);
      timer.current = setTimeout(reloadBox, RELOAD_DEBOUNCE_MS);
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [stream.subscribe, reloadBox]);

  const restart = useJobFollower(stream.subscribe, reloadBox);
  const apply = useJobFollower(stream.subscribe, reloadBox);

  return (
    <div className="dashboard">
      <h1>Dashboard</h1>
      <p className="muted">Signed in as {email}.</p>
      <div className="dashboard-top">
        <AgentCard box={box} restart={restart} updating={restart.active || apply.active} stream={stream.state} />
        <BillingCard billing={billing} />
      </div>
      <UsageCard usage={usage} history={history} />
      <SettingsCard box={box} apply={apply} />
    </div>
  );
}
