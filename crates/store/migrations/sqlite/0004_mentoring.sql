-- 0004: mentor matching, the talent pool. Never edit once released; add a new file.

-- What a mentee would like to grow (taking part in the next round).
CREATE TABLE mentee_goals (
    person_id       INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    -- JSON array of skill names
    skills          TEXT NOT NULL,
    must_have_skill TEXT,
    target_level_id INTEGER REFERENCES job_levels(id),
    note            TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL
);

-- What a mentor offers, and how many mentees at a time.
CREATE TABLE mentor_profiles (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    -- JSON array of skill names
    strengths  TEXT NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    note       TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

CREATE TABLE mentoring_rounds (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    goal         TEXT NOT NULL CHECK (goal IN ('highest_total', 'most_matched')),
    ends_on      TEXT NOT NULL,
    published    INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL REFERENCES people(id),
    created_at   BIGINT NOT NULL,
    published_by INTEGER REFERENCES people(id),
    published_at BIGINT,
    mentees      INTEGER NOT NULL,
    mentors      INTEGER NOT NULL
);

-- Each mentee of a round: the proposed mentor, or none and why.
CREATE TABLE mentoring_pairs (
    round_id    INTEGER NOT NULL REFERENCES mentoring_rounds(id) ON DELETE CASCADE,
    mentee_id   INTEGER NOT NULL REFERENCES people(id),
    mentor_id   INTEGER REFERENCES people(id),
    score       INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    -- the mentee's goals when the round ran, which a published pair's mentorship keeps
    goals       TEXT NOT NULL,
    PRIMARY KEY (round_id, mentee_id)
);

CREATE TABLE mentorships (
    id         INTEGER PRIMARY KEY,
    mentee_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    mentor_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    round_id   INTEGER REFERENCES mentoring_rounds(id) ON DELETE SET NULL,
    goals      TEXT NOT NULL,
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id, ends_on);
CREATE INDEX mentorships_mentor ON mentorships (mentor_id, ends_on);

-- External specialists who can be brought in when nobody inside has the skill.
CREATE TABLE talent_pool (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT,
    hourly_rate    REAL NOT NULL CHECK (hourly_rate > 0),
    hours_per_week REAL NOT NULL CHECK (hours_per_week > 0),
    available_from TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);

CREATE TABLE talent_skills (
    talent_id INTEGER NOT NULL REFERENCES talent_pool(id) ON DELETE CASCADE,
    skill     TEXT NOT NULL,
    level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (talent_id, skill)
);
