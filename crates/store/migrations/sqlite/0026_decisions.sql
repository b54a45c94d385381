-- The decision log: what was decided, why, the alternatives, who decided, the team or
-- objective it belongs to, when to revisit it and what came of it.
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    why          TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    owner_id     INTEGER NOT NULL REFERENCES people(id),
    team_id      INTEGER REFERENCES teams(id),
    objective_id INTEGER REFERENCES objectives(id),
    decided_on   TEXT NOT NULL,
    revisit_on   TEXT NOT NULL,
    verdict      TEXT CHECK (verdict IN ('kept', 'changed', 'reversed')),
    learned      TEXT NOT NULL DEFAULT '',
    outcome_by   INTEGER REFERENCES people(id),
    outcome_at   BIGINT,
    reminded_at  BIGINT,
    created_by   INTEGER REFERENCES people(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX decisions_team ON decisions (team_id, decided_on);
CREATE INDEX decisions_objective ON decisions (objective_id);
CREATE INDEX decisions_revisit ON decisions (revisit_on) WHERE verdict IS NULL AND reminded_at IS NULL;
