-- +goose Up
-- (v2) Releases: named, immutable snapshots of every vetted record, as a
-- Frictionless Data Package. The files live in the database, so every
-- instance serves them and a backup keeps them; each is stored compressed
-- (raw DEFLATE, as a zip member is) in chunks, so nothing ever holds a
-- whole file in memory. Nothing here is ever updated or deleted.

CREATE TABLE releases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]+([.-][a-z0-9]+)*$' AND length(name) <= 100),
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
    previous_id bigint REFERENCES releases (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT '',
    changelog   jsonb NOT NULL
);

CREATE TABLE release_files (
    -- (checked at commit: a release's row is written last, with its changelog)
    release_id      bigint NOT NULL REFERENCES releases (id) DEFERRABLE INITIALLY DEFERRED,
    path            text NOT NULL CHECK (path ~ '^[a-z0-9_.-]+$'),
    position        integer NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    crc32           bigint NOT NULL,
    bytes           bigint NOT NULL CHECK (bytes >= 0),
    deflated_bytes  bigint NOT NULL CHECK (deflated_bytes >= 0),
    PRIMARY KEY (release_id, path)
);

CREATE TABLE release_chunks (
    release_id bigint NOT NULL,
    path       text NOT NULL,
    seq        integer NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (release_id, path, seq),
    FOREIGN KEY (release_id, path) REFERENCES release_files (release_id, path) DEFERRABLE INITIALLY DEFERRED
);
-- The chunks are compressed already: PostgreSQL need not try again.
ALTER TABLE release_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose StatementBegin
CREATE FUNCTION releases_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'releases never change: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON releases
    FOR EACH ROW EXECUTE FUNCTION releases_immutable();
CREATE TRIGGER release_files_immutable BEFORE UPDATE OR DELETE ON release_files
    FOR EACH ROW EXECUTE FUNCTION releases_immutable();
CREATE TRIGGER release_chunks_immutable BEFORE UPDATE OR DELETE ON release_chunks
    FOR EACH ROW EXECUTE FUNCTION releases_immutable();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON releases
    FOR EACH STATEMENT EXECUTE FUNCTION releases_immutable();
CREATE TRIGGER release_files_no_truncate BEFORE TRUNCATE ON release_files
    FOR EACH STATEMENT EXECUTE FUNCTION releases_immutable();
CREATE TRIGGER release_chunks_no_truncate BEFORE TRUNCATE ON release_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION releases_immutable();

-- +goose Down
DROP TABLE release_chunks;
DROP TABLE release_files;
DROP TABLE releases;
DROP FUNCTION releases_immutable();
