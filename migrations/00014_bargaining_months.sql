-- +goose Up
-- (v2) The bargaining space month by month: the figures at the end of each
-- complete month, computed on first read and kept here. Never stale: every
-- write that could change a month's figures invalidates it in the writing
-- transaction, and a reader stores what it computed only if no write
-- invalidated the month since its snapshot (the generation it read is
-- still current, checked under the row's lock; see store/bargaining.go).
CREATE TABLE bargaining_months (
    month  date PRIMARY KEY CHECK (month = date_trunc('month', month)),
    gen    bigint NOT NULL DEFAULT 0,
    -- the figures and the statements that moved them since the month
    -- before, NULL until computed; and the parties' positions they come
    -- from (read only for the month a new one is compared with)
    result    jsonb,
    positions jsonb
);

-- Bumped by writes that may change every month (a side's role, a demand's
-- converse): months a reader is about to create do not exist yet to be
-- invalidated, so a reader also checks this did not move.
CREATE TABLE bargaining_epoch (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    n        bigint NOT NULL DEFAULT 0
);
INSERT INTO bargaining_epoch DEFAULT VALUES;

-- +goose StatementBegin
-- invalidate_bargaining forgets the months a change dated from_date
-- affects: that month and every later one (NULL: every month). It creates
-- the rows up to next month, so a reader computing a month it has not yet
-- stored waits for this transaction and then sees the new generation.
CREATE FUNCTION invalidate_bargaining(from_date date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF from_date IS NULL THEN
        UPDATE bargaining_epoch SET n = n + 1;
        PERFORM 1 FROM bargaining_months ORDER BY month FOR UPDATE;
        UPDATE bargaining_months SET gen = gen + 1, result = NULL, positions = NULL;
        RETURN;
    END IF;
    INSERT INTO bargaining_months AS b (month)
    SELECT m::date FROM generate_series(date_trunc('month', least(from_date, current_date)),
                                        date_trunc('month', current_date) + interval '1 month', interval '1 month') m
    ORDER BY 1
    ON CONFLICT (month) DO UPDATE SET gen = b.gen + 1, result = NULL, positions = NULL;
END;
$$;

-- derived_flush (00008) also invalidates the bargaining months from the
-- earliest date the queued statements' positions had or now have.
CREATE OR REPLACE FUNCTION derived_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    pair_actors bigint[];
    pair_demands bigint[];
    was date;
    now_ date;
BEGIN
    WITH taken AS (DELETE FROM derived_queue WHERE xid = pg_current_xact_id() RETURNING statement_id)
    SELECT array_agg(statement_id ORDER BY statement_id) INTO ids FROM taken;
    IF ids IS NOT NULL THEN
        SELECT min(date) INTO was FROM stance_log WHERE statement_id = ANY (ids);
        PERFORM rebuild_region_timeline(ids);
        SELECT actor_ids, demand_ids INTO pair_actors, pair_demands FROM rebuild_stance_log(ids);
        PERFORM rebuild_current_positions(pair_actors, pair_demands);
        SELECT min(date) INTO now_ FROM stance_log WHERE statement_id = ANY (ids);
        IF was IS NOT NULL OR now_ IS NOT NULL THEN
            PERFORM invalidate_bargaining(least(was, now_));
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION bargaining_invalidate_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM invalidate_bargaining(NULL);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Who is a party, and which demands are one question, change every month.
CREATE TRIGGER bargaining_sides AFTER INSERT OR DELETE OR UPDATE OF slug, role, deleted_at ON sides
    FOR EACH STATEMENT EXECUTE FUNCTION bargaining_invalidate_all();
CREATE TRIGGER bargaining_demands AFTER INSERT OR DELETE OR UPDATE OF converse_id, deleted_at ON demands
    FOR EACH STATEMENT EXECUTE FUNCTION bargaining_invalidate_all();
CREATE TRIGGER bargaining_actors AFTER UPDATE OF side, deleted_at ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION bargaining_invalidate_all();

-- +goose Down
DROP TRIGGER bargaining_actors ON actors;
DROP TRIGGER bargaining_demands ON demands;
DROP TRIGGER bargaining_sides ON sides;
DROP FUNCTION bargaining_invalidate_all();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION derived_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    pair_actors bigint[];
    pair_demands bigint[];
BEGIN
    WITH taken AS (DELETE FROM derived_queue WHERE xid = pg_current_xact_id() RETURNING statement_id)
    SELECT array_agg(statement_id ORDER BY statement_id) INTO ids FROM taken;
    IF ids IS NOT NULL THEN
        PERFORM rebuild_region_timeline(ids);
        SELECT actor_ids, demand_ids INTO pair_actors, pair_demands FROM rebuild_stance_log(ids);
        PERFORM rebuild_current_positions(pair_actors, pair_demands);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION invalidate_bargaining(date);
DROP TABLE bargaining_epoch;
DROP TABLE bargaining_months;
