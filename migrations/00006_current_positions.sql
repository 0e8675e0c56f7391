-- +goose Up
-- current_positions holds each actor's latest stance on each demand (the
-- newest stance_log row of the pair), so the dashboard's matrix reads 1,200
-- rows by key instead of probing an index 1,200 times.
--
-- refresh_stance_log recomputes the pairs its statements touch. Two
-- transactions writing the same pair must not each compute from a snapshot
-- missing the other's row, so the recomputation locks the pair's row first
-- (inserting a placeholder for a new pair), in key order, and then reads
-- stance_log afresh: a concurrent writer of the pair has either committed
-- (and is seen) or waits for the lock and recomputes after this one commits.
-- This relies on READ COMMITTED, the default and what Parley uses.
CREATE TABLE current_positions (
    actor_id       bigint NOT NULL,
    demand_id      bigint NOT NULL,
    statement_id   bigint NOT NULL,
    date           date NOT NULL,
    date_precision text NOT NULL,
    stance         text NOT NULL,
    attribution    text NOT NULL,
    PRIMARY KEY (actor_id, demand_id)
);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_stance_log(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pa bigint[]; -- the affected pairs: actors
    pd bigint[]; -- and demands
BEGIN
    WITH gone AS (DELETE FROM stance_log WHERE statement_id = ANY (ids) RETURNING actor_id, demand_id),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, -count(*) FROM gone GROUP BY 1 ORDER BY 1)
    SELECT array_agg(actor_id), array_agg(demand_id) INTO pa, pd FROM gone;

    WITH added AS (
        INSERT INTO stance_log (statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution)
        SELECT s.id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous', s.date, s.date_precision,
               p.stance, s.attribution
        FROM statements s
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN positions p ON p.statement_id = s.id
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE s.id = ANY (ids) AND s.deleted_at IS NULL
        RETURNING actor_id, demand_id
    ),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, count(*) FROM added GROUP BY 1 ORDER BY 1)
    SELECT coalesce(pa, '{}') || coalesce(array_agg(actor_id), '{}'), coalesce(pd, '{}') || coalesce(array_agg(demand_id), '{}')
    INTO pa, pd FROM added;

    IF cardinality(pa) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO current_positions (actor_id, demand_id, statement_id, date, date_precision, stance, attribution)
    SELECT DISTINCT a, d, 0, '-infinity'::date, 'day', '', '' FROM unnest(pa, pd) AS p(a, d) ORDER BY a, d
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM current_positions c JOIN (SELECT DISTINCT a, d FROM unnest(pa, pd) AS p(a, d)) p
        ON c.actor_id = p.a AND c.demand_id = p.d
    ORDER BY c.actor_id, c.demand_id FOR UPDATE OF c;

    UPDATE current_positions c
    SET statement_id = l.statement_id, date = l.date, date_precision = l.date_precision,
        stance = l.stance, attribution = l.attribution
    FROM (SELECT DISTINCT a, d FROM unnest(pa, pd) AS p(a, d)) p
    CROSS JOIN LATERAL (
        SELECT l.statement_id, l.date, l.date_precision, l.stance, l.attribution FROM stance_log l
        WHERE l.actor_id = p.a AND l.demand_id = p.d
        ORDER BY l.date DESC, l.statement_id DESC LIMIT 1) l
    WHERE c.actor_id = p.a AND c.demand_id = p.d;
    DELETE FROM current_positions c
    USING (SELECT DISTINCT a, d FROM unnest(pa, pd) AS p(a, d)) p
    WHERE c.actor_id = p.a AND c.demand_id = p.d
      AND NOT EXISTS (SELECT 1 FROM stance_log l WHERE l.actor_id = p.a AND l.demand_id = p.d);
END;
$$;
-- +goose StatementEnd

-- Every filter form lists the actors by side and name: read in index order,
-- thousands of names need no sort.
CREATE INDEX actors_side_name_idx ON actors (side, name) WHERE deleted_at IS NULL;

INSERT INTO current_positions (actor_id, demand_id, statement_id, date, date_precision, stance, attribution)
SELECT DISTINCT ON (actor_id, demand_id) actor_id, demand_id, statement_id, date, date_precision, stance, attribution
FROM stance_log ORDER BY actor_id, demand_id, date DESC, statement_id DESC;
ANALYZE current_positions;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_stance_log(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (DELETE FROM stance_log WHERE statement_id = ANY (ids) RETURNING actor_id)
    INSERT INTO actor_counts (actor_id, positions)
    SELECT actor_id, -count(*) FROM gone GROUP BY 1 ORDER BY 1;

    WITH added AS (
        INSERT INTO stance_log (statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution)
        SELECT s.id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous', s.date, s.date_precision,
               p.stance, s.attribution
        FROM statements s
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN positions p ON p.statement_id = s.id
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE s.id = ANY (ids) AND s.deleted_at IS NULL
        RETURNING actor_id
    )
    INSERT INTO actor_counts (actor_id, positions)
    SELECT actor_id, count(*) FROM added GROUP BY 1 ORDER BY 1;
END;
$$;
-- +goose StatementEnd
DROP INDEX actors_side_name_idx;
DROP TABLE current_positions;
