-- 0002: work — objectives, key results, check-ins, commitments with their history,
-- capacity and absences. Never edit once released; add a new file.
CREATE TABLE objectives (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL CHECK (scope IN ('company', 'team', 'person')),
    team_id      INTEGER REFERENCES teams(id),
    owner_id     INTEGER NOT NULL REFERENCES people(id),
    parent_id    INTEGER REFERENCES objectives(id),
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    closed       INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    CHECK (period_start <= period_end)
);
CREATE INDEX objectives_owner ON objectives (owner_id, period_end);
CREATE INDEX objectives_parent ON objectives (parent_id);
CREATE INDEX objectives_period ON objectives (period_end, period_start);

CREATE TABLE key_results (
    id            INTEGER PRIMARY KEY,
    objective_id  INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('numeric', 'done')),
    start_value   REAL NOT NULL DEFAULT 0,
    target_value  REAL NOT NULL DEFAULT 1,
    current_value REAL NOT NULL DEFAULT 0,
    unit          TEXT NOT NULL DEFAULT '',
    done          INTEGER NOT NULL DEFAULT 0,
    -- numeric key results whose target equals their start could never show progress
    CHECK (kind = 'done' OR target_value <> start_value)
);
CREATE INDEX key_results_objective ON key_results (objective_id);

CREATE TABLE check_ins (
    id            INTEGER PRIMARY KEY,
    key_result_id INTEGER NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES people(id),
    at            BIGINT NOT NULL,
    value         REAL,
    done          INTEGER NOT NULL DEFAULT 0,
    confidence    TEXT NOT NULL CHECK (confidence IN ('on_track', 'unsure', 'off_track')),
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX check_ins_key_result ON check_ins (key_result_id, at);

CREATE TABLE commitments (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_id        INTEGER NOT NULL REFERENCES people(id),
    requester_id    INTEGER REFERENCES people(id),
    objective_id    INTEGER REFERENCES objectives(id),
    due_date        TEXT NOT NULL,
    -- the due date that counts for delivery reliability: a date moved before it passed
    -- is the new agreement, one moved after it passed is not
    agreed_due_date TEXT NOT NULL,
    effort_hours    REAL NOT NULL CHECK (effort_hours > 0),
    remaining_hours REAL NOT NULL CHECK (remaining_hours >= 0),
    -- normalised skill names, comma-separated
    skills          TEXT NOT NULL DEFAULT '',
    -- team priorities: lower comes first
    priority        BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    created_at      BIGINT NOT NULL,
    created_on      TEXT NOT NULL,
    completed_at    BIGINT,
    -- the owner's local date of completion
    completed_on    TEXT
);
-- Covers delivery reliability per owner (and for everyone, in one ordered scan) without
-- touching the table.
CREATE INDEX commitments_delivery ON commitments (owner_id, agreed_due_date, status, completed_on);
-- Open work is a small share of all work: plates, priorities and workload read only it.
CREATE INDEX commitments_open ON commitments (owner_id, due_date, remaining_hours) WHERE status = 'open';
CREATE INDEX commitments_priority ON commitments (priority) WHERE status = 'open';

CREATE TABLE commitment_changes (
    id            INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    at            BIGINT NOT NULL,
    actor_id      INTEGER REFERENCES people(id),
    field         TEXT NOT NULL CHECK (field IN ('due_date', 'owner', 'status')),
    before_value  TEXT,
    after_value   TEXT,
    note          TEXT NOT NULL DEFAULT '',
    -- due-date changes: 1 when made on or before the date then in force
    in_time       INTEGER
);
CREATE INDEX commitment_changes_commitment ON commitment_changes (commitment_id, at);

CREATE TABLE commitment_comments (
    id            INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES people(id),
    at            BIGINT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX commitment_comments_commitment ON commitment_comments (commitment_id, at);

-- Weekly hours of people who differ from the organisation default.
CREATE TABLE capacities (
    person_id      INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    hours_per_week REAL NOT NULL CHECK (hours_per_week >= 0)
);

CREATE TABLE absences (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    first_day TEXT NOT NULL,
    last_day  TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    CHECK (first_day <= last_day)
);
CREATE INDEX absences_person ON absences (person_id, last_day);
CREATE INDEX absences_days ON absences (last_day, first_day);
