-- Revoked session tokens (a logout, a refresh token used), by token id, until the token would have
-- expired anyway. Redis holds the same deny-list for the per-request check; this table is what it is
-- rebuilt from when Redis comes back empty, so a revocation outlives Redis (docs/reliability.md).
CREATE TABLE session_revocations (
    token_id   text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX session_revocations_expires_at ON session_revocations (expires_at);
