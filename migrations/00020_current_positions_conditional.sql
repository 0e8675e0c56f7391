-- +goose Up
-- The dashboard's matrix marks a cell "on conditions" when the position
-- holds on conditions. It probed position_conditions once per cell (1,200
-- probes for 30 actors × 40 demands, a third of the matrix query); the
-- flag is now kept with each (actor, demand)'s current stance, computed
-- when the pair is rebuilt at commit (a statement's conditions changing
-- queues the statement, and so its pairs, like any other change to it).
ALTER TABLE current_positions ADD COLUMN conditional boolean NOT NULL DEFAULT false;
UPDATE current_positions c SET conditional = true
WHERE EXISTS (SELECT 1 FROM position_conditions pc WHERE pc.statement_id = c.statement_id AND pc.demand_id = c.demand_id);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_current_positions(actor_ids bigint[], demand_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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
        stance = l.stance, attribution = l.attribution,
        conditional = EXISTS (SELECT 1 FROM position_conditions pc WHERE pc.statement_id = l.statement_id AND pc.demand_id = p.d)
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
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_current_positions(actor_ids bigint[], demand_ids bigint[])
 RETURNS void LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd
ALTER TABLE current_positions DROP COLUMN conditional;
