-- The organisation's delivery counts per calendar month, summed from delivery_months by
-- triggers in the same transaction: the dashboard's trend over everyone reads a few rows
-- per month instead of one per person. Rows are spread over sixteen shards by owner so
-- that concurrent writers do not all wait on one row; readers sum them.
CREATE TABLE delivery_org_months (
    month   TEXT NOT NULL,
    shard   BIGINT NOT NULL,
    settled BIGINT NOT NULL DEFAULT 0,
    on_time BIGINT NOT NULL DEFAULT 0,
    open    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, shard)
);

INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
SELECT month, owner_id % 16, SUM(settled), SUM(on_time), SUM(open)
FROM delivery_months GROUP BY month, owner_id % 16;

CREATE FUNCTION trellis_delivery_org_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE delivery_org_months d SET settled = d.settled - o.settled,
            on_time = d.on_time - o.on_time, open = d.open - o.open
        FROM (SELECT month, owner_id % 16 AS shard, SUM(settled) AS settled,
                     SUM(on_time) AS on_time, SUM(open) AS open
              FROM old_rows GROUP BY 1, 2) o
        WHERE d.month = o.month AND d.shard = o.shard;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
        SELECT month, owner_id % 16, SUM(settled), SUM(on_time), SUM(open)
        FROM new_rows GROUP BY 1, 2
        ON CONFLICT (month, shard) DO UPDATE SET
            settled = delivery_org_months.settled + EXCLUDED.settled,
            on_time = delivery_org_months.on_time + EXCLUDED.on_time,
            open = delivery_org_months.open + EXCLUDED.open;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER delivery_org_months_insert AFTER INSERT ON delivery_months
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_org_months();
CREATE TRIGGER delivery_org_months_update AFTER UPDATE ON delivery_months
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_org_months();
CREATE TRIGGER delivery_org_months_delete AFTER DELETE ON delivery_months
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_delivery_org_months();

CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON delivery_org_months
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
