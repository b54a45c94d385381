-- How each person is told of each topic (immediately, daily, never), over the
-- organisation's defaults; a topic named in neither is told immediately. Read fresh (the
-- worker reads them for every notification): no change-counter trigger.
CREATE TABLE notification_defaults (
    topic    TEXT PRIMARY KEY,
    delivery TEXT NOT NULL
);
CREATE TABLE notification_preferences (
    person_id BIGINT NOT NULL REFERENCES people(id),
    topic     TEXT NOT NULL,
    delivery  TEXT NOT NULL,
    PRIMARY KEY (person_id, topic)
);
-- The daily summary finds what a person was not told yet.
CREATE INDEX notifications_undelivered ON notifications (person_id, delivered_at);
