-- +goose Up
-- Each derived table is defined once, by one set-based function over a set
-- of statements, which both the deferred trigger (derived_flush, 00007) and
-- gen's bulk load call. ids NULL means every statement.
--   rebuild_region_timeline(ids)   region_timeline, and the region_counts
--                                  ledger;
--   rebuild_stance_log(ids)        stance_log, and the actor_counts ledger;
--                                  returns the (actor, demand) pairs whose
--                                  rows it deleted or inserted (NULL: all);
--   rebuild_current_positions(actor_ids, demand_ids)
--                                  current_positions of those pairs (NULL:
--                                  every pair).
-- The ledgers are appended from exactly the rows a function deletes and
-- inserts (RETURNING), not recounted from the table: a recount could count
-- rows that a concurrent rebuild of the same statement removes meanwhile,
-- and an error in a ledger never heals.
--
-- The queries are joins that the planner runs as look-ups by statement for
-- a few ids and as hash joins over the whole tables for NULL.
-- force_custom_plan plans each call for its own ids, so that "ids IS NULL"
-- folds away: a cached generic plan would scan everything. (Planning every
-- call costs a save 1-2 ms more than the generic plans 00007 could cache.)
--
-- The functions the row triggers call, refresh_region_timeline and
-- refresh_stance_log, still only queue their ids (NULL: none).

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_region_timeline(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    WITH gone AS (
        DELETE FROM region_timeline WHERE ids IS NULL OR statement_id = ANY (ids)
        RETURNING region_id, date, statement_id, demand, stance
    )
    INSERT INTO region_counts (region_id, year, stance, rows, statements)
    SELECT region_id, year, stance, -count(*), -count(*) FILTER (WHERE first)
    FROM (SELECT region_id, extract(year FROM date)::int AS year, stance,
                 demand = min(demand) OVER (PARTITION BY region_id, statement_id) AS first
          FROM gone) g
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

    WITH reg AS (
        -- the timeline's regions: those the statement mentions, and those of
        -- the demands it takes positions on
        SELECT sr.statement_id, sr.region_id FROM statement_regions sr
        WHERE ids IS NULL OR sr.statement_id = ANY (ids)
        UNION
        SELECT p.statement_id, dr.region_id FROM positions p
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        JOIN demand_regions dr ON dr.demand_id = p.demand_id
        WHERE ids IS NULL OR p.statement_id = ANY (ids)
    ),
    named AS (
        SELECT sr.statement_id, array_agg(r.slug ORDER BY r.slug) AS slugs FROM statement_regions sr
        JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
        WHERE ids IS NULL OR sr.statement_id = ANY (ids)
        GROUP BY 1
    ),
    pd AS (
        SELECT p.statement_id, d.slug, p.stance FROM positions p
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE ids IS NULL OR p.statement_id = ANY (ids)
    ),
    added AS (
        INSERT INTO region_timeline (region_id, date, statement_id, demand, date_precision, actor, actor_slug,
                                     actor_side, stance, quote, summary, regions, occasion, attribution,
                                     source_outlet, source_title, source_url, source_published, source_precision)
        SELECT reg.region_id, s.date, s.id, coalesce(pd.slug, ''), s.date_precision, a.name, a.slug, a.side,
               coalesce(pd.stance, ''), s.quote, s.summary, coalesce(named.slugs, '{}'),
               s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
               src.published, coalesce(src.published_precision, 'day')
        FROM reg
        JOIN statements s ON s.id = reg.statement_id AND s.deleted_at IS NULL
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN regions rg ON rg.id = reg.region_id AND rg.deleted_at IS NULL
        LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
        LEFT JOIN named ON named.statement_id = s.id
        LEFT JOIN pd ON pd.statement_id = s.id
        -- in key order, so that after a bulk load each region's rows sit
        -- together on disk and an export reads them sequentially
        ORDER BY 1, 2, 3, 4
        RETURNING region_id, date, statement_id, demand, stance
    )
    INSERT INTO region_counts (region_id, year, stance, rows, statements)
    SELECT region_id, year, stance, count(*), count(*) FILTER (WHERE first)
    FROM (SELECT region_id, extract(year FROM date)::int AS year, stance,
                 demand = min(demand) OVER (PARTITION BY region_id, statement_id) AS first
          FROM added) g
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
END;
$$;
-- +goose StatementEnd

-- It now returns the pairs it touched, for rebuild_current_positions.
DROP FUNCTION rebuild_stance_log(bigint[]);

-- +goose StatementBegin
CREATE FUNCTION rebuild_stance_log(ids bigint[], OUT actor_ids bigint[], OUT demand_ids bigint[]) LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    -- For NULL the pairs are not collected: every pair is affected.
    WITH gone AS (DELETE FROM stance_log WHERE ids IS NULL OR statement_id = ANY (ids) RETURNING actor_id, demand_id),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, -count(*) FROM gone GROUP BY 1 ORDER BY 1)
    SELECT array_agg(actor_id), array_agg(demand_id) INTO actor_ids, demand_ids FROM gone WHERE ids IS NOT NULL;

    WITH added AS (
        INSERT INTO stance_log (statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution)
        SELECT s.id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous', s.date, s.date_precision,
               p.stance, s.attribution
        FROM statements s
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN positions p ON p.statement_id = s.id
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE s.deleted_at IS NULL AND (ids IS NULL OR s.id = ANY (ids))
        RETURNING actor_id, demand_id
    ),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, count(*) FROM added GROUP BY 1 ORDER BY 1)
    SELECT coalesce(actor_ids, '{}') || coalesce(array_agg(actor_id), '{}'),
           coalesce(demand_ids, '{}') || coalesce(array_agg(demand_id), '{}')
    INTO actor_ids, demand_ids FROM added WHERE ids IS NOT NULL;

    IF ids IS NULL THEN
        actor_ids := NULL;
        demand_ids := NULL;
    END IF;
END;
$$;

-- rebuild_current_positions recomputes the given (actor, demand) pairs'
-- rows, NULL meaning every pair stance_log or current_positions holds. Two
-- transactions writing the same pair must not each compute from a snapshot
-- missing the other's row, so it locks the pairs' rows first (inserting a
-- placeholder for a new pair), in key order, and then reads stance_log
-- afresh (see 00006). It reads stance_log by its (actor, demand, date)
-- index: one probe per pair.
CREATE FUNCTION rebuild_current_positions(actor_ids bigint[], demand_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF actor_ids IS NULL THEN
        SELECT array_agg(p.actor_id), array_agg(p.demand_id) INTO actor_ids, demand_ids FROM (
            SELECT l.actor_id, l.demand_id FROM stance_log l
            UNION
            SELECT c.actor_id, c.demand_id FROM current_positions c) p;
    END IF;
    IF coalesce(cardinality(actor_ids), 0) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO current_positions (actor_id, demand_id, statement_id, date, date_precision, stance, attribution)
    SELECT DISTINCT a, d, 0, '-infinity'::date, 'day', '', '' FROM unnest(actor_ids, demand_ids) AS p(a, d) ORDER BY a, d
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM current_positions c JOIN (SELECT DISTINCT a, d FROM unnest(actor_ids, demand_ids) AS p(a, d)) p
        ON c.actor_id = p.a AND c.demand_id = p.d
    ORDER BY c.actor_id, c.demand_id FOR UPDATE OF c;

    UPDATE current_positions c
    SET statement_id = l.statement_id, date = l.date, date_precision = l.date_precision,
        stance = l.stance, attribution = l.attribution
    FROM (SELECT DISTINCT a, d FROM unnest(actor_ids, demand_ids) AS p(a, d)) p
    CROSS JOIN LATERAL (
        SELECT l.statement_id, l.date, l.date_precision, l.stance, l.attribution FROM stance_log l
        WHERE l.actor_id = p.a AND l.demand_id = p.d
        ORDER BY l.date DESC, l.statement_id DESC LIMIT 1) l
    WHERE c.actor_id = p.a AND c.demand_id = p.d;
    DELETE FROM current_positions c
    USING (SELECT DISTINCT a, d FROM unnest(actor_ids, demand_ids) AS p(a, d)) p
    WHERE c.actor_id = p.a AND c.demand_id = p.d
      AND NOT EXISTS (SELECT 1 FROM stance_log l WHERE l.actor_id = p.a AND l.demand_id = p.d);
END;
$$;

-- derived_flush runs at commit once per queued id; the first run takes the
-- transaction's whole queue and rebuilds it, the others find it empty (and
-- pass no NULL on, which would mean every statement).
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

-- +goose Down
-- The functions return to their 00007 forms: rebuild_stance_log maintains
-- current_positions itself, and neither takes NULL for every statement.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION derived_flush() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP FUNCTION rebuild_current_positions(bigint[], bigint[]);
DROP FUNCTION rebuild_stance_log(bigint[]);
DROP FUNCTION rebuild_region_timeline(bigint[]);
-- +goose StatementBegin
CREATE FUNCTION rebuild_region_timeline(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        DELETE FROM region_timeline WHERE statement_id = ANY (ids)
        RETURNING region_id, date, statement_id, demand, stance
    )
    INSERT INTO region_counts (region_id, year, stance, rows, statements)
    SELECT region_id, year, stance, -count(*), -count(*) FILTER (WHERE first)
    FROM (SELECT region_id, extract(year FROM date)::int AS year, stance,
                 demand = min(demand) OVER (PARTITION BY region_id, statement_id) AS first
          FROM gone) g
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

    WITH added AS (
        INSERT INTO region_timeline
            SELECT reg.region_id, s.date, s.id, coalesce(pd.slug, ''), s.date_precision, a.name, a.slug, a.side,
                   coalesce(pd.stance, ''), s.quote, s.summary,
                   coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM statement_regions sr
                             JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
                             WHERE sr.statement_id = s.id), '{}'),
                   s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
                   src.published, coalesce(src.published_precision, 'day')
            FROM statements s
            JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
            LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
            JOIN LATERAL (
                -- the timeline's regions: those the statement mentions, and those of
                -- the demands it takes positions on
                SELECT sr.region_id FROM statement_regions sr WHERE sr.statement_id = s.id
                UNION
                SELECT dr.region_id FROM positions p
                JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
                JOIN demand_regions dr ON dr.demand_id = p.demand_id
                WHERE p.statement_id = s.id
            ) reg ON true
            JOIN regions rg ON rg.id = reg.region_id AND rg.deleted_at IS NULL
            LEFT JOIN LATERAL (
                SELECT d.slug, p.stance FROM positions p
                JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
                WHERE p.statement_id = s.id
            ) pd ON true
            WHERE s.id = ANY (ids) AND s.deleted_at IS NULL
        RETURNING region_id, date, statement_id, demand, stance
    )
    INSERT INTO region_counts (region_id, year, stance, rows, statements)
    SELECT region_id, year, stance, count(*), count(*) FILTER (WHERE first)
    FROM (SELECT region_id, extract(year FROM date)::int AS year, stance,
                 demand = min(demand) OVER (PARTITION BY region_id, statement_id) AS first
          FROM added) g
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
END;
$$;

CREATE FUNCTION rebuild_stance_log(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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
