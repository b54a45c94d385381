-- Provisioning from an identity provider over SCIM 2.0: tokens that act as a service (not a
-- person), the SCIM resource of each person a provider manages, groups of people, and the
-- record that pauses a provider which deactivates too many people at once.
CREATE TABLE scim_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_by   INTEGER REFERENCES people(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- The person behind each SCIM User. What Trellis keeps of a person (name, e-mail, title,
-- manager, team, time zone, status) lives in people; this keeps what only SCIM has, so that
-- a provider reads back what it wrote.
CREATE TABLE scim_users (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id),
    user_name     TEXT NOT NULL,
    -- userName is unique case-insensitively.
    user_name_key TEXT NOT NULL UNIQUE,
    external_id   TEXT,
    -- JSON: name, displayName, emails, preferredLanguage, division.
    attributes    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX scim_users_external_id ON scim_users (external_id);

-- Groups of people, many to many (a person has one team; an identity provider's groups are
-- often access groups): audiences for review cycles and programmes.
CREATE TABLE person_groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    external_id TEXT,
    -- 'scim' when an identity provider manages it.
    source      TEXT NOT NULL DEFAULT 'trellis',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE person_group_members (
    group_id  INTEGER NOT NULL REFERENCES person_groups(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX person_group_members_person ON person_group_members (person_id);

-- Deactivations made over SCIM, for the pause that stops a provider deactivating more than
-- a quarter of active people within an hour.
CREATE TABLE scim_deactivations (
    person_id INTEGER NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX scim_deactivations_at ON scim_deactivations (at);
CREATE TABLE scim_pause (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    paused_at  BIGINT,
    reason     TEXT NOT NULL DEFAULT '',
    resumed_at BIGINT,
    resumed_by INTEGER REFERENCES people(id)
);
