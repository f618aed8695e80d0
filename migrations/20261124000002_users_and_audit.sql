-- People who log in, failed logins (for the lockout), and the audit trail.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) > 0),
    -- argon2id in PHC string format; never anything else.
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_login_at TEXT
);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    ip       TEXT NOT NULL,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Every change and every attempt. Actor and charger are copied in as text
-- so the history stays readable after a user or charger is gone. Never a
-- token or password.
CREATE TABLE audit_events (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor_id           INTEGER,
    actor              TEXT NOT NULL,
    action             TEXT NOT NULL,
    charger_id         INTEGER,
    charger_name       TEXT,
    subject            TEXT,
    requested_current  INTEGER,
    requested_duration INTEGER,
    outcome            TEXT NOT NULL CHECK (outcome IN
                         ('pending', 'received', 'rejected', 'error', 'refused', 'unknown', 'ok', 'failed')),
    upstream_status    INTEGER,
    upstream_answer    TEXT,
    previous_settings  TEXT,
    error              TEXT,
    request_id         TEXT,
    client_ip          TEXT,
    completed_at       TEXT
);
CREATE INDEX audit_events_at ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_charger ON audit_events (charger_id, id DESC);
