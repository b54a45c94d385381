-- Delivery counts per accountable owner and calendar month of the agreed due date, kept
-- by triggers in the same transaction as every change to commitments. The delivery
-- report, the dashboard and the scorecards sum whole months from here and read only the
-- days at a window's edges (and the current month, whose open work is not yet decided)
-- from commitments. Rows count only work that can count: cancelled work only when its
-- owner cancelled it late.
CREATE TABLE delivery_months (
    owner_id BIGINT NOT NULL,
    month    TEXT NOT NULL,
    -- done, or cancelled late by the owner
    settled  BIGINT NOT NULL DEFAULT 0,
    -- done on or before the agreed due date
    on_time  BIGINT NOT NULL DEFAULT 0,
    open     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, month)
);

INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
SELECT accountable_id, substr(agreed_due_date, 1, 7),
       SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
FROM commitments
WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
GROUP BY accountable_id, substr(agreed_due_date, 1, 7);

-- Statement triggers with transition tables: a bulk insert or update adds its rows in
-- one grouped statement rather than one call per row.
CREATE FUNCTION trellis_delivery_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE delivery_months d SET settled = d.settled - o.settled,
            on_time = d.on_time - o.on_time, open = d.open - o.open
        FROM (SELECT accountable_id, substr(agreed_due_date, 1, 7) AS month,
                     SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END) AS settled,
                     SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END) AS on_time,
                     SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open
              FROM old_rows
              WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
              GROUP BY 1, 2) o
        WHERE d.owner_id = o.accountable_id AND d.month = o.month;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
        SELECT accountable_id, substr(agreed_due_date, 1, 7),
               SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
        FROM new_rows
        WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
        GROUP BY 1, 2
        ON CONFLICT (owner_id, month) DO UPDATE SET
            settled = delivery_months.settled + EXCLUDED.settled,
            on_time = delivery_months.on_time + EXCLUDED.on_time,
            open = delivery_months.open + EXCLUDED.open;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER delivery_months_insert AFTER INSERT ON commitments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_months();
CREATE TRIGGER delivery_months_update AFTER UPDATE ON commitments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_months();
CREATE TRIGGER delivery_months_delete AFTER DELETE ON commitments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_months();

CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON delivery_months
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
