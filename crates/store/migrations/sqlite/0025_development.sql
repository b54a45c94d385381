-- Development programmes: a cohort with a capacity, its participants, its sessions, who
-- attended each, and attendees' ratings of a session (shown only under the anonymity rule).
CREATE TABLE dev_cohorts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    capacity    BIGINT NOT NULL CHECK (capacity >= 1),
    created_by  INTEGER REFERENCES people(id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE dev_participants (
    cohort_id BIGINT NOT NULL REFERENCES dev_cohorts(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (cohort_id, person_id)
);
CREATE INDEX dev_participants_person ON dev_participants (person_id);

CREATE TABLE dev_sessions (
    id             INTEGER PRIMARY KEY,
    cohort_id      BIGINT NOT NULL REFERENCES dev_cohorts(id),
    title          TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    minutes        BIGINT NOT NULL,
    place          TEXT NOT NULL,
    facilitator_id INTEGER NOT NULL REFERENCES people(id),
    reminded_at    BIGINT,
    cancelled_at   BIGINT
);
CREATE INDEX dev_sessions_cohort ON dev_sessions (cohort_id, starts_at);

CREATE TABLE dev_attendance (
    session_id BIGINT NOT NULL REFERENCES dev_sessions(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    attended   BIGINT NOT NULL,
    marked_by  INTEGER REFERENCES people(id),
    marked_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE dev_feedback (
    session_id BIGINT NOT NULL REFERENCES dev_sessions(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    rating     BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT NOT NULL,
    given_at   BIGINT NOT NULL,
    PRIMARY KEY (session_id, person_id)
);
