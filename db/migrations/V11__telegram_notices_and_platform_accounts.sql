-- 1. The platform's notices also reach the customer in their own Telegram chat, sent through their
-- own bot (sendMessage with the box's token) by the billing worker. They share the outbox with the
-- mails: one row per notice and channel (dedupe key 'telegram:<kind>:<occasion>'), retried with
-- backoff, 'dead' with the reason in last_error when Telegram refuses for good (a revoked bot, a
-- person who blocked it). A Telegram notice's recipient is the chat id.
ALTER TABLE notifications ADD COLUMN channel text NOT NULL DEFAULT 'email'
    CHECK (channel IN ('email', 'telegram'));
ALTER TABLE notifications DROP CONSTRAINT notifications_recipient_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_recipient_check
    CHECK (CASE channel WHEN 'email' THEN recipient ~ '^[^@\s]+@[^@\s]+$'
                        ELSE recipient ~ '^-?[0-9]{1,20}$' END);
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sign_in_link', 'agent_live', 'usage_warning', 'payment_failed', 'suspended',
                    'cancelled', 'bot_refused', 'reactivated'));
DROP INDEX notifications_due_idx;
CREATE INDEX notifications_due_idx ON notifications (channel, next_attempt_at) WHERE status = 'pending';

-- 2. Accounts of the platform's own (the onboarding agent's model calls): a customers row of kind
-- 'platform', on a plan that is not on sale, with no subscription and no box. Its proxy tokens name
-- the account instead of a box (exactly one of box_id, customer_id), so the operator and the
-- reconciler, which work on boxes, never see them; its usage is metered in usage_events (no box)
-- and usage_monthly like a customer's, and the proxy caps it by its plan.
ALTER TABLE customers ADD COLUMN kind text NOT NULL DEFAULT 'customer'
    CHECK (kind IN ('customer', 'platform'));
ALTER TABLE proxy_tokens ALTER COLUMN box_id DROP NOT NULL;
ALTER TABLE proxy_tokens ADD COLUMN customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT;
ALTER TABLE proxy_tokens ADD CONSTRAINT proxy_tokens_one_owner
    CHECK ((box_id IS NULL) <> (customer_id IS NULL));
CREATE INDEX proxy_tokens_customer_idx ON proxy_tokens (customer_id) WHERE customer_id IS NOT NULL;
ALTER TABLE usage_events ALTER COLUMN box_id DROP NOT NULL;
