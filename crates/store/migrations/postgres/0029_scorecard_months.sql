-- Each manager's scorecard figures month by month. The worker writes the current month's
-- row once a day, so a month's row holds its last recorded day: the trends of every
-- figure read from here.
CREATE TABLE scorecard_months (
    month      TEXT NOT NULL,
    manager_id BIGINT NOT NULL REFERENCES people(id),
    -- the figures as a JSON object of figure key to value (null: nothing to count)
    figures    TEXT NOT NULL,
    taken_on   TEXT NOT NULL,
    PRIMARY KEY (month, manager_id)
);
CREATE INDEX scorecard_months_manager ON scorecard_months (manager_id, month);

CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scorecard_months
    FOR EACH STATEMENT EXECUTE FUNCTION trellis_note_change('other');
