-- Single sign-on with OpenID Connect. Read fresh (only sign-in and the admins' pages read
-- these): no change-counter trigger.

-- A person's account at a provider, by (issuer, subject): never by e-mail alone.
-- linked_by is the admin who linked it by hand; NULL when a verified e-mail matched it at
-- the first sign-in.
CREATE TABLE sso_identities (
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    person_id       BIGINT NOT NULL REFERENCES people(id),
    email           TEXT,
    linked_at       BIGINT NOT NULL,
    linked_by       BIGINT REFERENCES people(id),
    last_sign_in_at BIGINT,
    PRIMARY KEY (issuer, subject),
    CONSTRAINT sso_identities_person_unique UNIQUE (issuer, person_id)
);

-- Sign-ins under way, between the redirect to the provider and its callback: single-use
-- (the callback deletes the row it reads) and bound to the browser that started them.
CREATE TABLE sso_sign_ins (
    state_digest   TEXT PRIMARY KEY,
    browser_digest TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    next_path      TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX sso_sign_ins_created ON sso_sign_ins (created_at);

-- Sign-ins refused for want of a match, for an admin to link by hand (newest per account).
CREATE TABLE sso_refusals (
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT,
    name         TEXT,
    reason       TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
