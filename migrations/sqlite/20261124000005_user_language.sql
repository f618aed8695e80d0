-- The language a user chose in the header (en, de, fr); NULL follows the
-- browser's Accept-Language. Values outside the set are refused here too.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'de', 'fr'));
