-- 360 assessments of management and leadership behaviour. The behaviours (a copy of the
-- template, editable before anyone answers) are JSON; `k`, the anonymity threshold per rater
-- group, is copied in at creation and never changes.
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    subject_id  INTEGER NOT NULL REFERENCES people(id),
    behaviours  TEXT NOT NULL,
    k           INTEGER NOT NULL CHECK (k >= 2),
    due_on      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'shared')),
    created_by  INTEGER REFERENCES people(id),
    created_at  BIGINT NOT NULL,
    shared_at   BIGINT
);
CREATE INDEX assessments_subject ON assessments (subject_id);

-- Who is asked, in which group, and whether they have answered: for completion and
-- reminders only. Nothing here says which answer is whose. The subject proposes raters,
-- whom their manager chain asks (or not); a rater may decline.
CREATE TABLE assessment_raters (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    rater_id      INTEGER NOT NULL REFERENCES people(id),
    rater_group   TEXT NOT NULL CHECK (rater_group IN ('self', 'manager', 'peers', 'reports', 'others')),
    answered      INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'asked' CHECK (status IN ('proposed', 'asked', 'declined')),
    PRIMARY KEY (assessment_id, rater_id)
);
CREATE INDEX assessment_raters_rater ON assessment_raters (rater_id);

-- The answers. Self and manager answers are named (`rater_id`); every other answer carries
-- only its group and a pseudonym: a keyed hash of rater and subject under the server's
-- secret_key, which is not in the database, so a dump cannot tie an answer to its author.
-- No time is kept with an answer.
CREATE TABLE assessment_answers (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    rater_group   TEXT NOT NULL,
    pseudonym     TEXT NOT NULL,
    rater_id      INTEGER REFERENCES people(id),
    ratings       TEXT NOT NULL,
    comments      TEXT NOT NULL,
    PRIMARY KEY (assessment_id, pseudonym),
    CHECK ((rater_group IN ('self', 'manager')) = (rater_id IS NOT NULL))
);

-- The answer sets behind every figure a shared report showed, by subject, so later
-- assessments of the same person never differ from them by fewer than k answers.
CREATE TABLE assessment_published (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    subject_id    INTEGER NOT NULL REFERENCES people(id),
    figure        TEXT NOT NULL,
    pseudonyms    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, figure)
);
CREATE INDEX assessment_published_subject ON assessment_published (subject_id);

-- A career plan's growth goals in words (one from a 360 behaviour, say), beside its skill
-- growth areas.
ALTER TABLE career_plans ADD COLUMN growth_goals TEXT NOT NULL DEFAULT '[]';
