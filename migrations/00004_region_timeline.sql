-- +goose Up
-- region_timeline keeps every region's timeline precomputed in export order:
-- one row per (region, live statement, position), or one row with an empty
-- demand for a statement without positions, holding every export column.
-- Triggers keep it in step with every write, in the writing transaction, so
-- an export reads rows in order instead of joining, filtering and sorting
-- per request.
CREATE TABLE region_timeline (
    region_id          bigint NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    date               date NOT NULL,
    statement_id       bigint NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    demand             text NOT NULL,
    date_precision     text NOT NULL,
    actor              text NOT NULL,
    actor_slug         text NOT NULL,
    actor_side         text NOT NULL,
    stance             text NOT NULL,
    quote              text NOT NULL,
    summary            text NOT NULL,
    regions            text[] NOT NULL,
    occasion           text NOT NULL,
    attribution        text NOT NULL,
    source_outlet      text NOT NULL,
    source_title       text NOT NULL,
    source_url         text NOT NULL,
    source_published   date,
    source_precision   text NOT NULL,
    PRIMARY KEY (region_id, date, statement_id, demand)
);
CREATE INDEX region_timeline_statement_idx ON region_timeline (statement_id);

-- +goose StatementBegin
-- refresh_region_timeline rebuilds the rows of the given statements.
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

CREATE FUNCTION region_timeline_statements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(DISTINCT id)) FROM changed;
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(DISTINCT statement_id)) FROM changed;
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_actors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(s.id)) FROM statements s WHERE s.actor_id IN (SELECT id FROM changed);
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_sources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(s.id)) FROM statements s WHERE s.source_id IN (SELECT id FROM changed);
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_demands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(DISTINCT p.statement_id)) FROM positions p
    WHERE p.demand_id IN (SELECT id FROM changed);
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_demand_regions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(DISTINCT p.statement_id)) FROM positions p
    WHERE p.demand_id IN (SELECT demand_id FROM changed);
    RETURN NULL;
END;
$$;

CREATE FUNCTION region_timeline_regions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_region_timeline(array_agg(DISTINCT x.statement_id)) FROM (
        SELECT sr.statement_id FROM statement_regions sr WHERE sr.region_id IN (SELECT id FROM changed)
        UNION
        SELECT p.statement_id FROM positions p JOIN demand_regions dr ON dr.demand_id = p.demand_id
        WHERE dr.region_id IN (SELECT id FROM changed)) x;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Statement-level triggers with transition tables: one refresh per write
-- statement, whatever number of rows it touched.
CREATE TRIGGER region_timeline_statements_ins AFTER INSERT ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_statements();
CREATE TRIGGER region_timeline_statements_upd AFTER UPDATE ON statements
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_statements();
CREATE TRIGGER region_timeline_positions_ins AFTER INSERT ON positions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_positions_del AFTER DELETE ON positions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_statement_regions_ins AFTER INSERT ON statement_regions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_statement_regions_del AFTER DELETE ON statement_regions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_children();
CREATE TRIGGER region_timeline_actors_upd AFTER UPDATE ON actors
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_actors();
CREATE TRIGGER region_timeline_sources_upd AFTER UPDATE ON sources
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_sources();
CREATE TRIGGER region_timeline_demands_upd AFTER UPDATE ON demands
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_demands();
CREATE TRIGGER region_timeline_demand_regions_ins AFTER INSERT ON demand_regions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_demand_regions();
CREATE TRIGGER region_timeline_demand_regions_del AFTER DELETE ON demand_regions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_demand_regions();
CREATE TRIGGER region_timeline_regions_upd AFTER UPDATE ON regions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION region_timeline_regions();

-- Fill it for the statements already stored.
SELECT refresh_region_timeline(array_agg(id)) FROM statements;
ANALYZE region_timeline;

-- +goose Down
DROP TRIGGER region_timeline_regions_upd ON regions;
DROP TRIGGER region_timeline_demand_regions_del ON demand_regions;
DROP TRIGGER region_timeline_demand_regions_ins ON demand_regions;
DROP TRIGGER region_timeline_demands_upd ON demands;
DROP TRIGGER region_timeline_sources_upd ON sources;
DROP TRIGGER region_timeline_actors_upd ON actors;
DROP TRIGGER region_timeline_statement_regions_del ON statement_regions;
DROP TRIGGER region_timeline_statement_regions_ins ON statement_regions;
DROP TRIGGER region_timeline_positions_del ON positions;
DROP TRIGGER region_timeline_positions_ins ON positions;
DROP TRIGGER region_timeline_statements_upd ON statements;
DROP TRIGGER region_timeline_statements_ins ON statements;
DROP FUNCTION region_timeline_regions();
DROP FUNCTION region_timeline_demand_regions();
DROP FUNCTION region_timeline_demands();
DROP FUNCTION region_timeline_sources();
DROP FUNCTION region_timeline_actors();
DROP FUNCTION region_timeline_children();
DROP FUNCTION region_timeline_statements();
DROP FUNCTION refresh_region_timeline(bigint[]);
DROP TABLE region_timeline;
