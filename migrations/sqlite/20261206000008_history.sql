-- What chargers did (src/history): raw status samples per plug (kept two
-- days), 15-minute roll-ups per charger (kept 400 days), the latest
-- reading of each charger (what pages show), and a lease so one instance
-- samples at a time. Times are Unix milliseconds (samples) and seconds
-- (buckets); currents in deciampere, so a row stays a few dozen bytes.

CREATE TABLE status_samples (
    charger_id INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    -- The plug's position in CLEMAP's answer; -1: the charger could not
    -- be read at all (its gap is history too).
    plug       INTEGER NOT NULL,
    -- A plug state (src/clemap/model.rs), or 'unreachable' for plug -1.
    status     TEXT NOT NULL,
    -- Measured per phase; NULL is unknown, never 0 A.
    l1_da      INTEGER,
    l2_da      INTEGER,
    l3_da      INTEGER,
    power_w    INTEGER,
    -- CLEMAP's dynamic current limit.
    limit_da   INTEGER,
    -- The target in force when sampled (NULL: none).
    target_a   INTEGER,
    -- Made up for the demo's past, and shown as such.
    simulated  INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
    PRIMARY KEY (charger_id, at_ms, plug)
) WITHOUT ROWID;
CREATE INDEX status_samples_at ON status_samples (at_ms);

CREATE TABLE history_buckets (
    charger_id  INTEGER NOT NULL,
    start_s     INTEGER NOT NULL CHECK (start_s % 900 = 0),
    samples     INTEGER NOT NULL,
    avg_l1_da   INTEGER,
    avg_l2_da   INTEGER,
    avg_l3_da   INTEGER,
    max_l1_da   INTEGER,
    max_l2_da   INTEGER,
    max_l3_da   INTEGER,
    avg_power_w INTEGER,
    energy_wh   INTEGER NOT NULL,
    charging_s  INTEGER NOT NULL,
    target_a    INTEGER,
    limit_da    INTEGER,
    simulated   INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
    PRIMARY KEY (charger_id, start_s)
) WITHOUT ROWID;
CREATE INDEX history_buckets_start ON history_buckets (start_s);

-- One row per charger: its last reading as the pages show it (JSON of
-- the plugs and the target, or of the problem that stopped the reading).
CREATE TABLE latest_readings (
    charger_id INTEGER PRIMARY KEY,
    read_at    TEXT NOT NULL,
    plugs      TEXT,
    settings   TEXT,
    problem    TEXT,
    -- The verdict on the target in force at that reading, if any.
    finding    TEXT
);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);

-- A verdict on a target is an audit row of its own, linked to the set it
-- judges: appended, never updated, and covered by the chain.
ALTER TABLE audit_events ADD COLUMN refers_to INTEGER;
ALTER TABLE audit_events ADD COLUMN verdict TEXT;
CREATE INDEX audit_events_refers_to ON audit_events (refers_to, id) WHERE refers_to IS NOT NULL;

DROP TRIGGER audit_events_complete_once;
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
  OR NEW.refers_to IS NOT OLD.refers_to
  OR NEW.verdict IS NOT OLD.verdict
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: only a pending outcome may be completed, once');
END;
