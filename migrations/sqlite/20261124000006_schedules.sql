-- Recurring current limits (#13). A schedule stores wall-clock times and an
-- IANA zone, never a UTC instant (src/schedule/occurrence.rs turns them into
-- instants, across DST). It belongs to one charger or to a whole site.
-- Deleting one is a soft delete: its claims, and the engine's duty to
-- withdraw a target it sent, outlive it.

ALTER TABLE sites ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Zurich';
-- What the site's supply may carry, ampere per phase; NULL: not known.
ALTER TABLE sites ADD COLUMN supply_limit INTEGER CHECK (supply_limit IS NULL OR supply_limit BETWEEN 1 AND 100000);

CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    charger_id    INTEGER REFERENCES chargers (id),
    site_id       INTEGER REFERENCES sites (id),
    -- Weekdays as bits, Monday = 1 … Sunday = 64.
    days          INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    start_time    TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time      TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    time_zone     TEXT NOT NULL CHECK (length(time_zone) > 0),
    current       INTEGER NOT NULL CHECK (current BETWEEN 0 AND 80),
    valid_from    TEXT,
    valid_to      TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- The engine's last failure (a typed Problem as JSON) and when.
    last_error    TEXT,
    last_error_at TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at    TEXT,
    CHECK ((charger_id IS NULL) <> (site_id IS NULL)),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);
CREATE INDEX schedules_charger ON schedules (charger_id) WHERE deleted_at IS NULL;
CREATE INDEX schedules_site ON schedules (site_id) WHERE deleted_at IS NULL;

-- One row per target the engine sent (or is sending): an occurrence of a
-- schedule on a charger, `round` 0 at its start and one more per renewal,
-- `manual_mark` the last hand-made change it follows (0: none, so it
-- resumes after one), and the planned current and end (an edit plans
-- anew). Written in the same transaction as the audit intent, so a
-- restart or a second engine never sends the same one twice; a claim
-- whose attempt failed may be taken again.
CREATE TABLE schedule_claims (
    schedule_id        INTEGER NOT NULL REFERENCES schedules (id),
    charger_id         INTEGER NOT NULL REFERENCES chargers (id),
    occurrence         TEXT NOT NULL,
    round              INTEGER NOT NULL,
    manual_mark        INTEGER NOT NULL,
    current            INTEGER NOT NULL,
    ends               TEXT NOT NULL,
    -- When the target sent expires.
    until              TEXT NOT NULL,
    audit_id           INTEGER NOT NULL REFERENCES audit_events (id),
    -- Set once the schedule was disabled or deleted while this target was
    -- in force: withdrawn (with the reset's audit row) or found replaced.
    withdrawn          INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    withdrawn_audit_id INTEGER REFERENCES audit_events (id),
    PRIMARY KEY (schedule_id, charger_id, occurrence, round, manual_mark, current, ends)
);
CREATE INDEX schedule_claims_until ON schedule_claims (until);
