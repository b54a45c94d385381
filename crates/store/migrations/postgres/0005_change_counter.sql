-- A change counter for the read caches of the instances sharing this database. Every
-- transaction that writes to a table (but those listed below) adds one to it as it commits,
-- in the same transaction as its data. An instance that reads the same value as when it
-- cached something therefore knows that nothing was written since.
--
-- The addition is deferred to commit time, so the counter's row is the last lock a writer
-- takes and is held only while it commits: writers cannot deadlock on it.
CREATE TABLE change_counter (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- One row per writing transaction, removed again as it commits: inserting it is what
-- schedules the deferred addition.
CREATE TABLE change_counter_pending (id BIGSERIAL PRIMARY KEY);

CREATE FUNCTION trellis_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction (the setting is local to it).
    IF current_setting('trellis.changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.changed', 'yes', true);
        INSERT INTO change_counter_pending DEFAULT VALUES;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION trellis_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    DELETE FROM change_counter_pending WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER count_change AFTER INSERT ON change_counter_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trellis_count_change();

-- Every table but the counter's own, the migrations, and the busy tables no cache reads
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
            'CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change()', t.tablename);
    END LOOP;
END $$;
