-- Sharing a site's supply among the cars charging now (#40): per site,
-- whether the dashboard shares its supply limit and the least each
-- charging car gets (0, or 6 to 32 A); per charger, its priority. The
-- allocation each managed charger was last given is kept, so an instance
-- that takes the sampler's lease over continues from it.
ALTER TABLE sites ADD COLUMN sharing INTEGER NOT NULL DEFAULT 0 CHECK (sharing IN (0, 1));
ALTER TABLE sites ADD COLUMN share_minimum INTEGER NOT NULL DEFAULT 6
    CHECK (share_minimum = 0 OR share_minimum BETWEEN 6 AND 32);
ALTER TABLE chargers ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('high', 'normal', 'low'));

CREATE TABLE share_allocations (
    charger_id INTEGER PRIMARY KEY REFERENCES chargers (id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    -- The target last sent, and until when it holds (Unix ms).
    amps INTEGER,
    sent_until_ms INTEGER,
    -- When the car now charging was first seen charging (Unix ms): the
    -- order in which cars of one priority get their minimum.
    arrived_ms INTEGER,
    -- The last allocation as the page explains it (JSON).
    share TEXT NOT NULL,
    -- A charging car the supply could not give its minimum (the site is
    -- over-subscribed, alerted as `site_oversubscribed`).
    unserved INTEGER NOT NULL DEFAULT 0,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX share_allocations_site ON share_allocations (site_id);
