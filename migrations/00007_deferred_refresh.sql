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


-- The queue rebuilds both tables for every queued statement, and the
-- region_timeline triggers queue every statement any stance_log trigger
-- did (statements, positions, actors, demands): those are now redundant.
DROP TRIGGER stance_log_statements_ins ON statements;
DROP TRIGGER stance_log_statements_upd ON statements;
DROP TRIGGER stance_log_positions_ins ON positions;
DROP TRIGGER stance_log_positions_del ON positions;
DROP TRIGGER stance_log_positions_upd_old ON positions;
DROP TRIGGER stance_log_positions_upd_new ON positions;
DROP TRIGGER stance_log_actors_upd ON actors;
DROP TRIGGER stance_log_demands_upd ON demands;
DROP FUNCTION stance_log_statements();
DROP FUNCTION stance_log_positions();
DROP FUNCTION stance_log_actors();
DROP FUNCTION stance_log_demands();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION stance_log_statements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stance_log(array_agg(DISTINCT id)) FROM changed;
    RETURN NULL;
END;
$$;

CREATE FUNCTION stance_log_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stance_log(array_agg(DISTINCT statement_id)) FROM changed;
    RETURN NULL;
END;
$$;

CREATE FUNCTION stance_log_actors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stance_log(array_agg(s.id)) FROM statements s WHERE s.actor_id IN (SELECT id FROM changed);
    RETURN NULL;
END;
$$;

CREATE FUNCTION stance_log_demands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stance_log(array_agg(DISTINCT p.statement_id)) FROM positions p
    WHERE p.demand_id IN (SELECT id FROM changed);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER stance_log_statements_ins AFTER INSERT ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_statements();
CREATE TRIGGER stance_log_statements_upd AFTER UPDATE ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_statements();
CREATE TRIGGER stance_log_positions_ins AFTER INSERT ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_positions_del AFTER DELETE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_positions_upd_old AFTER UPDATE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_positions_upd_new AFTER UPDATE ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_actors_upd AFTER UPDATE ON actors
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_actors();
CREATE TRIGGER stance_log_demands_upd AFTER UPDATE ON demands
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_demands();
DROP TRIGGER derived_flush ON derived_queue;
DROP FUNCTION derived_flush();
DROP FUNCTION refresh_stance_log(bigint[]);
DROP FUNCTION refresh_region_timeline(bigint[]);
DROP FUNCTION queue_derived(bigint[]);
DROP TABLE derived_queue;
ALTER FUNCTION rebuild_stance_log(bigint[]) RENAME TO refresh_stance_log;
ALTER FUNCTION rebuild_region_timeline(bigint[]) RENAME TO refresh_region_timeline;
