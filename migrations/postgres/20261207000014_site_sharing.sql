-- Sharing a site's supply among the cars charging now (#40): per site,
-- whether the dashboard shares its supply limit and the least each
-- charging car gets (0, or 6 to 32 A); per charger, its priority. The
-- allocation each managed charger was last given is kept, so an instance
-- that takes the sampler's lease over continues from it.
ALTER TABLE sites ADD COLUMN sharing BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sites ADD COLUMN share_minimum BIGINT NOT NULL DEFAULT 6
    CHECK (share_minimum = 0 OR share_minimum BETWEEN 6 AND 32);
ALTER TABLE chargers ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('high', 'normal', 'low'));

CREATE TABLE share_allocations (
    charger_id BIGINT PRIMARY KEY REFERENCES chargers (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amps BIGINT,
    sent_until_ms BIGINT,
    arrived_ms BIGINT,
    share TEXT NOT NULL,
    unserved BOOLEAN NOT NULL DEFAULT FALSE,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX share_allocations_site ON share_allocations (site_id);
