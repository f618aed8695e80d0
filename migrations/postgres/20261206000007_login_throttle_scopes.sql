-- See migrations/sqlite/20261206000007_login_throttle_scopes.sql.
DROP TABLE login_throttle;

CREATE TABLE login_throttle (
    scope           TEXT NOT NULL CHECK (scope IN ('source', 'account', 'address')),
    username        TEXT NOT NULL,
    source          TEXT NOT NULL,
    failures        BIGINT NOT NULL DEFAULT 0 CHECK (failures >= 0),
    refused         BIGINT NOT NULL DEFAULT 0 CHECK (refused >= 0),
    next_allowed_at TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    reported_at     TEXT NOT NULL,
    PRIMARY KEY (scope, username, source)
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

CREATE TABLE login_known_sources (
    username      TEXT NOT NULL,
    source        TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (username, source)
);
