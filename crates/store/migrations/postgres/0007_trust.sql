-- A commitment's history also records edits of its details (which fields changed).
ALTER TABLE commitment_changes DROP CONSTRAINT commitment_changes_field_check;
ALTER TABLE commitment_changes ADD CONSTRAINT commitment_changes_field_check
    CHECK (field IN ('due_date', 'owner', 'status', 'details'));

-- Directory search no longer matches employee ids (private to a person's chain and admins):
-- they were the last words of the search text.
UPDATE people
SET search_text = substr(search_text, 1, length(search_text) - length(employee_id) - 1)
WHERE employee_id IS NOT NULL
  AND substr(search_text, length(search_text) - length(employee_id) + 1) = lower(employee_id);
