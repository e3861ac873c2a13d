-- Requests the token proxy refused after authentication (over the rate, the allowance spent, a bad
-- request), counted per customer and period instead of one usage_events row each: a client looping
-- above its rate must not become a write load. The proxy counts them in Redis and writes the
-- period's running count here at most once per flush interval (proxy.refusal-flush-interval).
ALTER TABLE usage_monthly ADD COLUMN rejected_requests bigint NOT NULL DEFAULT 0
    CHECK (rejected_requests >= 0);
