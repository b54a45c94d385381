-- Delivery counts per accountable owner and calendar month of the agreed due date, kept
-- by triggers in the same transaction as every change to commitments. The delivery
-- report, the dashboard and the scorecards sum whole months from here and read only the
-- days at a window's edges (and the current month, whose open work is not yet decided)
-- from commitments. Rows count only work that can count: cancelled work only when its
-- owner cancelled it late.
CREATE TABLE delivery_months (
    owner_id INTEGER NOT NULL,
    month    TEXT NOT NULL,
    -- done, or cancelled late by the owner
    settled  INTEGER NOT NULL DEFAULT 0,
    -- done on or before the agreed due date
    on_time  INTEGER NOT NULL DEFAULT 0,
    open     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;

INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
SELECT accountable_id, substr(agreed_due_date, 1, 7),
       SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
FROM commitments
WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
GROUP BY accountable_id, substr(agreed_due_date, 1, 7);

CREATE TRIGGER delivery_months_insert AFTER INSERT ON commitments
WHEN NEW.accountable_id IS NOT NULL AND (NEW.status <> 'cancelled' OR NEW.cancel_counts = 1)
BEGIN
    INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
    VALUES (NEW.accountable_id, substr(NEW.agreed_due_date, 1, 7),
            CASE WHEN NEW.status <> 'open' THEN 1 ELSE 0 END,
            CASE WHEN NEW.status = 'done' AND NEW.completed_on <= NEW.agreed_due_date THEN 1 ELSE 0 END,
            CASE WHEN NEW.status = 'open' THEN 1 ELSE 0 END)
    ON CONFLICT (owner_id, month) DO UPDATE SET settled = settled + excluded.settled,
        on_time = on_time + excluded.on_time, open = open + excluded.open;
END;

CREATE TRIGGER delivery_months_delete AFTER DELETE ON commitments
WHEN OLD.accountable_id IS NOT NULL AND (OLD.status <> 'cancelled' OR OLD.cancel_counts = 1)
BEGIN
    UPDATE delivery_months SET
        settled = settled - CASE WHEN OLD.status <> 'open' THEN 1 ELSE 0 END,
        on_time = on_time - CASE WHEN OLD.status = 'done' AND OLD.completed_on <= OLD.agreed_due_date THEN 1 ELSE 0 END,
        open = open - CASE WHEN OLD.status = 'open' THEN 1 ELSE 0 END
    WHERE owner_id = OLD.accountable_id AND month = substr(OLD.agreed_due_date, 1, 7);
END;

CREATE TRIGGER delivery_months_update
AFTER UPDATE OF accountable_id, agreed_due_date, status, completed_on, cancel_counts ON commitments
BEGIN
    UPDATE delivery_months SET
        settled = settled - CASE WHEN OLD.status <> 'open' THEN 1 ELSE 0 END,
        on_time = on_time - CASE WHEN OLD.status = 'done' AND OLD.completed_on <= OLD.agreed_due_date THEN 1 ELSE 0 END,
        open = open - CASE WHEN OLD.status = 'open' THEN 1 ELSE 0 END
    WHERE owner_id = OLD.accountable_id AND month = substr(OLD.agreed_due_date, 1, 7)
      AND (OLD.status <> 'cancelled' OR OLD.cancel_counts = 1);
    INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
    SELECT NEW.accountable_id, substr(NEW.agreed_due_date, 1, 7),
           CASE WHEN NEW.status <> 'open' THEN 1 ELSE 0 END,
           CASE WHEN NEW.status = 'done' AND NEW.completed_on <= NEW.agreed_due_date THEN 1 ELSE 0 END,
           CASE WHEN NEW.status = 'open' THEN 1 ELSE 0 END
    WHERE NEW.accountable_id IS NOT NULL AND (NEW.status <> 'cancelled' OR NEW.cancel_counts = 1)
    ON CONFLICT (owner_id, month) DO UPDATE SET settled = settled + excluded.settled,
        on_time = on_time + excluded.on_time, open = open + excluded.open;
END;
