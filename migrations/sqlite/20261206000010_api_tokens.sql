-- API tokens for /api/v1 (#30) and the answers kept for Idempotency-Key.
--
-- A token is stored only as the hex SHA-256 of its value; the value is
-- shown once, when it is made. A revoked token keeps its row (and its
-- name: the audit trail names its calls `token:NAME`).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 40 AND name = lower(name)),
    role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- One row per (token, key) for 24 h: the primary key decides which of
-- two concurrent requests (or instances) runs; the answer is kept for
-- the others. `status` and `body` stay NULL while the first one runs.
CREATE TABLE idempotency_keys (
    token_id    INTEGER NOT NULL REFERENCES api_tokens (id),
    idem_key    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    status      INTEGER,
    body        TEXT,
    PRIMARY KEY (token_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_ms);

-- A new token on its way to the admin page that made it: sealed under the
-- token key and bound to that admin, taken (deleted) by the first page
-- that shows it, and worthless after `expires_ms` (10 minutes). In the
-- database, not in memory, so the page may be served by any instance.
CREATE TABLE api_token_handoffs (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    sealed     BLOB NOT NULL,
    nonce      BLOB NOT NULL,
    key_id     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
