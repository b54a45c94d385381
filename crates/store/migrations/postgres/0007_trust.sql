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

-- Delivery is charged to whoever owned the work when its agreed due date passed (or when it
-- was completed, if earlier): handing on late work does not move its lateness. Existing
-- work starts with its current owner.
ALTER TABLE commitments ADD COLUMN accountable_id BIGINT REFERENCES people(id);
UPDATE commitments SET accountable_id = owner_id;
-- 1 when a cancellation does not take the work out of the record: cancelled by its owner
-- alone after the agreed date passed, it counts as not delivered.
ALTER TABLE commitments ADD COLUMN cancel_counts BIGINT NOT NULL DEFAULT 0;
CREATE INDEX commitments_accountable
    ON commitments (accountable_id, agreed_due_date, status, completed_on);

-- Sign-in throttling is by client address (and account from that address), not by
-- account alone: guesses slow the guesser down without locking the owner out.
ALTER TABLE failed_sign_ins ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX failed_sign_ins_client ON failed_sign_ins (client, at);
