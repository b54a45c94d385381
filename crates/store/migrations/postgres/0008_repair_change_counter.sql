-- Repair: migration 0005 was rewritten after it had shipped (one counter; then four areas;
-- then 16 stripes per area; then sessions' renewals left out), so a database migrated with an
-- earlier text counts changes otherwise than this Trellis expects. This rebuilds the change
-- counters as today's 0005 makes them, whichever text was applied. The counters restart
-- above every value they held, so no instance's cache can mistake them for an old value.
CREATE TEMPORARY TABLE repair_counter_start ON COMMIT DROP AS
    SELECT COALESCE(SUM(value), 0) + 1 AS value FROM change_counter;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g
        JOIN pg_class c ON c.oid = g.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE g.tgname = 'note_change' AND n.nspname = current_schema()
    LOOP
        EXECUTE format('DROP TRIGGER note_change ON %I', t.relname);
    END LOOP;
END $$;
DROP TABLE change_counter_pending CASCADE;
DROP TABLE change_counter;
DROP FUNCTION trellis_note_change();
DROP FUNCTION trellis_count_change();

-- From here on, today's 0005 (kept apart from it: an applied migration is never edited).
-- Change counters for the read caches of the instances sharing this database. Every
-- transaction that writes to a table adds one to its area's counter as it commits, in the
-- same transaction as its data. An instance that reads the same values as when it cached
-- something therefore knows that nothing it depends on was written since.
--
-- Areas keep busy writes apart from what the caches hold: a session renewed or a
-- commitment updated does not empty the cache of person pages.
--   org       people, teams, levels, skills, accounts, settings (person pages, org chart)
--   sessions  sessions and API tokens (who is signed in)
--   mentoring mentorships (the person page's mentoring card)
--   other     everything else
--
-- The additions are deferred to commit time and take the counters' row locks in one fixed
-- order, as the last locks a writer takes, held only while it commits: writers cannot
-- deadlock on them. Each area's count is the sum of 16 stripes, and a writer adds to the
-- stripe of its connection, so that writers on different connections do not queue behind
-- each other's commits.
CREATE TABLE change_counter (
    area TEXT NOT NULL,
    stripe SMALLINT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (area, stripe)
);
INSERT INTO change_counter (area, stripe, value)
    SELECT area, stripe, 0
    FROM unnest(ARRAY['org', 'sessions', 'mentoring', 'other']) AS area,
         generate_series(0, 15) AS stripe;

-- One row per writing transaction, naming the areas it wrote to, removed again as it
-- commits: inserting it is what schedules the deferred additions.
CREATE TABLE change_counter_pending (
    id BIGSERIAL PRIMARY KEY,
    areas TEXT[] NOT NULL
);

CREATE FUNCTION trellis_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    area TEXT := TG_ARGV[0];
    pending TEXT;
    new_id BIGINT;
BEGIN
    -- Once per area and transaction (these settings are local to the transaction).
    IF current_setting('trellis.changed_' || area, true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.changed_' || area, 'yes', true);
        pending := current_setting('trellis.pending_change', true);
        IF pending IS NULL OR pending = '' THEN
            INSERT INTO change_counter_pending (areas) VALUES (ARRAY[area]) RETURNING id INTO new_id;
            PERFORM set_config('trellis.pending_change', new_id::text, true);
        ELSE
            UPDATE change_counter_pending SET areas = array_append(areas, area)
                WHERE id = pending::BIGINT;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION trellis_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written TEXT[];
    mine SMALLINT := pg_backend_pid() % 16;
BEGIN
    SELECT areas INTO written FROM change_counter_pending WHERE id = NEW.id;
    PERFORM 1 FROM change_counter WHERE area = ANY (written) AND stripe = mine
        ORDER BY area FOR UPDATE;
    UPDATE change_counter SET value = value + 1 WHERE area = ANY (written) AND stripe = mine;
    DELETE FROM change_counter_pending WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER count_change AFTER INSERT ON change_counter_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trellis_count_change();

-- Every table but the counters' own, the migrations, and the busy tables no cache reads
-- (the job queue, failed sign-ins, the audit log). A later migration that adds a table
-- adds this trigger to it; a store test checks that none is missing.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema()
          AND tablename NOT IN ('change_counter', 'change_counter_pending', 'trellis_migrations',
                                'jobs', 'failed_sign_ins', 'audit_log')
    LOOP
        EXECUTE format(
            'CREATE TRIGGER note_change AFTER %s ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change(%L)',
            -- A session's sliding expiry (its only update) is not a change: every instance
            -- renews on its own and checks the expiry where it reads it.
            CASE WHEN t.tablename = 'sessions' THEN 'INSERT OR DELETE OR TRUNCATE'
                 ELSE 'INSERT OR UPDATE OR DELETE OR TRUNCATE' END,
            t.tablename,
            CASE
                WHEN t.tablename IN ('people', 'teams', 'job_levels', 'skills', 'person_skills',
                                     'accounts', 'settings') THEN 'org'
                WHEN t.tablename IN ('sessions', 'api_tokens') THEN 'sessions'
                WHEN t.tablename = 'mentorships' THEN 'mentoring'
                ELSE 'other'
            END);
    END LOOP;
END $$;

UPDATE change_counter SET value = (SELECT value FROM repair_counter_start) WHERE stripe = 0;
