-- PostgreSQL only: rebuilds the change counters of a database migrated with an earlier text
-- of 0005. SQLite has no change counters.
SELECT 1;
