-- The rollups' triggers write each statement's rows in one grouped upsert, in key order.
-- They took a change away and added it back in two statements: two writers moving work
-- between the same owner's months in opposite directions each held one row the other
-- wanted next, and PostgreSQL cancelled one of them as a deadlock. Rows locked in one
-- order by everyone cannot deadlock; a change that nets to nothing writes nothing.

-- Each commitment counted into its accountable owner's month.
CREATE OR REPLACE FUNCTION trellis_delivery_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
        SELECT owner, month, SUM(settled), SUM(on_time), SUM(open) FROM (
            SELECT accountable_id AS owner, substr(agreed_due_date, 1, 7) AS month,
                   -(CASE WHEN status <> 'open' THEN 1 ELSE 0 END) AS settled,
                   -(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END) AS on_time,
                   -(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open
            FROM old_rows
            WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
            UNION ALL
            SELECT accountable_id, substr(agreed_due_date, 1, 7),
                   CASE WHEN status <> 'open' THEN 1 ELSE 0 END,
                   CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END,
                   CASE WHEN status = 'open' THEN 1 ELSE 0 END
            FROM new_rows
            WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
        ) c
        GROUP BY owner, month
        HAVING SUM(settled) <> 0 OR SUM(on_time) <> 0 OR SUM(open) <> 0
        ORDER BY owner, month
        ON CONFLICT (owner_id, month) DO UPDATE SET
            settled = delivery_months.settled + EXCLUDED.settled,
            on_time = delivery_months.on_time + EXCLUDED.on_time,
            open = delivery_months.open + EXCLUDED.open;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
        SELECT accountable_id, substr(agreed_due_date, 1, 7),
               SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
        FROM new_rows
        WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (owner_id, month) DO UPDATE SET
            settled = delivery_months.settled + EXCLUDED.settled,
            on_time = delivery_months.on_time + EXCLUDED.on_time,
            open = delivery_months.open + EXCLUDED.open;
    ELSE
        INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
        SELECT accountable_id, substr(agreed_due_date, 1, 7),
               -SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
               -SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
               -SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
        FROM old_rows
        WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (owner_id, month) DO UPDATE SET
            settled = delivery_months.settled + EXCLUDED.settled,
            on_time = delivery_months.on_time + EXCLUDED.on_time,
            open = delivery_months.open + EXCLUDED.open;
    END IF;
    RETURN NULL;
END $$;

-- delivery_months' rows as the organisation's shards, with the same rule.
CREATE OR REPLACE FUNCTION trellis_delivery_org_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
        SELECT month, shard, SUM(settled), SUM(on_time), SUM(open) FROM (
            SELECT month, owner_id % 16 AS shard, -settled AS settled, -on_time AS on_time,
                   -open AS open
            FROM old_rows
            UNION ALL
            SELECT month, owner_id % 16, settled, on_time, open FROM new_rows
        ) c
        GROUP BY month, shard
        HAVING SUM(settled) <> 0 OR SUM(on_time) <> 0 OR SUM(open) <> 0
        ORDER BY month, shard
        ON CONFLICT (month, shard) DO UPDATE SET
            settled = delivery_org_months.settled + EXCLUDED.settled,
            on_time = delivery_org_months.on_time + EXCLUDED.on_time,
            open = delivery_org_months.open + EXCLUDED.open;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
        SELECT month, owner_id % 16, SUM(settled), SUM(on_time), SUM(open)
        FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (month, shard) DO UPDATE SET
            settled = delivery_org_months.settled + EXCLUDED.settled,
            on_time = delivery_org_months.on_time + EXCLUDED.on_time,
            open = delivery_org_months.open + EXCLUDED.open;
    ELSE
        INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
        SELECT month, owner_id % 16, -SUM(settled), -SUM(on_time), -SUM(open)
        FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (month, shard) DO UPDATE SET
            settled = delivery_org_months.settled + EXCLUDED.settled,
            on_time = delivery_org_months.on_time + EXCLUDED.on_time,
            open = delivery_org_months.open + EXCLUDED.open;
    END IF;
    RETURN NULL;
END $$;

-- The trailing windows (migration 34), with the same rule.
CREATE OR REPLACE FUNCTION trellis_trailing_windows() RETURNS trigger LANGUAGE plpgsql AS $$
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
        ORDER BY days, owner
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
        ORDER BY owner
        ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + EXCLUDED.hours;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO delivery_windows (days, owner_id, due, on_time)
        SELECT s.days, n.accountable_id, COUNT(*),
               SUM(CASE WHEN n.status = 'done' AND n.completed_on <= n.agreed_due_date THEN 1 ELSE 0 END)
        FROM new_rows n
        JOIN delivery_window_spans s ON n.agreed_due_date >= s.first AND n.agreed_due_date <= s.last
        WHERE n.accountable_id IS NOT NULL AND (n.status <> 'cancelled' OR n.cancel_counts = 1)
        GROUP BY s.days, n.accountable_id
        ORDER BY s.days, n.accountable_id
        ON CONFLICT (days, owner_id) DO UPDATE SET
            due = delivery_windows.due + EXCLUDED.due,
            on_time = delivery_windows.on_time + EXCLUDED.on_time;
        INSERT INTO open_effort (owner_id, hours)
        SELECT n.owner_id, SUM(n.remaining_hours)
        FROM new_rows n JOIN open_effort_span s ON n.due_date <= s.last
        WHERE n.status = 'open'
        GROUP BY n.owner_id
        ORDER BY n.owner_id
        ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + EXCLUDED.hours;
    ELSE
        INSERT INTO delivery_windows (days, owner_id, due, on_time)
        SELECT s.days, o.accountable_id, -COUNT(*),
               -SUM(CASE WHEN o.status = 'done' AND o.completed_on <= o.agreed_due_date THEN 1 ELSE 0 END)
        FROM old_rows o
        JOIN delivery_window_spans s ON o.agreed_due_date >= s.first AND o.agreed_due_date <= s.last
        WHERE o.accountable_id IS NOT NULL AND (o.status <> 'cancelled' OR o.cancel_counts = 1)
        GROUP BY s.days, o.accountable_id
        ORDER BY s.days, o.accountable_id
        ON CONFLICT (days, owner_id) DO UPDATE SET
            due = delivery_windows.due + EXCLUDED.due,
            on_time = delivery_windows.on_time + EXCLUDED.on_time;
        INSERT INTO open_effort (owner_id, hours)
        SELECT o.owner_id, -SUM(o.remaining_hours)
        FROM old_rows o JOIN open_effort_span s ON o.due_date <= s.last
        WHERE o.status = 'open'
        GROUP BY o.owner_id
        ORDER BY o.owner_id
        ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + EXCLUDED.hours;
    END IF;
    RETURN NULL;
END $$;
