-- Login throttling per username *and* client address, with exponential
-- backoff (src/auth/throttle.rs). It replaces the hard lockout per username
-- or per address, which let anyone lock anyone out.
DROP TABLE login_failures;

CREATE TABLE login_throttle (
    username        TEXT NOT NULL COLLATE NOCASE,
    ip              TEXT NOT NULL,
    -- Attempts counted as failed (reserved before the password is checked).
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    -- Attempts refused while throttled, not yet summarised in the audit.
    refused         INTEGER NOT NULL DEFAULT 0 CHECK (refused >= 0),
    next_allowed_at TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (username, ip)
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- A session is valid only while its user's epoch is the one it was made
-- with: a password change, an admin reset, a role change or disabling the
-- account bumps it and so ends every session of that user.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
