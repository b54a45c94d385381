-- A cycle's steps beyond its deadlines, JSON: the feedback step (peer and upward reviews:
-- named or anonymous peers, who nominates them, the cap, nominations and feedback
-- deadlines) and the days steps open.
ALTER TABLE review_cycles ADD COLUMN steps TEXT NOT NULL DEFAULT '{}';

-- A 360 that is a review cycle's peer or upward reviews: its review and cycle, how the
-- cycle runs it (JSON), its kind, and the day answers open (an admin may open it early).
ALTER TABLE assessments ADD COLUMN review_id BIGINT REFERENCES reviews(id);
ALTER TABLE assessments ADD COLUMN cycle_id BIGINT REFERENCES review_cycles(id);
ALTER TABLE assessments ADD COLUMN in_cycle TEXT;
-- 'peer' or 'upward' (also in in_cycle), for counting the step's progress in SQL.
ALTER TABLE assessments ADD COLUMN feedback_kind TEXT CHECK (feedback_kind IN ('peer', 'upward'));
ALTER TABLE assessments ADD COLUMN opens_on TEXT;
CREATE INDEX assessments_review ON assessments (review_id);
CREATE INDEX assessments_cycle ON assessments (cycle_id);
-- A cycle's progress counts raters per 360 and status from the index alone.
CREATE INDEX assessment_raters_counted ON assessment_raters (assessment_id, status, answered);

-- Named peer reviews: a peer's answer may carry its author when the cycle chose named
-- peers; self and manager answers always do, direct reports' and others' never.
ALTER TABLE assessment_answers DROP CONSTRAINT assessment_answers_check;
ALTER TABLE assessment_answers ADD CONSTRAINT assessment_answers_named
    CHECK (rater_group NOT IN ('self', 'manager') OR rater_id IS NOT NULL);
ALTER TABLE assessment_answers ADD CONSTRAINT assessment_answers_anonymous
    CHECK (rater_group NOT IN ('reports', 'others') OR rater_id IS NULL);

-- Reminders sent to a cycle's peer and upward reviewers, once each: some days before the
-- deadline, when late, and an admin's "remind everyone".
CREATE TABLE assessment_reminders (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    rater_id      BIGINT NOT NULL REFERENCES people(id),
    kind          TEXT NOT NULL,
    sent_at       BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, rater_id, kind)
);
CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assessment_reminders
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
