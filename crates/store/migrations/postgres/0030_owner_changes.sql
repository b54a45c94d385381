-- Hand-overs found by the person handed from: a manager's scorecard reads the work that
-- came to their team, including work a report once owned and has since passed on.
CREATE INDEX commitment_changes_owner_before ON commitment_changes (before_value)
    WHERE field = 'owner';
