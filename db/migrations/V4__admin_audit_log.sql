-- Every admin action (who, what, on what, when), written in the transaction of the action itself.
CREATE TABLE admin_audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor       text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
    action      text        NOT NULL
                CHECK (action IN ('job.retry', 'box.suspend', 'box.reactivate', 'box.destroy')),
    target_type text        NOT NULL CHECK (target_type IN ('job', 'box')),
    target_id   text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_log_at_idx ON admin_audit_log (at DESC, id DESC);
CREATE INDEX admin_audit_log_target_idx ON admin_audit_log (target_type, target_id);
