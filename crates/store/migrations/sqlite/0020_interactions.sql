-- Interactions imported from chat, mail or work systems: From and To, the day, the kind.
-- 'advice': From sought To's advice (a tie of the advice graph and of the interaction
-- graph); 'meeting', 'message', 'work': the interaction graph only. One row per tie and
-- day, so re-importing the same rows adds nothing.
CREATE TABLE interactions (
    from_id INTEGER NOT NULL REFERENCES people(id),
    to_id   INTEGER NOT NULL REFERENCES people(id),
    on_day  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('advice', 'meeting', 'message', 'work')),
    PRIMARY KEY (from_id, to_id, on_day, kind),
    CHECK (from_id <> to_id)
);
CREATE INDEX interactions_day ON interactions (on_day);
