-- See migrations/sqlite/20261206000008_history.sql.

CREATE TABLE status_samples (
    charger_id BIGINT NOT NULL,
    at_ms      BIGINT NOT NULL,
    plug       BIGINT NOT NULL,
    status     TEXT NOT NULL,
    l1_da      BIGINT,
    l2_da      BIGINT,
    l3_da      BIGINT,
    power_w    BIGINT,
    limit_da   BIGINT,
    target_a   BIGINT,
    simulated  BIGINT NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
    PRIMARY KEY (charger_id, at_ms, plug)
);
CREATE INDEX status_samples_at ON status_samples (at_ms);

CREATE TABLE history_buckets (
    charger_id  BIGINT NOT NULL,
    start_s     BIGINT NOT NULL CHECK (start_s % 900 = 0),
    samples     BIGINT NOT NULL,
    avg_l1_da   BIGINT,
    avg_l2_da   BIGINT,
    avg_l3_da   BIGINT,
    max_l1_da   BIGINT,
    max_l2_da   BIGINT,
    max_l3_da   BIGINT,
    avg_power_w BIGINT,
    energy_wh   BIGINT NOT NULL,
    charging_s  BIGINT NOT NULL,
    target_a    BIGINT,
    limit_da    BIGINT,
    simulated   BIGINT NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
    PRIMARY KEY (charger_id, start_s)
);
CREATE INDEX history_buckets_start ON history_buckets (start_s);

CREATE TABLE latest_readings (
    charger_id BIGINT PRIMARY KEY,
    read_at    TEXT NOT NULL,
    plugs      TEXT,
    settings   TEXT,
    problem    TEXT,
    finding    TEXT
);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);

ALTER TABLE audit_events ADD COLUMN refers_to BIGINT;
ALTER TABLE audit_events ADD COLUMN verdict TEXT;
CREATE INDEX audit_events_refers_to ON audit_events (refers_to, id) WHERE refers_to IS NOT NULL;

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit events are append-only: they cannot be deleted';
    END IF;
    IF OLD.outcome <> 'pending'
       OR NEW.outcome = 'pending'
       OR OLD.outcome_hash IS NOT NULL
       OR NEW.outcome_hash IS NULL
       OR (NEW.id, NEW.at, NEW.actor_id, NEW.actor, NEW.action, NEW.charger_id,
           NEW.charger_name, NEW.subject, NEW.requested_current, NEW.requested_duration,
           NEW.request_id, NEW.client_ip, NEW.batch_id, NEW.prev_hash, NEW.hash,
           NEW.refers_to, NEW.verdict)
          IS DISTINCT FROM
          (OLD.id, OLD.at, OLD.actor_id, OLD.actor, OLD.action, OLD.charger_id,
           OLD.charger_name, OLD.subject, OLD.requested_current, OLD.requested_duration,
           OLD.request_id, OLD.client_ip, OLD.batch_id, OLD.prev_hash, OLD.hash,
           OLD.refers_to, OLD.verdict)
    THEN
        RAISE EXCEPTION 'audit events are append-only: only a pending outcome may be completed, once';
    END IF;
    RETURN NEW;
END $$;
