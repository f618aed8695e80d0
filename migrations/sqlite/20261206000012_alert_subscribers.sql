-- Alerts (#31), second part: each user may subscribe their own address to
-- the sites they pick, with quiet hours; a mail goes out in a language.

-- `user_id`: a user's own subscription (an admin's have none). `sites`: a
-- comma-separated list of site ids, empty for all. `language`: for an
-- address an admin added (a user's own follows the user's choice).
-- `quiet_from`/`quiet_until`: minutes since local midnight in the site's
-- zone, both or neither.
ALTER TABLE alert_subscriptions ADD COLUMN user_id INTEGER REFERENCES users (id);
ALTER TABLE alert_subscriptions ADD COLUMN sites TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_subscriptions ADD COLUMN language TEXT CHECK (language IN ('en', 'de', 'fr'));
ALTER TABLE alert_subscriptions ADD COLUMN quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 1439);
ALTER TABLE alert_subscriptions ADD COLUMN quiet_until INTEGER CHECK (quiet_until BETWEEN 0 AND 1439);
CREATE INDEX alert_subscriptions_user ON alert_subscriptions (user_id);

-- An episode whose alert the 15-minute rule held back: raised again once
-- the quarter hour has passed (its hold counted once).
ALTER TABLE alert_episodes ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));

-- A delivery's subject (`charger:7`), so news that a charger is back can
-- withdraw its offline alert still waiting in quiet hours; and when it
-- was first due, from which its 24 hours of retries count.
ALTER TABLE alert_deliveries ADD COLUMN subject TEXT;
ALTER TABLE alert_deliveries ADD COLUMN due_ms INTEGER;
