-- The organisation's delivery counts per calendar month, summed from delivery_months by
-- triggers in the same transaction: the dashboard's trend over everyone reads a few rows
-- per month instead of one per person. Rows are spread over sixteen shards by owner so
-- that concurrent writers on PostgreSQL do not all wait on one row; readers sum them.
CREATE TABLE delivery_org_months (
    month   TEXT NOT NULL,
    shard   INTEGER NOT NULL,
    settled INTEGER NOT NULL DEFAULT 0,
    on_time INTEGER NOT NULL DEFAULT 0,
    open    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, shard)
) WITHOUT ROWID;

INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
SELECT month, owner_id % 16, SUM(settled), SUM(on_time), SUM(open)
FROM delivery_months GROUP BY month, owner_id % 16;

CREATE TRIGGER delivery_org_months_insert AFTER INSERT ON delivery_months
BEGIN
    INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
    VALUES (NEW.month, NEW.owner_id % 16, NEW.settled, NEW.on_time, NEW.open)
    ON CONFLICT (month, shard) DO UPDATE SET settled = settled + excluded.settled,
        on_time = on_time + excluded.on_time, open = open + excluded.open;
END;

CREATE TRIGGER delivery_org_months_update AFTER UPDATE ON delivery_months
BEGIN
    UPDATE delivery_org_months SET settled = settled - OLD.settled,
        on_time = on_time - OLD.on_time, open = open - OLD.open
    WHERE month = OLD.month AND shard = OLD.owner_id % 16;
    INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
    VALUES (NEW.month, NEW.owner_id % 16, NEW.settled, NEW.on_time, NEW.open)
    ON CONFLICT (month, shard) DO UPDATE SET settled = settled + excluded.settled,
        on_time = on_time + excluded.on_time, open = open + excluded.open;
END;

CREATE TRIGGER delivery_org_months_delete AFTER DELETE ON delivery_months
BEGIN
    UPDATE delivery_org_months SET settled = settled - OLD.settled,
        on_time = on_time - OLD.on_time, open = open - OLD.open
    WHERE month = OLD.month AND shard = OLD.owner_id % 16;
END;
