-- Commitments found by their agreed due day: a delivery report over everyone reads the
-- days at the edges of its window here (the whole months between come from
-- delivery_months) instead of scanning every commitment.
CREATE INDEX commitments_due_day
    ON commitments (agreed_due_date, accountable_id, status, completed_on, cancel_counts);
