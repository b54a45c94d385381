-- 0003: growth — stretch opportunities, the skills they need, and who takes them.
-- Never edit once released; add a new file.
CREATE TABLE opportunities (
    id                     INTEGER PRIMARY KEY,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    poster_id              INTEGER NOT NULL REFERENCES people(id),
    hours_per_week         REAL NOT NULL CHECK (hours_per_week > 0),
    weeks                  INTEGER NOT NULL CHECK (weeks > 0),
    needs_manager_approval INTEGER NOT NULL DEFAULT 0,
    status                 TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'closed')),
    created_at             BIGINT NOT NULL
);
CREATE INDEX opportunities_status ON opportunities (status, created_at);

CREATE TABLE opportunity_skills (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    skill          TEXT NOT NULL,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (opportunity_id, skill)
);

-- A suggestion a manager accepted: waiting for the candidate's manager, or decided.
CREATE TABLE placements (
    id             INTEGER PRIMARY KEY,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    person_id      INTEGER NOT NULL REFERENCES people(id),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    explanation    TEXT NOT NULL DEFAULT '',
    proposed_by    INTEGER NOT NULL REFERENCES people(id),
    proposed_at    BIGINT NOT NULL,
    decided_by     INTEGER REFERENCES people(id),
    decided_at     BIGINT,
    commitment_id  INTEGER REFERENCES commitments(id)
);
CREATE INDEX placements_opportunity ON placements (opportunity_id, status);
CREATE INDEX placements_person ON placements (person_id, status);
CREATE INDEX person_skills_skill ON person_skills (skill_id);

-- Career plans: one per person, each save kept in the history.
CREATE TABLE career_plans (
    person_id        INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    target_role      TEXT NOT NULL DEFAULT '',
    target_level_id  INTEGER REFERENCES job_levels(id),
    strengths        TEXT NOT NULL DEFAULT '',
    -- growth areas as JSON: [{"skill": "sql", "current": 2, "target": 3}, …]
    growth_areas     TEXT NOT NULL DEFAULT '[]',
    last_reviewed_on TEXT,
    updated_at       BIGINT NOT NULL,
    updated_by       INTEGER REFERENCES people(id)
);

CREATE TABLE career_plan_history (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    by_id       INTEGER REFERENCES people(id),
    what        TEXT NOT NULL,
    -- the plan as it was after this change, as JSON
    snapshot    TEXT NOT NULL
);
CREATE INDEX career_plan_history_person ON career_plan_history (person_id, at);

-- What a manager committed to do to help: a commitment of theirs, tied to the plan.
CREATE TABLE career_support (
    commitment_id INTEGER PRIMARY KEY REFERENCES commitments(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE
);
CREATE INDEX career_support_person ON career_support (person_id);

-- The plate conversation: what a person would like moved off their plate, and onto it.
CREATE TABLE plate_wishes (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('off', 'on')),
    what          TEXT NOT NULL,
    commitment_id INTEGER REFERENCES commitments(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX plate_wishes_person ON plate_wishes (person_id);
