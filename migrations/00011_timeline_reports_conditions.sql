-- +goose Up
-- (v2) The region timeline carries what an export of it needs of the v2
-- model, so a region's export still reads one table in key order: how many
-- sources report each statement, and each position's conditions (as the
-- CSV writes them). Reports and conditions changing queue their statement
-- for the rebuild at commit, as positions do.

ALTER TABLE region_timeline ADD COLUMN report_count integer NOT NULL DEFAULT 0,
    ADD COLUMN conditions text NOT NULL DEFAULT '';

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

CREATE TRIGGER region_timeline_reports_ins AFTER INSERT ON reports
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_reports_del AFTER DELETE ON reports
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_conditions_ins AFTER INSERT ON position_conditions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_conditions_del AFTER DELETE ON position_conditions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();

-- The existing rows gain their counts and conditions: every statement has
-- a report since 00010, so every row is rebuilt.
SELECT rebuild_region_timeline(NULL) WHERE EXISTS (SELECT 1 FROM reports);

-- +goose Down
DROP TRIGGER region_timeline_conditions_del ON position_conditions;
DROP TRIGGER region_timeline_conditions_ins ON position_conditions;
DROP TRIGGER region_timeline_reports_del ON reports;
DROP TRIGGER region_timeline_reports_ins ON reports;
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
ALTER TABLE region_timeline DROP COLUMN conditions, DROP COLUMN report_count;
