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
    completed_at       TEXT,
    -- Bulk changes share one id across their per-charger rows.
    batch_id           TEXT,
    -- Tamper evidence (src/audit/chain.rs): `hash` covers the row as
    -- inserted and the previous row's hash; `outcome_hash` covers the
    -- completion of a pending row.
    prev_hash          TEXT,
    hash               TEXT NOT NULL,
    outcome_hash       TEXT
);

-- Append-only: no DELETE ever; an UPDATE only completes a pending row, once,
-- and touches nothing but the completion columns.
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: they cannot be deleted');
END;

CREATE TRIGGER audit_events_complete_once BEFORE UPDATE ON audit_events
WHEN OLD.outcome <> 'pending'
  OR NEW.outcome = 'pending'
  OR OLD.outcome_hash IS NOT NULL
  OR NEW.outcome_hash IS NULL
  OR NEW.id IS NOT OLD.id
  OR NEW.at IS NOT OLD.at
  OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor IS NOT OLD.actor
  OR NEW.action IS NOT OLD.action
  OR NEW.charger_id IS NOT OLD.charger_id
  OR NEW.charger_name IS NOT OLD.charger_name
  OR NEW.subject IS NOT OLD.subject
  OR NEW.requested_current IS NOT OLD.requested_current
  OR NEW.requested_duration IS NOT OLD.requested_duration
  OR NEW.request_id IS NOT OLD.request_id
  OR NEW.client_ip IS NOT OLD.client_ip
  OR NEW.batch_id IS NOT OLD.batch_id
  OR NEW.prev_hash IS NOT OLD.prev_hash
  OR NEW.hash IS NOT OLD.hash
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: only a pending outcome may be completed, once');
END;

-- The audit page filters on these. Each is ordered by id for keyset
-- pagination and carries `at` so a date check needs no table lookup.
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_charger ON audit_events (charger_id, id, at);
CREATE INDEX audit_events_actor ON audit_events (actor COLLATE NOCASE, id, at, outcome);
CREATE INDEX audit_events_action ON audit_events (action, id, at);
CREATE INDEX audit_events_outcome ON audit_events (outcome, id, at);
CREATE INDEX audit_events_batch ON audit_events (batch_id) WHERE batch_id IS NOT NULL;
