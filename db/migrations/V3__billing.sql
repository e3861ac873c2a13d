-- Billing: failed Stripe events are retried with backoff instead of blocking the ones behind them,
-- and a subscription remembers since when a payment is overdue (the grace period before suspension).
ALTER TABLE stripe_events
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_error      text;
DROP INDEX stripe_events_unprocessed_idx;
CREATE INDEX stripe_events_due_idx ON stripe_events (next_attempt_at) WHERE processed_at IS NULL;

ALTER TABLE subscriptions ADD COLUMN past_due_since timestamptz;
CREATE INDEX subscriptions_past_due_idx ON subscriptions (past_due_since) WHERE past_due_since IS NOT NULL;
