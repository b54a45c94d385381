-- 0001: organisation, people, accounts. Never edit once released; add a new file.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE teams (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    parent_id INTEGER REFERENCES teams(id),
    CONSTRAINT teams_name_unique UNIQUE (name)
);

CREATE TABLE job_levels (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    rank         INTEGER NOT NULL,
    expectations TEXT NOT NULL DEFAULT '',
    CONSTRAINT job_levels_code_unique UNIQUE (code)
);

CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    employee_id    TEXT,
    name           TEXT NOT NULL,
    preferred_name TEXT,
    email          TEXT NOT NULL,
    title          TEXT,
    level_id       INTEGER REFERENCES job_levels(id),
    team_id        INTEGER REFERENCES teams(id),
    manager_id     INTEGER REFERENCES people(id),
    location       TEXT,
    time_zone      TEXT,
    start_date     TEXT,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
    -- lower-cased name, preferred name, e-mail, title and employee id, for directory search
    search_text    TEXT NOT NULL DEFAULT '',
    CONSTRAINT people_email_unique UNIQUE (email),
    CONSTRAINT people_employee_id_unique UNIQUE (employee_id)
);
CREATE INDEX people_manager ON people (manager_id, status);
CREATE INDEX people_team ON people (team_id);
CREATE INDEX people_name ON people (name);

CREATE TABLE skills (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    CONSTRAINT skills_name_unique UNIQUE (name)
);

CREATE TABLE person_skills (
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    skill_id      INTEGER NOT NULL REFERENCES skills(id),
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    wants_to_grow INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, skill_id)
) WITHOUT ROWID;

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    password_hash TEXT,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT accounts_person_unique UNIQUE (person_id)
);

CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    CONSTRAINT api_tokens_digest_unique UNIQUE (token_digest)
);

CREATE TABLE failed_sign_ins (
    email TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX failed_sign_ins_email ON failed_sign_ins (email, at);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);

-- Uploads waiting for an admin to confirm the preview; pruned after a day.
CREATE TABLE pending_imports (
    id                 TEXT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    file_name          TEXT NOT NULL,
    content            BLOB NOT NULL,
    deactivate_missing BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL
);

-- Background work. Any instance may claim a due job; a claim is a lease, so a job whose
-- instance died is claimed again once the lease has passed.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '',
    run_at        BIGINT NOT NULL,
    claimed_by    TEXT,
    claimed_until BIGINT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    done_at       BIGINT,
    last_error    TEXT
);
CREATE INDEX jobs_due ON jobs (done_at, run_at);
