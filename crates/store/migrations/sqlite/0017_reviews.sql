-- Review cycles. A cycle's scope and questions are JSON (its questions are fixed once it
-- is launched); its state moves draft → launched → shared → closed.
CREATE TABLE review_cycles (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('draft', 'launched', 'shared', 'closed')),
    scope              TEXT NOT NULL,
    questions          TEXT NOT NULL,
    self_review_due    TEXT,
    manager_review_due TEXT NOT NULL,
    share_on           TEXT NOT NULL,
    created_by         INTEGER REFERENCES people(id),
    created_at         BIGINT NOT NULL,
    launched_at        BIGINT,
    shared_at          BIGINT,
    closed_at          BIGINT
);

-- One review per reviewee and cycle, with their manager and team at launch. Answers are
-- JSON arrays of {question, rating, text}.
CREATE TABLE reviews (
    id                   INTEGER PRIMARY KEY,
    cycle_id             INTEGER NOT NULL REFERENCES review_cycles(id),
    reviewee_id          INTEGER NOT NULL REFERENCES people(id),
    manager_id           INTEGER REFERENCES people(id),
    team_name            TEXT,
    self_answers         TEXT NOT NULL DEFAULT '[]',
    self_submitted_at    BIGINT,
    manager_answers      TEXT NOT NULL DEFAULT '[]',
    manager_submitted_at BIGINT,
    -- Per-person extensions an admin granted.
    self_due_extended    TEXT,
    manager_due_extended TEXT,
    UNIQUE (cycle_id, reviewee_id)
);
CREATE INDEX reviews_reviewee ON reviews (reviewee_id);
CREATE INDEX reviews_manager ON reviews (manager_id);

-- A manager's commitment answering a growth question: private to the reviewee's context
-- (like career support), and linked into the pair's 1:1s when the cycle is shared.
CREATE TABLE review_follow_through (
    commitment_id   INTEGER PRIMARY KEY REFERENCES commitments(id),
    review_id       INTEGER NOT NULL REFERENCES reviews(id),
    growth_question INTEGER NOT NULL CHECK (growth_question BETWEEN 0 AND 2),
    about_id        INTEGER NOT NULL REFERENCES people(id)
);
CREATE INDEX review_follow_through_review ON review_follow_through (review_id);

-- Deadline reminders sent, once each: some days before, and when late.
CREATE TABLE review_reminders (
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    step      TEXT NOT NULL CHECK (step IN ('self', 'manager')),
    kind      TEXT NOT NULL,
    sent_at   BIGINT NOT NULL,
    PRIMARY KEY (review_id, step, kind)
);
