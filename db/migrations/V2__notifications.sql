-- Email to customers goes through this outbox: written in the same transaction as the change it
-- announces, sent by billing's notification worker with retries, each row at most once.
CREATE TABLE notifications (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id     uuid        REFERENCES customers (id) ON DELETE RESTRICT,
    kind            text        NOT NULL
                    CHECK (kind IN ('sign_in_link', 'agent_live', 'usage_warning', 'payment_failed',
                                    'suspended', 'cancelled')),
    recipient       text        NOT NULL CHECK (recipient ~ '^[^@\s]+@[^@\s]+$'),
    subject         text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body            text        NOT NULL,
    -- What makes two notifications the same one (e.g. 'usage_warning:<customer>:<period>'):
    -- a second enqueue with the same key is ignored, so each is sent once.
    dedupe_key      text        NOT NULL UNIQUE,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT notifications_sent_consistent CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_customer_idx ON notifications (customer_id, created_at);
