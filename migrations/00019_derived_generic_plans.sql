-- +goose Up
-- The derived tables' rebuild functions ran each statement with a custom
-- plan (force_custom_plan), since "ids IS NULL OR statement_id = ANY (ids)"
-- needs the value of ids to plan well: for a save that re-planned a dozen
-- joins at every commit, about half of the rebuild's time. Each function
-- now has two branches: every statement (ids NULL, for gen and repairs),
-- and the given statements, whose statements mention only "= ANY (ids)"
-- and so are planned once per session (a generic plan) and reused. The
-- two branches say the same thing; a change to one must be made to both
-- (TestDerivedTablesMatchAFullRebuild compares them).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_region_timeline(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        WITH gone AS (
            DELETE FROM region_timeline
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
            UNION
            SELECT p.statement_id, dr.region_id FROM positions p
            JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
            JOIN demand_regions dr ON dr.demand_id = p.demand_id
        ),
        named AS (
            SELECT sr.statement_id, array_agg(r.slug ORDER BY r.slug) AS slugs FROM statement_regions sr
            JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
            GROUP BY 1
        ),
        rc AS (
            -- how many sources report each statement
            SELECT rp.statement_id, count(*)::int AS n FROM reports rp
            GROUP BY 1
        ),
        pcs AS (
            -- each position's conditions as the CSV writes them
            SELECT pc.statement_id, pc.demand_id,
                   string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug) AS text
            FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
            GROUP BY 1, 2
        ),
        pd AS (
            SELECT p.statement_id, p.demand_id, d.slug, p.stance FROM positions p
            JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        ),
        added AS (
            INSERT INTO region_timeline (region_id, date, statement_id, demand, date_precision, actor, actor_slug,
                                         actor_side, stance, quote, summary, regions, occasion, attribution,
                                         source_outlet, source_title, source_url, source_published, source_precision,
                                         report_count, conditions)
            SELECT reg.region_id, s.date, s.id, coalesce(pd.slug, ''), s.date_precision, a.name, a.slug, a.side,
                   coalesce(pd.stance, ''), s.quote, s.summary, coalesce(named.slugs, '{}'),
                   s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
                   src.published, coalesce(src.published_precision, 'day'),
                   coalesce(rc.n, 0), coalesce(pcs.text, '')
            FROM reg
            JOIN statements s ON s.id = reg.statement_id AND s.deleted_at IS NULL
            JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
            JOIN regions rg ON rg.id = reg.region_id AND rg.deleted_at IS NULL
            LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
            LEFT JOIN named ON named.statement_id = s.id
            LEFT JOIN pd ON pd.statement_id = s.id
            LEFT JOIN rc ON rc.statement_id = s.id
            LEFT JOIN pcs ON pcs.statement_id = s.id AND pcs.demand_id = pd.demand_id
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
        RETURN;
    END IF;

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

    WITH reg AS (
        -- the timeline's regions: those the statement mentions, and those of
        -- the demands it takes positions on
        SELECT sr.statement_id, sr.region_id FROM statement_regions sr
        WHERE sr.statement_id = ANY (ids)
        UNION
        SELECT p.statement_id, dr.region_id FROM positions p
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        JOIN demand_regions dr ON dr.demand_id = p.demand_id
        WHERE p.statement_id = ANY (ids)
    ),
    named AS (
        SELECT sr.statement_id, array_agg(r.slug ORDER BY r.slug) AS slugs FROM statement_regions sr
        JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
        WHERE sr.statement_id = ANY (ids)
        GROUP BY 1
    ),
    rc AS (
        -- how many sources report each statement
        SELECT rp.statement_id, count(*)::int AS n FROM reports rp
        WHERE rp.statement_id = ANY (ids)
        GROUP BY 1
    ),
    pcs AS (
        -- each position's conditions as the CSV writes them
        SELECT pc.statement_id, pc.demand_id,
               string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug) AS text
        FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
        WHERE pc.statement_id = ANY (ids)
        GROUP BY 1, 2
    ),
    pd AS (
        SELECT p.statement_id, p.demand_id, d.slug, p.stance FROM positions p
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE p.statement_id = ANY (ids)
    ),
    added AS (
        INSERT INTO region_timeline (region_id, date, statement_id, demand, date_precision, actor, actor_slug,
                                     actor_side, stance, quote, summary, regions, occasion, attribution,
                                     source_outlet, source_title, source_url, source_published, source_precision,
                                     report_count, conditions)
        SELECT reg.region_id, s.date, s.id, coalesce(pd.slug, ''), s.date_precision, a.name, a.slug, a.side,
               coalesce(pd.stance, ''), s.quote, s.summary, coalesce(named.slugs, '{}'),
               s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
               src.published, coalesce(src.published_precision, 'day'),
               coalesce(rc.n, 0), coalesce(pcs.text, '')
        FROM reg
        JOIN statements s ON s.id = reg.statement_id AND s.deleted_at IS NULL
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN regions rg ON rg.id = reg.region_id AND rg.deleted_at IS NULL
        LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
        LEFT JOIN named ON named.statement_id = s.id
        LEFT JOIN pd ON pd.statement_id = s.id
        LEFT JOIN rc ON rc.statement_id = s.id
        LEFT JOIN pcs ON pcs.statement_id = s.id AND pcs.demand_id = pd.demand_id
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_stance_log(ids bigint[], OUT actor_ids bigint[], OUT demand_ids bigint[]) LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        -- Every statement: the pairs are not collected (every pair is affected).
        WITH gone AS (DELETE FROM stance_log RETURNING actor_id)
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
            WHERE s.deleted_at IS NULL
            RETURNING actor_id
        )
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, count(*) FROM added GROUP BY 1 ORDER BY 1;
        RETURN;
    END IF;

    WITH gone AS (DELETE FROM stance_log WHERE statement_id = ANY (ids) RETURNING actor_id, demand_id),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, -count(*) FROM gone GROUP BY 1 ORDER BY 1)
    SELECT array_agg(actor_id), array_agg(demand_id) INTO actor_ids, demand_ids FROM gone;

    WITH added AS (
        INSERT INTO stance_log (statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution)
        SELECT s.id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous', s.date, s.date_precision,
               p.stance, s.attribution
        FROM statements s
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN positions p ON p.statement_id = s.id
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE s.deleted_at IS NULL AND s.id = ANY (ids)
        RETURNING actor_id, demand_id
    ),
    counted AS (
        INSERT INTO actor_counts (actor_id, positions)
        SELECT actor_id, count(*) FROM added GROUP BY 1 ORDER BY 1)
    SELECT coalesce(actor_ids, '{}') || coalesce(array_agg(actor_id), '{}'),
           coalesce(demand_ids, '{}') || coalesce(array_agg(demand_id), '{}')
    INTO actor_ids, demand_ids FROM added;
END;
$$;
-- +goose StatementEnd

-- +goose Down
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
    rc AS (
        -- how many sources report each statement
        SELECT rp.statement_id, count(*)::int AS n FROM reports rp
        WHERE ids IS NULL OR rp.statement_id = ANY (ids)
        GROUP BY 1
    ),
    pcs AS (
        -- each position's conditions as the CSV writes them
        SELECT pc.statement_id, pc.demand_id,
               string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug) AS text
        FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
        WHERE ids IS NULL OR pc.statement_id = ANY (ids)
        GROUP BY 1, 2
    ),
    pd AS (
        SELECT p.statement_id, p.demand_id, d.slug, p.stance FROM positions p
        JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
        WHERE ids IS NULL OR p.statement_id = ANY (ids)
    ),
    added AS (
        INSERT INTO region_timeline (region_id, date, statement_id, demand, date_precision, actor, actor_slug,
                                     actor_side, stance, quote, summary, regions, occasion, attribution,
                                     source_outlet, source_title, source_url, source_published, source_precision,
                                     report_count, conditions)
        SELECT reg.region_id, s.date, s.id, coalesce(pd.slug, ''), s.date_precision, a.name, a.slug, a.side,
               coalesce(pd.stance, ''), s.quote, s.summary, coalesce(named.slugs, '{}'),
               s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
               src.published, coalesce(src.published_precision, 'day'),
               coalesce(rc.n, 0), coalesce(pcs.text, '')
        FROM reg
        JOIN statements s ON s.id = reg.statement_id AND s.deleted_at IS NULL
        JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
        JOIN regions rg ON rg.id = reg.region_id AND rg.deleted_at IS NULL
        LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
        LEFT JOIN named ON named.statement_id = s.id
        LEFT JOIN pd ON pd.statement_id = s.id
        LEFT JOIN rc ON rc.statement_id = s.id
        LEFT JOIN pcs ON pcs.statement_id = s.id AND pcs.demand_id = pd.demand_id
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_stance_log(ids bigint[], OUT actor_ids bigint[], OUT demand_ids bigint[]) LANGUAGE plpgsql
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
-- +goose StatementEnd
