-- Succession: key roles (a holder's position, or a role not yet filled) with the impact of
-- losing them, and each one's plan of ranked candidates with their readiness.
CREATE TABLE key_roles (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    holder_id     INTEGER REFERENCES people(id),
    team_id       INTEGER REFERENCES teams(id),
    reports_to_id INTEGER REFERENCES people(id),
    impact        TEXT NOT NULL CHECK (impact IN ('critical', 'high', 'moderate')),
    why           TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES people(id),
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX key_roles_holder ON key_roles (holder_id) WHERE holder_id IS NOT NULL;

CREATE TABLE succession_candidates (
    key_role_id BIGINT NOT NULL REFERENCES key_roles(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    rank        BIGINT NOT NULL,
    readiness   TEXT NOT NULL CHECK (readiness IN
                    ('ready_now', 'ready_1_2_years', 'ready_3_plus_years', 'ready_once')),
    condition   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    reviewed_on TEXT NOT NULL,
    added_by    INTEGER REFERENCES people(id),
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (key_role_id, person_id)
);
CREATE INDEX succession_candidates_person ON succession_candidates (person_id);
