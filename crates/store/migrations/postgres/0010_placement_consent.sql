-- A candidate from outside the poster's tree is asked too, besides their own manager chain:
-- a placement is approved once both have said yes. The chain's approval given before the
-- candidate answered is kept apart from the final decision.
ALTER TABLE placements ADD COLUMN candidate_consent TEXT NOT NULL DEFAULT 'not_asked'
    CHECK (candidate_consent IN ('not_asked', 'asked', 'agreed', 'declined'));
ALTER TABLE placements ADD COLUMN manager_approved_by BIGINT REFERENCES people(id);
ALTER TABLE placements ADD COLUMN manager_approved_at BIGINT;
