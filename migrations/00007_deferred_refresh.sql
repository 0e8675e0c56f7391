-- +goose Up
-- Saving a statement inserts the statement, its positions and its regions:
-- three writes, each of whose triggers rebuilt the statement's rows of
-- region_timeline and stance_log, so every save rebuilt them three times.
-- Now the triggers queue the statement ids, and one deferred trigger
-- rebuilds each queued statement once, at commit, still inside the writing
-- transaction. The rebuild functions keep their bodies under new names;
-- refresh_region_timeline and refresh_stance_log, which every trigger
-- function calls, now queue.
ALTER FUNCTION refresh_region_timeline(bigint[]) RENAME TO rebuild_region_timeline;
ALTER FUNCTION refresh_stance_log(bigint[]) RENAME TO rebuild_stance_log;

CREATE TABLE derived_queue (
    xid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    statement_id bigint NOT NULL,
    PRIMARY KEY (xid, statement_id)
);

-- +goose StatementBegin
CREATE FUNCTION queue_derived(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO derived_queue (statement_id)
    SELECT DISTINCT id FROM unnest(ids) AS id WHERE id IS NOT NULL
    ON CONFLICT DO NOTHING;
$$;

CREATE FUNCTION refresh_region_timeline(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT queue_derived(ids);
$$;

CREATE FUNCTION refresh_stance_log(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT queue_derived(ids);
$$;

-- derived_flush runs at commit once per queued id; the first run takes the
-- transaction's whole queue and rebuilds it, the others find it empty.
CREATE FUNCTION derived_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    WITH taken AS (DELETE FROM derived_queue WHERE xid = pg_current_xact_id() RETURNING statement_id)
    SELECT array_agg(statement_id ORDER BY statement_id) INTO ids FROM taken;
    IF ids IS NOT NULL THEN
        PERFORM rebuild_region_timeline(ids);
        PERFORM rebuild_stance_log(ids);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER derived_flush AFTER INSERT ON derived_queue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION derived_flush();

-- +goose Down
DROP TRIGGER derived_flush ON derived_queue;
DROP FUNCTION derived_flush();
DROP FUNCTION refresh_stance_log(bigint[]);
DROP FUNCTION refresh_region_timeline(bigint[]);
DROP FUNCTION queue_derived(bigint[]);
DROP TABLE derived_queue;
ALTER FUNCTION rebuild_stance_log(bigint[]) RENAME TO refresh_stance_log;
ALTER FUNCTION rebuild_region_timeline(bigint[]) RENAME TO refresh_region_timeline;
