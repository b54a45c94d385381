-- Connection programmes: who is in one (an audience), how often rounds run, pairs or trios,
-- and what to meet across.
CREATE TABLE connect_programmes (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    audience_kind  TEXT NOT NULL CHECK (audience_kind IN ('everyone', 'department', 'tree', 'location', 'list')),
    audience_value TEXT NOT NULL DEFAULT '',
    rhythm_weeks   INTEGER NOT NULL CHECK (rhythm_weeks IN (1, 2, 4)),
    group_size     INTEGER NOT NULL CHECK (group_size IN (2, 3)),
    odd_one        TEXT NOT NULL CHECK (odd_one IN ('trio', 'sit_out')),
    prefer_across  TEXT NOT NULL CHECK (prefer_across IN ('nothing', 'team', 'department', 'location')),
    first_round_on TEXT NOT NULL,
    owner_id       INTEGER REFERENCES people(id),
    created_at     BIGINT NOT NULL,
    archived_at    BIGINT
);

-- The people of a programme whose audience is a list.
CREATE TABLE connect_list_members (
    programme_id INTEGER NOT NULL REFERENCES connect_programmes(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (programme_id, person_id)
);

-- A person's choice in a programme: out of it, or snoozed until a day.
CREATE TABLE connect_choices (
    programme_id  INTEGER NOT NULL REFERENCES connect_programmes(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    opted_out     INTEGER NOT NULL,
    snoozed_until TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (programme_id, person_id)
);

-- Private exclusions: the person never meets the excluded colleague in any programme. Read
-- by the rounds alone; the excluded person never learns it.
CREATE TABLE connect_exclusions (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    excluded_id INTEGER NOT NULL REFERENCES people(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (person_id, excluded_id),
    CHECK (person_id <> excluded_id)
);

-- A round is written once: the number is unique per programme, so two instances running
-- the same due round cannot both write it.
CREATE TABLE connect_rounds (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES connect_programmes(id),
    number       INTEGER NOT NULL,
    run_on       TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    run_by       INTEGER REFERENCES people(id),
    members      INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    UNIQUE (programme_id, number)
);

CREATE TABLE connect_groups (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES connect_rounds(id),
    position   INTEGER NOT NULL,
    outcome    TEXT CHECK (outcome IN ('met', 'missed')),
    outcome_by INTEGER REFERENCES people(id),
    outcome_at BIGINT
);
CREATE UNIQUE INDEX connect_groups_round ON connect_groups (round_id, position);

-- A person is in one group a round. `odd`: this person was the round's odd one (joined a
-- pair, or, in a trios programme, was put in a pair).
CREATE TABLE connect_group_members (
    round_id  INTEGER NOT NULL REFERENCES connect_rounds(id),
    position  INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    odd       INTEGER NOT NULL,
    PRIMARY KEY (round_id, person_id)
);
CREATE INDEX connect_group_members_person ON connect_group_members (person_id);

-- Present people a round could not place, shown as "sits out this round".
CREATE TABLE connect_sitouts (
    round_id  INTEGER NOT NULL REFERENCES connect_rounds(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (round_id, person_id)
);
