-- The advice pulse: each round asks "who have you gone to for advice?". A round is one row,
-- written once by whichever instance asks first.
CREATE TABLE advice_pulse_rounds (
    opens_on TEXT PRIMARY KEY,
    asked_at BIGINT NOT NULL,
    asked    INTEGER NOT NULL
);

-- Who named whom. Read only by the influence metrics: never shown, exported or answered
-- by the API, not even to the person who answered.
CREATE TABLE advice_answers (
    round_on   TEXT NOT NULL REFERENCES advice_pulse_rounds(opens_on),
    seeker_id  INTEGER NOT NULL REFERENCES people(id),
    adviser_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (round_on, seeker_id, adviser_id),
    CHECK (seeker_id <> adviser_id)
);

-- That a person answered a round, and how many they named (naming nobody is an answer).
CREATE TABLE advice_pulse_responses (
    round_on    TEXT NOT NULL REFERENCES advice_pulse_rounds(opens_on),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    named       INTEGER NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (round_on, person_id)
);

-- Everyone's figures as last computed (daily by the worker, or when an admin asks): the
-- pages read them, since brokerage over a large organisation takes seconds.
CREATE TABLE influence_figures (
    person_id              INTEGER PRIMARY KEY REFERENCES people(id),
    computed_on            TEXT NOT NULL,
    influence_outside_line INTEGER NOT NULL,
    advice_sought_by       INTEGER NOT NULL,
    reach                  REAL NOT NULL,
    brokerage              REAL NOT NULL,
    reach_percentile       REAL NOT NULL,
    brokerage_percentile   REAL NOT NULL,
    informal_leader        INTEGER NOT NULL
);
