-- The platform's first schema. Forward only: later changes go into new V<n>__*.sql files.
-- Every status has a CHECK; timestamps are timestamptz; ids are UUIDs made by the database.

CREATE TABLE customers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text        NOT NULL,
    telegram_user_id   bigint,
    display_name       text,
    status             text        NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'active', 'past_due', 'suspended', 'cancelled')),
    plan               text,
    stripe_customer_id text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT customers_telegram_user_id_positive CHECK (telegram_user_id > 0)
);
-- One account per address, whatever its case.
CREATE UNIQUE INDEX customers_email_key ON customers (lower(email));
CREATE UNIQUE INDEX customers_telegram_user_id_key ON customers (telegram_user_id);
CREATE UNIQUE INDEX customers_stripe_customer_id_key ON customers (stripe_customer_id);

CREATE TABLE subscriptions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id            uuid        NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    stripe_subscription_id text        NOT NULL UNIQUE,
    plan                   text        NOT NULL,
    status                 text        NOT NULL
                           CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active',
                                             'past_due', 'unpaid', 'canceled', 'paused')),
    current_period_start   timestamptz NOT NULL,
    current_period_end     timestamptz NOT NULL,
    cancel_at_period_end   boolean     NOT NULL DEFAULT false,
    -- Stripe's created time of the newest event applied: older events never move a subscription back.
    last_event_at          timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_period_order CHECK (current_period_end > current_period_start)
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id);

CREATE TABLE boxes (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id              uuid        NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    bot_id                   bigint      NOT NULL CHECK (bot_id > 0),
    bot_username             text        NOT NULL,
    bot_token_ciphertext     bytea       NOT NULL,
    bot_token_key_id         text        NOT NULL,
    allowed_telegram_user_ids bigint[]   NOT NULL
                             CHECK (cardinality(allowed_telegram_user_ids) BETWEEN 1 AND 50),
    model                    text        NOT NULL,
    thinking_level           text        NOT NULL DEFAULT 'off'
                             CHECK (thinking_level IN ('off', 'minimal', 'low', 'medium', 'high', 'xhigh',
                                                       'adaptive', 'max', 'ultra')),
    runtime                  text        NOT NULL CHECK (runtime IN ('kubernetes', 'local')),
    namespace                text,
    desired_state            text        NOT NULL DEFAULT 'running'
                             CHECK (desired_state IN ('running', 'suspended', 'destroyed')),
    observed_state           text        NOT NULL DEFAULT 'pending'
                             CHECK (observed_state IN ('pending', 'provisioning', 'running', 'suspended',
                                                       'destroying', 'destroyed', 'failed')),
    last_error               text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    ready_at                 timestamptz,
    destroyed_at             timestamptz,
    CONSTRAINT boxes_destroyed_consistent
        CHECK ((observed_state = 'destroyed') = (destroyed_at IS NOT NULL))
);
-- At most one live box per customer; destroyed boxes stay for the record.
CREATE UNIQUE INDEX boxes_one_live_per_customer ON boxes (customer_id) WHERE destroyed_at IS NULL;
-- One bot token polls from one gateway only (Telegram answers 409 to a second poller).
CREATE UNIQUE INDEX boxes_one_live_per_bot ON boxes (bot_id) WHERE destroyed_at IS NULL;
CREATE UNIQUE INDEX boxes_namespace_key ON boxes (namespace) WHERE namespace IS NOT NULL;

CREATE TABLE proxy_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    box_id       uuid        NOT NULL REFERENCES boxes (id) ON DELETE RESTRICT,
    token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    token_prefix text        NOT NULL,
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT proxy_tokens_revoked_consistent CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX proxy_tokens_box_idx ON proxy_tokens (box_id);

CREATE TABLE usage_monthly (
    customer_id       uuid        NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    period_start      timestamptz NOT NULL,
    period_end        timestamptz NOT NULL,
    prompt_tokens     bigint      NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens bigint      NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cached_tokens     bigint      NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
    reasoning_tokens  bigint      NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
    requests          bigint      NOT NULL DEFAULT 0 CHECK (requests >= 0),
    token_allowance   bigint      NOT NULL CHECK (token_allowance >= 0),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, period_start),
    CONSTRAINT usage_monthly_period_order CHECK (period_end > period_start)
);

CREATE TABLE usage_events (
    request_id          text        PRIMARY KEY,
    customer_id         uuid        NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    box_id              uuid        NOT NULL REFERENCES boxes (id) ON DELETE RESTRICT,
    model               text        NOT NULL,
    prompt_tokens       bigint      NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens   bigint      NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cached_tokens       bigint      NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
    reasoning_tokens    bigint      NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
    outcome             text        NOT NULL
                        CHECK (outcome IN ('ok', 'client_cancelled', 'upstream_error', 'upstream_timeout',
                                           'rejected')),
    estimated           boolean     NOT NULL DEFAULT false,
    upstream_latency_ms integer     CHECK (upstream_latency_ms >= 0),
    proxy_overhead_us   integer     CHECK (proxy_overhead_us >= 0),
    occurred_at         timestamptz NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_events_customer_time_idx ON usage_events (customer_id, occurred_at);

CREATE TABLE operator_jobs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type            text        NOT NULL CHECK (type IN ('provision', 'destroy', 'suspend', 'reactivate', 'update')),
    box_id          uuid        NOT NULL REFERENCES boxes (id) ON DELETE RESTRICT,
    payload         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status          text        NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    integer     NOT NULL CHECK (max_attempts > 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- The consumer that holds the job and until when; a lease past its time may be taken over.
    locked_by       text,
    locked_until    timestamptz,
    -- When the relay last put the job on the Redis stream.
    published_at    timestamptz,
    last_error      text,
    idempotency_key text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    CONSTRAINT operator_jobs_lease_consistent
        CHECK ((status = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL))
);
-- The relay's scan: jobs waiting to run, and running jobs whose lease may have run out.
CREATE INDEX operator_jobs_due_idx ON operator_jobs (next_attempt_at) WHERE status = 'queued';
CREATE INDEX operator_jobs_lease_idx ON operator_jobs (locked_until) WHERE status = 'running';
CREATE INDEX operator_jobs_box_idx ON operator_jobs (box_id);

CREATE TABLE stripe_events (
    id           text PRIMARY KEY CHECK (id LIKE 'evt\_%'),
    type         text        NOT NULL,
    created      timestamptz NOT NULL,
    payload      jsonb       NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
CREATE INDEX stripe_events_unprocessed_idx ON stripe_events (received_at) WHERE processed_at IS NULL;
