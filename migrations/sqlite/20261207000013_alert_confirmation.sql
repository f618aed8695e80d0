-- A user's own address gets nothing but its confirmation mail until the
-- link in that mail is followed (double opt-in, #37). `confirmed_at`: when
-- it was; an address an admin or the CLI added is confirmed when added.
-- Every subscription made before this stays in force.
ALTER TABLE alert_subscriptions ADD COLUMN confirmed_at TEXT;
UPDATE alert_subscriptions SET confirmed_at = created_at;
