-- Charging sessions (#42), derived from the samples by the sampler's
-- lease holder: one row per car on a plug, from the first reading that
-- says a vehicle is connected or charging to the first that says the plug
-- is free (or the last one that saw the car, when the charger stayed
-- unreadable longer than `--offline-after`). A row with no end is a
-- session in progress; its running totals are advanced each round only
-- from the reading it last took in (`seen_ms`), so repeating a round, a
-- restart or another instance taking the lease over never counts twice.
-- Times are Unix milliseconds, currents deciampere, like the samples.
CREATE TABLE charging_sessions (
    id                INTEGER PRIMARY KEY,
    charger_id        INTEGER NOT NULL,
    plug              INTEGER NOT NULL CHECK (plug >= 0),
    started_ms        INTEGER NOT NULL,
    ended_ms          INTEGER,
    end_reason        TEXT CHECK (end_reason IN ('unplugged', 'unreadable')),
    -- The newest reading taken in (while the car was seen), and its power:
    -- where the next round's trapezoid starts.
    seen_ms           INTEGER NOT NULL,
    seen_power_w      INTEGER,
    -- Integrated as the roll-ups do, in milliwatt-hours (no rounding
    -- drift over hundreds of rounds).
    energy_mwh        INTEGER NOT NULL DEFAULT 0,
    peak_da           INTEGER,
    -- The highest phase summed over the readings that were charging, and
    -- how many: the average current while charging.
    charging_da_sum   INTEGER NOT NULL DEFAULT 0,
    charging_readings INTEGER NOT NULL DEFAULT 0,
    -- A target was in force at some reading of the session.
    limited           INTEGER NOT NULL DEFAULT 0 CHECK (limited IN (0, 1)),
    simulated         INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
    CHECK ((ended_ms IS NULL) = (end_reason IS NULL)),
    UNIQUE (charger_id, plug, started_ms)
);
-- At most one session in progress per plug, whoever detects it.
CREATE UNIQUE INDEX charging_sessions_open ON charging_sessions (charger_id, plug)
    WHERE ended_ms IS NULL;
-- Newest first, for the Sessions page and the charger page.
CREATE INDEX charging_sessions_started ON charging_sessions (started_ms, id);
CREATE INDEX charging_sessions_charger ON charging_sessions (charger_id, started_ms, id);
