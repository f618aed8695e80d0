-- The audit table's closed sets (action, outcome) are checked by triggers
-- that the application generates from its enums at every start
-- (src/db/vocabulary.rs), so the Rust definition is the only one. This
-- rebuilds audit_events without the literal outcome CHECK of migration 2;
-- columns, rows, hashes, triggers and indexes are otherwise unchanged.

CREATE TABLE audit_events_new (
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
    outcome            TEXT NOT NULL,
    upstream_status    INTEGER,
    upstream_answer    TEXT,
    previous_settings  TEXT,
    -- A typed problem as JSON (src/problem.rs); older rows hold a sentence.
    error              TEXT,
    request_id         TEXT,
    client_ip          TEXT,
    completed_at       TEXT,
    batch_id           TEXT,
    prev_hash          TEXT,
    hash               TEXT NOT NULL,
    outcome_hash       TEXT
);

INSERT INTO audit_events_new
SELECT id, at, actor_id, actor, action, charger_id, charger_name, subject,
       requested_current, requested_duration, outcome, upstream_status,
       upstream_answer, previous_settings, error, request_id, client_ip,
       completed_at, batch_id, prev_hash, hash, outcome_hash
FROM audit_events;

-- Dropping a table drops its triggers first, so the no-delete trigger
-- does not fire.
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;

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

CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_charger ON audit_events (charger_id, id, at);
CREATE INDEX audit_events_actor ON audit_events (actor COLLATE NOCASE, id, at, outcome);
CREATE INDEX audit_events_action ON audit_events (action, id, at);
CREATE INDEX audit_events_outcome ON audit_events (outcome, id, at);
CREATE INDEX audit_events_batch ON audit_events (batch_id) WHERE batch_id IS NOT NULL;
