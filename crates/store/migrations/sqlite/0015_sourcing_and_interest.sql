-- Who added a specialist to the talent pool: only they and admins may remove the entry.
-- Entries added before this migration have nobody (admins remove them).
ALTER TABLE talent_pool ADD COLUMN created_by INTEGER REFERENCES people(id);

-- A specialist engaged for an opportunity: the hours and the cost agreed, closing the
-- sourcing loop. The specialist's name is kept, so the record outlives their pool entry.
CREATE TABLE talent_engagements (
    id             INTEGER PRIMARY KEY,
    talent_id      INTEGER REFERENCES talent_pool(id) ON DELETE SET NULL,
    talent_name    TEXT NOT NULL,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id),
    hours          REAL NOT NULL CHECK (hours > 0),
    cost           REAL NOT NULL CHECK (cost >= 0),
    note           TEXT NOT NULL DEFAULT '',
    engaged_at     BIGINT NOT NULL,
    engaged_by     INTEGER REFERENCES people(id)
);
CREATE INDEX talent_engagements_opportunity ON talent_engagements (opportunity_id);
CREATE INDEX talent_engagements_talent ON talent_engagements (talent_id);

-- People who said they are interested in an opportunity: its poster sees them, and the
-- interest counts in their ranking as a growth wish.
CREATE TABLE opportunity_interest (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id),
    person_id      INTEGER NOT NULL REFERENCES people(id),
    at             BIGINT NOT NULL,
    PRIMARY KEY (opportunity_id, person_id)
);
