-- PostgreSQL only: instances sharing a PostgreSQL database keep read caches checked against
-- a change counter. A SQLite file is served by one instance, which reads it directly.
SELECT 1;
