-- Nothing to change on SQLite: its index on (at) ends in the rowid, which
-- is `id`, so `ORDER BY at, id LIMIT 1` is one seek already. This file
-- keeps the two folders at the same version (migrations/README.md); the
-- PostgreSQL step adds the index (at, id).
SELECT 1;
