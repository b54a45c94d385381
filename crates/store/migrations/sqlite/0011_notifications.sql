-- The notification outbox: what a use case told a person, written in the same transaction
-- as the change it reports. Read fresh for each person (never cached, so no change-counter
-- trigger, like the audit log); read_at is set when they have seen it, delivered_at when it
-- was e-mailed.
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    topic        TEXT NOT NULL,
    text         TEXT NOT NULL,
    link         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    read_at      BIGINT,
    delivered_at BIGINT
);
CREATE INDEX notifications_person ON notifications (person_id, created_at);
