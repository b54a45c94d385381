-- The weekly digest: who turned it off, which weeks are queued for whom (a week is
-- queued once per person, however many instances run), and the organisation's own tips.
CREATE TABLE weekly_digest_off (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    updated_at BIGINT NOT NULL
);

CREATE TABLE weekly_digests (
    person_id INTEGER NOT NULL REFERENCES people(id),
    week      TEXT NOT NULL,
    queued_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, week)
);
CREATE INDEX weekly_digests_queued ON weekly_digests (queued_at);

CREATE TABLE digest_tips (
    id         INTEGER PRIMARY KEY,
    audience   TEXT NOT NULL CHECK (audience IN ('managers', 'everyone')),
    behaviour  TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_by INTEGER REFERENCES people(id),
    created_at BIGINT NOT NULL
);
