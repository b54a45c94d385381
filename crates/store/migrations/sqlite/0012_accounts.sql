-- Mail Trellis sends, each once: its idempotency key makes queuing it twice a no-op, and
-- its Message-ID stays the same across retries. A `mail` job (payload: the mail's id)
-- delivers it. Read fresh (never cached), like the audit log: no change-counter trigger.
CREATE TABLE mails (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    person_id       INTEGER REFERENCES people(id),
    to_address      TEXT NOT NULL,
    to_name         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    failed_at       BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    CONSTRAINT mails_key_unique UNIQUE (idempotency_key)
);
CREATE INDEX mails_created ON mails (created_at);

-- Single-use links: invitations (7 days), password resets (1 hour) and one-time sign-in
-- links from the command line. Only the SHA-256 of the token is kept. Read fresh.
CREATE TABLE account_tokens (
    id           INTEGER PRIMARY KEY,
    token_digest TEXT NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    purpose      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   INTEGER REFERENCES people(id),
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT,
    CONSTRAINT account_tokens_digest_unique UNIQUE (token_digest)
);
CREATE INDEX account_tokens_person ON account_tokens (person_id, purpose);
