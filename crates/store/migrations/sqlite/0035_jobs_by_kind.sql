-- Waiting jobs by kind: a worker that runs only some kinds (housekeeping on a server that
-- sends no mail, the backup job) finds its next job here instead of reading past every
-- waiting job of other kinds, such as notifications queued for a mailer.
CREATE INDEX jobs_waiting_by_kind ON jobs (kind, run_at, id) WHERE done_at IS NULL;
