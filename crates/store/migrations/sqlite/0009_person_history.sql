-- Org history: every change of a person's manager, level, title, team, status or skills,
-- with the date it took effect, written in the same transaction as the change. Values are
-- kept as shown at the time (names, level codes, skills in the import notation).
CREATE TABLE person_history (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    field        TEXT NOT NULL
                 CHECK (field IN ('manager', 'level', 'title', 'team', 'status', 'skills')),
    before_value TEXT,
    after_value  TEXT,
    effective_on TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    actor_id     INTEGER REFERENCES people(id),
    source       TEXT NOT NULL
);
CREATE INDEX person_history_person ON person_history (person_id, effective_on);
