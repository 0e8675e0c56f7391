-- +goose Up
-- Two-person review. The record tables hold only the vetted (published)
-- version; a proposed change waits here as a candidate: the proposal (the
-- input the write takes) and a preview of what it would store. Approving
-- applies the proposal in the approver's transaction through the same
-- write path as an unreviewed save.
CREATE TABLE candidates (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('statement', 'actor', 'demand', 'region', 'source', 'side', 'import')),
    op              text NOT NULL CHECK (op IN ('create', 'update', 'delete', 'restore', 'revert', 'import')),
    record_key      text,   -- slug or id of the record changed; null for create and import
    proposal        jsonb NOT NULL,
    preview         jsonb NOT NULL DEFAULT '[]', -- [{kind, id, data}] as the change would store them
    impact          jsonb NOT NULL DEFAULT '{}', -- what it changed in the figures when proposed
    summary         text NOT NULL,
    author_id       bigint NOT NULL REFERENCES users (id),
    last_editor_id  bigint NOT NULL REFERENCES users (id),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason          text,
    decided_by      bigint REFERENCES users (id),
    decided_at      timestamptz,
    result_key      text,   -- the record the approval created or changed
    idempotency_key uuid UNIQUE,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT candidates_decided_check CHECK ((status = 'pending') = (decided_by IS NULL)),
    -- The rule itself: nobody approves their own change, nor one they
    -- were the last to edit.
    CONSTRAINT candidates_second_editor_check CHECK (status <> 'approved' OR (decided_by <> author_id AND decided_by <> last_editor_id)),
    CONSTRAINT candidates_reason_check CHECK (status <> 'rejected' OR length(btrim(coalesce(reason, ''))) > 0)
);
CREATE INDEX candidates_pending_idx ON candidates (created_at, id) WHERE status = 'pending';
CREATE INDEX candidates_record_idx ON candidates (kind, record_key) WHERE status = 'pending';
CREATE INDEX candidates_author_idx ON candidates (author_id, updated_at DESC);

-- Who approved each version. The approving transaction sets
-- parley.approver_id; a revision can never name its proposer as its
-- approver.
-- (Defaults set apart from the columns, so old rows stay NULL without a
-- rewrite of the table.)
ALTER TABLE revisions
    ADD COLUMN approved_by_id bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN approved_by text,
    ADD COLUMN candidate_id bigint REFERENCES candidates (id),
    ADD CONSTRAINT revisions_second_editor_check CHECK (approved_by_id IS NULL OR approved_by_id IS DISTINCT FROM user_id);
ALTER TABLE revisions
    ALTER COLUMN approved_by_id SET DEFAULT nullif(current_setting('parley.approver_id', true), '')::bigint,
    ALTER COLUMN approved_by SET DEFAULT nullif(current_setting('parley.approver_email', true), ''),
    ALTER COLUMN candidate_id SET DEFAULT nullif(current_setting('parley.candidate_id', true), '')::bigint;

-- +goose Down
ALTER TABLE revisions DROP CONSTRAINT revisions_second_editor_check,
    DROP COLUMN candidate_id, DROP COLUMN approved_by, DROP COLUMN approved_by_id;
DROP TABLE candidates;
