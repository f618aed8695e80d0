-- Alerts (#31): who gets which alerts, what is going wrong right now, and
-- the outbox of deliveries (it survives restarts; several instances claim
-- rows in it, so each alert goes out once).

-- A webhook's signing secret is sealed like an evsetoken (src/vault.rs,
-- bound to its row); an e-mail subscription has none. `events` is a
-- comma-separated list of alert events, empty for all.
CREATE TABLE alert_subscriptions (
    id                INTEGER PRIMARY KEY,
    channel           TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    target            TEXT NOT NULL CHECK (length(target) BETWEEN 3 AND 2048),
    events            TEXT NOT NULL DEFAULT '',
    secret_ciphertext BLOB,
    secret_nonce      BLOB,
    secret_key_id     TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    removed_at        TEXT,
    CHECK ((channel = 'webhook') = (secret_ciphertext IS NOT NULL))
);

-- What is wrong now, per event and subject (`charger:7`, `site:2`,
-- `audit`): since when, and whether its alert went out. A row ends with
-- the episode.
CREATE TABLE alert_episodes (
    event    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    alerted  INTEGER NOT NULL DEFAULT 0 CHECK (alerted IN (0, 1)),
    PRIMARY KEY (event, subject)
);

-- The last alert per event and subject, for "at most one per 15 minutes",
-- with how many were held back since.
CREATE TABLE alert_sent (
    event        TEXT NOT NULL,
    subject      TEXT NOT NULL,
    last_sent_ms INTEGER NOT NULL,
    suppressed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event, subject)
);

-- Where the detector is in the audit trail (the last id it read).
CREATE TABLE alert_cursor (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- One row per alert and subscription. `facts` is the alert as data (JSON),
-- worded at delivery in the recipient's language; `delivery_id` goes with
-- every attempt. A claim (`claimed_until_ms`) keeps other instances off a
-- row while one delivers it.
CREATE TABLE alert_deliveries (
    id               INTEGER PRIMARY KEY,
    delivery_id      TEXT NOT NULL UNIQUE,
    subscription_id  INTEGER NOT NULL REFERENCES alert_subscriptions (id),
    event            TEXT NOT NULL,
    facts            TEXT NOT NULL,
    created_ms       INTEGER NOT NULL,
    next_attempt_ms  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    last_error       TEXT,
    claimed_until_ms INTEGER,
    done_ms          INTEGER
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_ms);
CREATE INDEX alert_deliveries_created ON alert_deliveries (created_ms);
