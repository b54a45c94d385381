-- PostgreSQL's rollup triggers now write in key order (see its migration 36). SQLite runs
-- one writer at a time and cannot deadlock: nothing changes here.
SELECT 1;
