-- Trailing windows kept per person, so that the dashboard and the reports over everyone
-- read one row per person and a day or two of commitments at each edge, instead of a
-- year of monthly rows.
--
-- delivery_windows: delivery counts per accountable owner over each span of
-- delivery_window_spans (90 and 365 days, ending yesterday once the worker has rolled
-- them). Every day of a span is before today, so every counted commitment due in it is
-- due: open ones are late.
--
-- open_effort: remaining hours of open work per owner due on or before the one span of
-- open_effort_span (today plus the workload horizon once rolled).
--
-- Triggers keep both in the same transaction as every change to commitments. The worker
-- moves the spans under an exclusive hold of advisory lock 7346001; the triggers take it
-- shared, so a change waits for a move and then counts against the spans it left.
CREATE TABLE delivery_window_spans (
    days  BIGINT PRIMARY KEY,
    first TEXT NOT NULL,
    last  TEXT NOT NULL
);

INSERT INTO delivery_window_spans (days, first, last)
SELECT d, to_char((now() AT TIME ZONE 'UTC')::date - d, 'YYYY-MM-DD'),
       to_char((now() AT TIME ZONE 'UTC')::date - 1, 'YYYY-MM-DD')
FROM (VALUES (90), (365)) AS v(d);

CREATE TABLE delivery_windows (
    days     BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    due      BIGINT NOT NULL DEFAULT 0,
    on_time  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (days, owner_id)
);

INSERT INTO delivery_windows (days, owner_id, due, on_time)
SELECT s.days, c.accountable_id, COUNT(*),
       SUM(CASE WHEN c.status = 'done' AND c.completed_on <= c.agreed_due_date THEN 1 ELSE 0 END)
FROM commitments c
JOIN delivery_window_spans s ON c.agreed_due_date >= s.first AND c.agreed_due_date <= s.last
WHERE c.accountable_id IS NOT NULL AND (c.status <> 'cancelled' OR c.cancel_counts = 1)
GROUP BY s.days, c.accountable_id;

CREATE TABLE open_effort_span (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    last TEXT NOT NULL
);

INSERT INTO open_effort_span (id, last)
VALUES (1, to_char((now() AT TIME ZONE 'UTC')::date + 14, 'YYYY-MM-DD'));

CREATE TABLE open_effort (
    owner_id BIGINT PRIMARY KEY,
    hours    DOUBLE PRECISION NOT NULL DEFAULT 0
);

INSERT INTO open_effort (owner_id, hours)
SELECT c.owner_id, SUM(c.remaining_hours)
FROM commitments c JOIN open_effort_span s ON c.due_date <= s.last
WHERE c.status = 'open'
GROUP BY c.owner_id;

-- Open work by due day, for the days between a horizon and the span.
CREATE INDEX commitments_open_due ON commitments (due_date, owner_id, remaining_hours)
    WHERE status = 'open';

-- One grouped statement per change, from its transition tables.
CREATE FUNCTION trellis_trailing_windows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7346001);
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO delivery_windows (days, owner_id, due, on_time)
        SELECT days, owner, SUM(due), SUM(on_time) FROM (
            SELECT s.days, o.accountable_id AS owner, -1 AS due,
                   -(CASE WHEN o.status = 'done' AND o.completed_on <= o.agreed_due_date THEN 1 ELSE 0 END) AS on_time
            FROM old_rows o
            JOIN delivery_window_spans s ON o.agreed_due_date >= s.first AND o.agreed_due_date <= s.last
            WHERE o.accountable_id IS NOT NULL AND (o.status <> 'cancelled' OR o.cancel_counts = 1)
            UNION ALL
            SELECT s.days, n.accountable_id, 1,
                   CASE WHEN n.status = 'done' AND n.completed_on <= n.agreed_due_date THEN 1 ELSE 0 END
            FROM new_rows n
            JOIN delivery_window_spans s ON n.agreed_due_date >= s.first AND n.agreed_due_date <= s.last
            WHERE n.accountable_id IS NOT NULL AND (n.status <> 'cancelled' OR n.cancel_counts = 1)
        ) c
        GROUP BY days, owner
        HAVING SUM(due) <> 0 OR SUM(on_time) <> 0
        ON CONFLICT (days, owner_id) DO UPDATE SET
            due = delivery_windows.due + EXCLUDED.due,
            on_time = delivery_windows.on_time + EXCLUDED.on_time;
        INSERT INTO open_effort (owner_id, hours)
        SELECT owner, SUM(hours) FROM (
            SELECT o.owner_id AS owner, -o.remaining_hours AS hours
            FROM old_rows o JOIN open_effort_span s ON o.due_date <= s.last
            WHERE o.status = 'open'
            UNION ALL
            SELECT n.owner_id, n.remaining_hours
            FROM new_rows n JOIN open_effort_span s ON n.due_date <= s.last
            WHERE n.status = 'open'
        ) c
        GROUP BY owner
        HAVING SUM(hours) <> 0
        ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + EXCLUDED.hours;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO delivery_windows (days, owner_id, due, on_time)
        SELECT s.days, n.accountable_id, COUNT(*),
               SUM(CASE WHEN n.status = 'done' AND n.completed_on <= n.agreed_due_date THEN 1 ELSE 0 END)
        FROM new_rows n
        JOIN delivery_window_spans s ON n.agreed_due_date >= s.first AND n.agreed_due_date <= s.last
        WHERE n.accountable_id IS NOT NULL AND (n.status <> 'cancelled' OR n.cancel_counts = 1)
        GROUP BY s.days, n.accountable_id
        ON CONFLICT (days, owner_id) DO UPDATE SET
            due = delivery_windows.due + EXCLUDED.due,
            on_time = delivery_windows.on_time + EXCLUDED.on_time;
        INSERT INTO open_effort (owner_id, hours)
        SELECT n.owner_id, SUM(n.remaining_hours)
        FROM new_rows n JOIN open_effort_span s ON n.due_date <= s.last
        WHERE n.status = 'open'
        GROUP BY n.owner_id
        ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + EXCLUDED.hours;
    ELSE
        UPDATE delivery_windows d SET due = d.due - o.due, on_time = d.on_time - o.on_time
        FROM (SELECT s.days, o.accountable_id AS owner, COUNT(*) AS due,
                     SUM(CASE WHEN o.status = 'done' AND o.completed_on <= o.agreed_due_date THEN 1 ELSE 0 END) AS on_time
              FROM old_rows o
              JOIN delivery_window_spans s ON o.agreed_due_date >= s.first AND o.agreed_due_date <= s.last
              WHERE o.accountable_id IS NOT NULL AND (o.status <> 'cancelled' OR o.cancel_counts = 1)
              GROUP BY s.days, o.accountable_id) o
        WHERE d.days = o.days AND d.owner_id = o.owner;
        UPDATE open_effort e SET hours = e.hours - o.hours
        FROM (SELECT o.owner_id, SUM(o.remaining_hours) AS hours
              FROM old_rows o JOIN open_effort_span s ON o.due_date <= s.last
              WHERE o.status = 'open'
              GROUP BY o.owner_id) o
        WHERE e.owner_id = o.owner_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER trailing_windows_insert AFTER INSERT ON commitments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_trailing_windows();
CREATE TRIGGER trailing_windows_update AFTER UPDATE ON commitments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_trailing_windows();
CREATE TRIGGER trailing_windows_delete AFTER DELETE ON commitments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_trailing_windows();

CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON delivery_windows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON open_effort
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON delivery_window_spans
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON open_effort_span
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
