-- Sites group chargers; chargers hold the CLEMAP address and the sealed
-- evsetoken (XChaCha20-Poly1305, see src/vault.rs). Deleting a charger is a
-- soft delete that also wipes its sealed token, so the audit history can
-- still name it while the secret is gone.

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE chargers (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
    site_id          INTEGER NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
    edge_device_id   TEXT NOT NULL CHECK (length(edge_device_id) > 0),
    evse_uuid        TEXT NOT NULL CHECK (length(evse_uuid) > 0),
    min_current      INTEGER NOT NULL DEFAULT 6 CHECK (min_current BETWEEN 0 AND 80),
    max_current      INTEGER NOT NULL DEFAULT 32 CHECK (max_current BETWEEN 0 AND 80),
    notes            TEXT,
    token_ciphertext BLOB,
    token_nonce      BLOB,
    token_key_id     TEXT,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at       TEXT,
    CHECK (min_current <= max_current),
    -- A live charger always has a sealed token; a deleted one never does.
    CHECK ((deleted_at IS NULL) = (token_ciphertext IS NOT NULL AND token_nonce IS NOT NULL AND token_key_id IS NOT NULL))
);

-- One live registration per CLEMAP station.
CREATE UNIQUE INDEX chargers_live_address ON chargers (edge_device_id, evse_uuid)
    WHERE deleted_at IS NULL;
CREATE INDEX chargers_site ON chargers (site_id);
