-- When each person works, for the slot a connection round suggests: the same hours on the
-- chosen ISO weekdays ("1,2,3,4,5"), in the person's time zone. No row: 09:00-17:00 on
-- weekdays.
CREATE TABLE working_hours (
    person_id  BIGINT PRIMARY KEY REFERENCES people(id),
    weekdays   TEXT NOT NULL,
    starts     TEXT NOT NULL,
    ends       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The 30 minutes a round suggests to a group (seconds since the epoch); NULL when the
-- members' working hours never meet in the two weeks after the round.
ALTER TABLE connect_groups ADD COLUMN suggested_at BIGINT;

CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON working_hours
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
