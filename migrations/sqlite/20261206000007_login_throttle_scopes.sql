-- The login throttle counts failures in three scopes (src/auth/throttle.rs):
-- one username from one source (an address, an IPv6 /64, or a known
-- browser), one username from every unknown source together, and one
-- address for every username together. Throttle rows are short-lived
-- state, so the old table is replaced rather than converted.
DROP TABLE login_throttle;

CREATE TABLE login_throttle (
    -- `ThrottleScope`: source | account | address.
    scope           TEXT NOT NULL CHECK (scope IN ('source', 'account', 'address')),
    -- Lower-cased; empty in the address scope.
    username        TEXT NOT NULL,
    -- An address, `2001:db8::/64`, or `device:ID`; empty in the account scope.
    source          TEXT NOT NULL,
    -- Attempts counted as failed (reserved before the password is checked).
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    -- Attempts refused while throttled, not yet summarised in the audit.
    refused         INTEGER NOT NULL DEFAULT 0 CHECK (refused >= 0),
    next_allowed_at TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- When refusals were last summarised: at most one row a minute each.
    reported_at     TEXT NOT NULL,
    PRIMARY KEY (scope, username, source)
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- Where each account has logged in from: such an address keeps its own
-- allowance while the account is throttled for everyone else.
CREATE TABLE login_known_sources (
    username      TEXT NOT NULL,
    source        TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (username, source)
);
