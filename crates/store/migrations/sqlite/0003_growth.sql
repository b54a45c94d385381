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
