-- A commitment's history also records edits of its details (which fields changed).
ALTER TABLE commitment_changes DROP CONSTRAINT commitment_changes_field_check;
ALTER TABLE commitment_changes ADD CONSTRAINT commitment_changes_field_check
    CHECK (field IN ('due_date', 'owner', 'status', 'details'));
