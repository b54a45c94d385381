-- A mentorship ended before its end date: from ended_on it no longer runs.
ALTER TABLE mentorships ADD COLUMN ended_on TEXT;
ALTER TABLE mentorships ADD COLUMN ended_by BIGINT REFERENCES people(id) ON DELETE SET NULL;
ALTER TABLE mentorships ADD COLUMN end_note TEXT NOT NULL DEFAULT '';
