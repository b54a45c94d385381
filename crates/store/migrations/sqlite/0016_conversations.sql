-- 1:1s. A series between two people: 'reporting' for a manager and a direct report (kept in
-- step with the reporting lines by the worker), 'chosen' when one person proposed it to the
-- other. The schedule columns are all NULL until the organiser sets a time.
CREATE TABLE one_on_one_series (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('reporting', 'chosen')),
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'declined', 'ended')),
    organiser_id INTEGER NOT NULL REFERENCES people(id),
    other_id     INTEGER NOT NULL REFERENCES people(id),
    first_date   TEXT,
    start_time   TEXT,
    minutes      INTEGER CHECK (minutes BETWEEN 10 AND 240),
    every_weeks  INTEGER CHECK (every_weeks IN (1, 2, 4)),
    time_zone    TEXT,
    -- Talking points asked at every meeting, a JSON array of text.
    recurring    TEXT NOT NULL DEFAULT '[]',
    created_by   INTEGER REFERENCES people(id),
    created_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    CHECK (organiser_id <> other_id)
);
CREATE INDEX one_on_one_series_organiser ON one_on_one_series (organiser_id);
CREATE INDEX one_on_one_series_other ON one_on_one_series (other_id);
CREATE UNIQUE INDEX one_on_one_series_open_line ON one_on_one_series (organiser_id, other_id)
    WHERE kind = 'reporting' AND status = 'active';

-- One meeting moved, skipped or cancelled, by its planned date (YYYY-MM-DD); moved_to is
-- the new local start (YYYY-MM-DDTHH:MM) in the series' time zone.
CREATE TABLE one_on_one_changes (
    series_id  INTEGER NOT NULL REFERENCES one_on_one_series(id),
    occurrence TEXT NOT NULL,
    change     TEXT NOT NULL CHECK (change IN ('moved', 'skipped', 'cancelled')),
    moved_to   TEXT,
    PRIMARY KEY (series_id, occurrence)
);

-- The shared agenda. A point is one row that sits on the current meeting until it is
-- ticked at one (ticked_meeting, a planned date): carrying over copies nothing.
CREATE TABLE talking_points (
    id             INTEGER PRIMARY KEY,
    series_id      INTEGER NOT NULL REFERENCES one_on_one_series(id),
    author_id      INTEGER NOT NULL REFERENCES people(id),
    text           TEXT NOT NULL,
    link           TEXT,
    created_at     BIGINT NOT NULL,
    ticked_meeting TEXT,
    ticked_by      INTEGER REFERENCES people(id),
    ticked_at      BIGINT
);
CREATE INDEX talking_points_series ON talking_points (series_id);

-- Notes both people of a meeting read and write.
CREATE TABLE meeting_notes (
    series_id  INTEGER NOT NULL REFERENCES one_on_one_series(id),
    occurrence TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES people(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (series_id, occurrence)
);

-- Notes their author alone reads, sealed (XChaCha20-Poly1305) with the server's
-- secret_key, which is never stored here: a copy of this database does not reveal them.
CREATE TABLE private_notes (
    series_id  INTEGER NOT NULL REFERENCES one_on_one_series(id),
    occurrence TEXT NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES people(id),
    sealed     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (series_id, occurrence, author_id)
);

-- Action items agreed in a meeting. commitment_id is set once the item is on its owner's
-- plate; the commitment is then private to about_id (the report of the pair) and the
-- manager chains, like career support.
CREATE TABLE one_on_one_actions (
    id            INTEGER PRIMARY KEY,
    series_id     INTEGER NOT NULL REFERENCES one_on_one_series(id),
    meeting       TEXT NOT NULL,
    title         TEXT NOT NULL,
    owner_id      INTEGER NOT NULL REFERENCES people(id),
    due_date      TEXT,
    effort_hours  REAL CHECK (effort_hours > 0),
    created_by    INTEGER NOT NULL REFERENCES people(id),
    created_at    BIGINT NOT NULL,
    commitment_id INTEGER UNIQUE REFERENCES commitments(id),
    about_id      INTEGER NOT NULL REFERENCES people(id)
);
CREATE INDEX one_on_one_actions_series ON one_on_one_actions (series_id);

-- Reminders sent, one row each, so several instances never send one twice: 'before' a
-- meeting, and 'after' one that left points unticked or action items without a date.
CREATE TABLE one_on_one_reminders (
    series_id  INTEGER NOT NULL REFERENCES one_on_one_series(id),
    occurrence TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    kind       TEXT NOT NULL CHECK (kind IN ('before', 'after')),
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (series_id, occurrence, person_id, kind)
);

-- Continuous feedback. A request asks named people about its asker or one of their
-- reports; it expires 30 days after it was made. Who gave and who asked whom are kept
-- (the influence capability reads them as advice ties).
CREATE TABLE feedback_requests (
    id         INTEGER PRIMARY KEY,
    asked_by   INTEGER NOT NULL REFERENCES people(id),
    about_id   INTEGER NOT NULL REFERENCES people(id),
    question   TEXT NOT NULL,
    due_date   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX feedback_requests_asked_by ON feedback_requests (asked_by);

CREATE TABLE feedback_request_people (
    request_id  INTEGER NOT NULL REFERENCES feedback_requests(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    answered_at BIGINT,
    declined_at BIGINT,
    reminded_at BIGINT,
    PRIMARY KEY (request_id, person_id)
);
CREATE INDEX feedback_request_people_person ON feedback_request_people (person_id);

-- Praise (optionally shown on the person's page, and to their manager) or a note to the
-- person (theirs alone, and their manager's only when the giver ticks it); an answer to a
-- request goes to whoever asked.
CREATE TABLE feedback (
    id                 INTEGER PRIMARY KEY,
    from_id            INTEGER NOT NULL REFERENCES people(id),
    about_id           INTEGER NOT NULL REFERENCES people(id),
    kind               TEXT NOT NULL CHECK (kind IN ('praise', 'note')),
    text               TEXT NOT NULL,
    share_on_page      INTEGER NOT NULL DEFAULT 0,
    share_with_manager INTEGER NOT NULL DEFAULT 0,
    request_id         INTEGER REFERENCES feedback_requests(id),
    created_at         BIGINT NOT NULL,
    CHECK (from_id <> about_id)
);
CREATE INDEX feedback_about ON feedback (about_id);
CREATE INDEX feedback_from ON feedback (from_id);

-- Each person's secret calendar address: the digest finds it, the sealed copy shows it.
CREATE TABLE calendar_feeds (
    person_id    INTEGER PRIMARY KEY REFERENCES people(id),
    token_digest TEXT NOT NULL UNIQUE,
    sealed_token TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Every reporting line today gets its series (unscheduled); the worker keeps them in step.
INSERT INTO one_on_one_series (kind, status, organiser_id, other_id, created_at)
    SELECT 'reporting', 'active', manager_id, id, CAST(strftime('%s', 'now') AS INTEGER)
    FROM people WHERE status = 'active' AND manager_id IS NOT NULL;
