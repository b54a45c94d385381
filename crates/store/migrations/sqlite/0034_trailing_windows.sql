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
-- Triggers keep both in the same transaction as every change to commitments; the worker
-- moves the spans (SQLite has one writer at a time).
CREATE TABLE delivery_window_spans (
    days  INTEGER PRIMARY KEY,
    first TEXT NOT NULL,
    last  TEXT NOT NULL
);

INSERT INTO delivery_window_spans (days, first, last)
VALUES (90, date('now', '-90 days'), date('now', '-1 day')),
       (365, date('now', '-365 days'), date('now', '-1 day'));

CREATE TABLE delivery_windows (
    days     INTEGER NOT NULL,
    owner_id INTEGER NOT NULL,
    due      INTEGER NOT NULL DEFAULT 0,
    on_time  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (days, owner_id)
) WITHOUT ROWID;

INSERT INTO delivery_windows (days, owner_id, due, on_time)
SELECT s.days, c.accountable_id, COUNT(*),
       SUM(CASE WHEN c.status = 'done' AND c.completed_on <= c.agreed_due_date THEN 1 ELSE 0 END)
FROM delivery_window_spans s
JOIN commitments c ON c.agreed_due_date >= s.first AND c.agreed_due_date <= s.last
WHERE c.accountable_id IS NOT NULL AND (c.status <> 'cancelled' OR c.cancel_counts = 1)
GROUP BY s.days, c.accountable_id;

CREATE TABLE open_effort_span (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last TEXT NOT NULL
);

INSERT INTO open_effort_span (id, last) VALUES (1, date('now', '+14 days'));

CREATE TABLE open_effort (
    owner_id INTEGER PRIMARY KEY,
    hours    REAL NOT NULL DEFAULT 0
);

-- Open work by due day, for the days between a horizon and the span.
CREATE INDEX commitments_open_due ON commitments (due_date, owner_id, remaining_hours)
    WHERE status = 'open';

INSERT INTO open_effort (owner_id, hours)
SELECT c.owner_id, SUM(c.remaining_hours)
FROM open_effort_span s JOIN commitments c ON c.due_date <= s.last
WHERE c.status = 'open'
GROUP BY c.owner_id;

CREATE TRIGGER trailing_windows_insert AFTER INSERT ON commitments
BEGIN
    INSERT INTO delivery_windows (days, owner_id, due, on_time)
    SELECT days, NEW.accountable_id, 1,
           CASE WHEN NEW.status = 'done' AND NEW.completed_on <= NEW.agreed_due_date THEN 1 ELSE 0 END
    FROM delivery_window_spans
    WHERE NEW.agreed_due_date >= first AND NEW.agreed_due_date <= last
      AND NEW.accountable_id IS NOT NULL AND (NEW.status <> 'cancelled' OR NEW.cancel_counts = 1)
    ON CONFLICT (days, owner_id) DO UPDATE SET
        due = due + excluded.due, on_time = on_time + excluded.on_time;
    INSERT INTO open_effort (owner_id, hours)
    SELECT NEW.owner_id, NEW.remaining_hours FROM open_effort_span
    WHERE NEW.status = 'open' AND NEW.due_date <= last
    ON CONFLICT (owner_id) DO UPDATE SET hours = hours + excluded.hours;
END;

CREATE TRIGGER trailing_windows_delete AFTER DELETE ON commitments
BEGIN
    UPDATE delivery_windows SET due = due - 1,
        on_time = on_time - CASE WHEN OLD.status = 'done' AND OLD.completed_on <= OLD.agreed_due_date THEN 1 ELSE 0 END
    WHERE owner_id = OLD.accountable_id AND (OLD.status <> 'cancelled' OR OLD.cancel_counts = 1)
      AND days IN (SELECT days FROM delivery_window_spans
                   WHERE OLD.agreed_due_date >= first AND OLD.agreed_due_date <= last);
    UPDATE open_effort SET hours = hours - OLD.remaining_hours
    WHERE owner_id = OLD.owner_id AND OLD.status = 'open'
      AND OLD.due_date <= (SELECT last FROM open_effort_span);
END;

CREATE TRIGGER trailing_windows_update
AFTER UPDATE OF accountable_id, agreed_due_date, status, completed_on, cancel_counts ON commitments
BEGIN
    UPDATE delivery_windows SET due = due - 1,
        on_time = on_time - CASE WHEN OLD.status = 'done' AND OLD.completed_on <= OLD.agreed_due_date THEN 1 ELSE 0 END
    WHERE owner_id = OLD.accountable_id AND (OLD.status <> 'cancelled' OR OLD.cancel_counts = 1)
      AND days IN (SELECT days FROM delivery_window_spans
                   WHERE OLD.agreed_due_date >= first AND OLD.agreed_due_date <= last);
    INSERT INTO delivery_windows (days, owner_id, due, on_time)
    SELECT days, NEW.accountable_id, 1,
           CASE WHEN NEW.status = 'done' AND NEW.completed_on <= NEW.agreed_due_date THEN 1 ELSE 0 END
    FROM delivery_window_spans
    WHERE NEW.agreed_due_date >= first AND NEW.agreed_due_date <= last
      AND NEW.accountable_id IS NOT NULL AND (NEW.status <> 'cancelled' OR NEW.cancel_counts = 1)
    ON CONFLICT (days, owner_id) DO UPDATE SET
        due = due + excluded.due, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER open_effort_update
AFTER UPDATE OF owner_id, status, due_date, remaining_hours ON commitments
BEGIN
    UPDATE open_effort SET hours = hours - OLD.remaining_hours
    WHERE owner_id = OLD.owner_id AND OLD.status = 'open'
      AND OLD.due_date <= (SELECT last FROM open_effort_span);
    INSERT INTO open_effort (owner_id, hours)
    SELECT NEW.owner_id, NEW.remaining_hours FROM open_effort_span
    WHERE NEW.status = 'open' AND NEW.due_date <= last
    ON CONFLICT (owner_id) DO UPDATE SET hours = hours + excluded.hours;
END;
