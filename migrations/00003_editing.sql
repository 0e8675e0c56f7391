-- +goose Up
-- Sign-in attempts, for throttling (shared by every app instance) and audit.
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    ip         text NOT NULL,
    success    boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (lower(email), created_at DESC);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at DESC);

-- Possible-duplicate detection compares new statements with an actor's
-- others by trigram similarity.
CREATE INDEX statements_summary_trgm_idx ON statements USING gin (summary gin_trgm_ops);

-- +goose Down
DROP INDEX statements_summary_trgm_idx;
DROP TABLE login_attempts;
