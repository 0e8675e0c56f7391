-- +goose Up
-- Derived tables that keep the dashboard and the region page fast at a
-- million statements, each maintained by triggers in the writing
-- transaction, like region_timeline (00004):
--   stance_log     every live position with its actor, side and date, indexed
--                  for "an actor's latest stance on a demand" and "a side's
--                  latest stance on a demand", as of any day;
--   actor_counts   positions per actor, to rank actors for the matrix;
--   region_counts  timeline rows and statements per region, year and stance,
--                  for the region page's chart and totals.
-- The two count tables are ledgers: writers only append (+n/-n) rows, so
-- concurrent editors never wait on or deadlock over a shared counter row;
-- readers sum, and compact_counts() folds the rows together now and then.

CREATE TABLE stance_log (
    statement_id   bigint NOT NULL,
    demand_id      bigint NOT NULL,
    actor_id       bigint NOT NULL,
    side           text NOT NULL,
    named          boolean NOT NULL, -- attribution is not anonymous
    date           date NOT NULL,
    date_precision text NOT NULL,
    stance         text NOT NULL,
    attribution    text NOT NULL,
    PRIMARY KEY (statement_id, demand_id)
);
CREATE INDEX stance_log_actor_idx ON stance_log (actor_id, demand_id, date DESC, statement_id DESC)
    INCLUDE (stance, date_precision, attribution);
CREATE INDEX stance_log_side_idx ON stance_log (demand_id, side, named, date DESC, statement_id DESC)
    INCLUDE (stance, date_precision);

CREATE TABLE actor_counts (
    actor_id  bigint NOT NULL,
    positions bigint NOT NULL
);
CREATE INDEX actor_counts_actor_idx ON actor_counts (actor_id);

CREATE TABLE region_counts (
    region_id  bigint NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    year       integer NOT NULL,
    stance     text NOT NULL,   -- '' for a statement without positions
    rows       bigint NOT NULL, -- timeline rows (one per position)
    statements bigint NOT NULL  -- statements, each counted on its first row
);
CREATE INDEX region_counts_region_idx ON region_counts (region_id);

-- A hard DELETE of a statement must also take its rows out of the ledgers,
-- so region_timeline's rows go through refresh_region_timeline, not a
-- cascade.
ALTER TABLE region_timeline DROP CONSTRAINT region_timeline_statement_id_fkey;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_region_timeline(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- refresh_stance_log rebuilds the stance_log rows of the given statements.
CREATE FUNCTION refresh_stance_log(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- compact_counts folds each ledger's rows into one row per key. Rows a
-- concurrent writer appends meanwhile are not in this snapshot and stay.
CREATE FUNCTION compact_counts() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM actor_counts RETURNING *)
    INSERT INTO actor_counts (actor_id, positions)
    SELECT actor_id, sum(positions) FROM gone GROUP BY 1 HAVING sum(positions) <> 0;

    WITH gone AS (DELETE FROM region_counts RETURNING *)
    INSERT INTO region_counts (region_id, year, stance, rows, statements)
    SELECT region_id, year, stance, sum(rows), sum(statements) FROM gone
    GROUP BY 1, 2, 3 HAVING sum(rows) <> 0 OR sum(statements) <> 0;
$$;

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

-- A hard-deleted statement leaves both derived tables (with its counts).
CREATE FUNCTION derived_statements_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(id)), refresh_stance_log(array_agg(id)) FROM changed;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER stance_log_statements_ins AFTER INSERT ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_statements();
CREATE TRIGGER stance_log_statements_upd AFTER UPDATE ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_statements();
CREATE TRIGGER derived_statements_del AFTER DELETE ON statements
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION derived_statements_deleted();
CREATE TRIGGER stance_log_positions_ins AFTER INSERT ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_positions_del AFTER DELETE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
-- UPDATEs of the child tables (the store deletes and inserts, but psql
-- may update): both the old and the new rows' statements are refreshed.
CREATE TRIGGER stance_log_positions_upd_old AFTER UPDATE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER stance_log_positions_upd_new AFTER UPDATE ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_positions();
CREATE TRIGGER region_timeline_positions_upd_old AFTER UPDATE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_positions_upd_new AFTER UPDATE ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_statement_regions_upd_old AFTER UPDATE ON statement_regions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_statement_regions_upd_new AFTER UPDATE ON statement_regions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_demand_regions_upd_old AFTER UPDATE ON demand_regions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_demand_regions();
CREATE TRIGGER region_timeline_demand_regions_upd_new AFTER UPDATE ON demand_regions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_demand_regions();
CREATE TRIGGER stance_log_actors_upd AFTER UPDATE ON actors
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_actors();
CREATE TRIGGER stance_log_demands_upd AFTER UPDATE ON demands
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION stance_log_demands();

-- Fill them for what is already stored.
SELECT refresh_stance_log(array_agg(id)) FROM statements;
SELECT refresh_region_timeline(array_agg(id)) FROM statements;
SELECT compact_counts();
ANALYZE stance_log;
ANALYZE actor_counts;
ANALYZE region_counts;

-- +goose Down
DROP TRIGGER region_timeline_demand_regions_upd_new ON demand_regions;
DROP TRIGGER region_timeline_demand_regions_upd_old ON demand_regions;
DROP TRIGGER region_timeline_statement_regions_upd_new ON statement_regions;
DROP TRIGGER region_timeline_statement_regions_upd_old ON statement_regions;
DROP TRIGGER region_timeline_positions_upd_new ON positions;
DROP TRIGGER region_timeline_positions_upd_old ON positions;
DROP TRIGGER stance_log_positions_upd_new ON positions;
DROP TRIGGER stance_log_positions_upd_old ON positions;
DROP TRIGGER stance_log_demands_upd ON demands;
DROP TRIGGER stance_log_actors_upd ON actors;
DROP TRIGGER stance_log_positions_del ON positions;
DROP TRIGGER stance_log_positions_ins ON positions;
DROP TRIGGER derived_statements_del ON statements;
DROP TRIGGER stance_log_statements_upd ON statements;
DROP TRIGGER stance_log_statements_ins ON statements;
DROP FUNCTION derived_statements_deleted();
DROP FUNCTION stance_log_demands();
DROP FUNCTION stance_log_actors();
DROP FUNCTION stance_log_positions();
DROP FUNCTION stance_log_statements();
DROP FUNCTION compact_counts();
DROP FUNCTION refresh_stance_log(bigint[]);
-- The statements function returns to its 00004 form.
DROP FUNCTION refresh_region_timeline(bigint[]);
-- +goose StatementBegin
CREATE FUNCTION refresh_region_timeline(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM region_timeline WHERE statement_id = ANY (ids);
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
    WHERE s.id = ANY (ids) AND s.deleted_at IS NULL;
$$;
-- +goose StatementEnd
DELETE FROM region_timeline rt WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.id = rt.statement_id);
ALTER TABLE region_timeline ADD CONSTRAINT region_timeline_statement_id_fkey
    FOREIGN KEY (statement_id) REFERENCES statements (id) ON DELETE CASCADE;
DROP TABLE region_counts;
DROP TABLE actor_counts;
DROP TABLE stance_log;
