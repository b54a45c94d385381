-- Review cycles. A cycle's scope and questions are JSON (its questions are fixed once it
-- is launched); its state moves draft → launched → (calibration) → shared → closed.
-- `calibration` is JSON too: the 9-box's questions, distribution guidance, and whether
-- managers calibrate their own tree.
CREATE TABLE review_cycles (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('draft', 'launched', 'calibration', 'shared', 'closed')),
    scope              TEXT NOT NULL,
    questions          TEXT NOT NULL,
    self_review_due    TEXT,
    manager_review_due TEXT NOT NULL,
    share_on           TEXT NOT NULL,
    calibration        TEXT NOT NULL DEFAULT '{}',
    created_by         INTEGER REFERENCES people(id),
    created_at         BIGINT NOT NULL,
    launched_at        BIGINT,
    calibration_at     BIGINT,
    shared_at          BIGINT,
    closed_at          BIGINT
);

-- One review per reviewee and cycle, with their manager, team and level at launch. Answers are
-- JSON arrays of {question, rating, text}.
CREATE TABLE reviews (
    id                   INTEGER PRIMARY KEY,
    cycle_id             INTEGER NOT NULL REFERENCES review_cycles(id),
    reviewee_id          INTEGER NOT NULL REFERENCES people(id),
    manager_id           INTEGER REFERENCES people(id),
    team_name            TEXT,
    level_name           TEXT,
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

-- Calibration: every change of a manager rating, with who, when and why (the first
-- change's `from_rating` is the manager's original), and every move on the 9-box.
CREATE TABLE review_rating_changes (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL REFERENCES reviews(id),
    question    INTEGER NOT NULL,
    from_rating INTEGER,
    to_rating   INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    changed_by  INTEGER REFERENCES people(id),
    changed_at  BIGINT NOT NULL
);
CREATE INDEX review_rating_changes_review ON review_rating_changes (review_id);

-- Performance and potential are 0 (low), 1 (moderate) or 2 (high); the latest move wins
-- over the place the ratings give.
CREATE TABLE review_box_moves (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL REFERENCES reviews(id),
    performance INTEGER NOT NULL CHECK (performance BETWEEN 0 AND 2),
    potential   INTEGER NOT NULL CHECK (potential BETWEEN 0 AND 2),
    reason      TEXT NOT NULL,
    moved_by    INTEGER REFERENCES people(id),
    moved_at    BIGINT NOT NULL
);
CREATE INDEX review_box_moves_review ON review_box_moves (review_id);
