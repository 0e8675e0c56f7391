-- +goose Up
-- Sides become records with a role (DESIGN v2): parties sit at the table,
-- stakeholders have a say, observers only comment and never count in a
-- side's position. Demands gain their converse.

CREATE TABLE sides (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       slug NOT NULL UNIQUE,
    name       text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    role       text NOT NULL CHECK (role IN ('party', 'stakeholder', 'observer')),
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

-- Every side already named: Russia and Ukraine are the parties, the
-- independent analysts observers, any other a stakeholder (an admin can
-- change a role; that is a record's edit, with history).
INSERT INTO sides (slug, name, role)
SELECT x.side,
       CASE x.side WHEN 'nato' THEN 'NATO' WHEN 'g7' THEN 'G7' WHEN 'united-states' THEN 'United States'
                   ELSE initcap(replace(x.side, '-', ' ')) END,
       CASE WHEN x.side IN ('russia', 'ukraine') THEN 'party'
            WHEN x.side = 'independent' THEN 'observer'
            ELSE 'stakeholder' END
FROM (SELECT side FROM actors UNION SELECT side FROM demands) x
ORDER BY 1;

ALTER TABLE actors ADD CONSTRAINT actors_side_fkey FOREIGN KEY (side) REFERENCES sides (slug) ON UPDATE CASCADE;
ALTER TABLE demands ADD CONSTRAINT demands_side_fkey FOREIGN KEY (side) REFERENCES sides (slug) ON UPDATE CASCADE;

ALTER TABLE revisions DROP CONSTRAINT revisions_entity_type_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_entity_type_check
    CHECK (entity_type IN ('statement', 'actor', 'demand', 'region', 'source', 'side', 'user'));

-- The converse: at most one, never itself, and always both ways (a demand's
-- converse names it back), checked at commit so both rows can be set in one
-- transaction.
-- (Unique at the end of each statement: relinking moves a link in one.)
ALTER TABLE demands ADD COLUMN converse_id bigint REFERENCES demands (id),
    ADD CONSTRAINT demands_converse_unique UNIQUE (converse_id) DEFERRABLE INITIALLY IMMEDIATE,
    ADD CONSTRAINT demands_converse_not_self CHECK (converse_id <> id);

-- +goose StatementBegin
CREATE FUNCTION demands_converse_symmetric() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.converse_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM demands WHERE id = NEW.converse_id AND converse_id = NEW.id) THEN
        RAISE EXCEPTION 'demand % names % as its converse, which does not name it back', NEW.id, NEW.converse_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'demands_converse_symmetric';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER demands_converse_symmetric AFTER INSERT OR UPDATE OF converse_id ON demands
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION demands_converse_symmetric();

-- A stance on the converse, mirrored (insists ⟷ rejects, supports ⟷ opposes).
CREATE FUNCTION mirror_stance(stance text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE stance WHEN 'insists' THEN 'rejects' WHEN 'supports' THEN 'opposes'
                       WHEN 'opposes' THEN 'supports' WHEN 'rejects' THEN 'insists' ELSE stance END
$$;

-- +goose Down
DROP FUNCTION mirror_stance(text);
DROP TRIGGER demands_converse_symmetric ON demands;
DROP FUNCTION demands_converse_symmetric();
ALTER TABLE demands DROP COLUMN converse_id;
-- revisions_entity_type_check keeps 'side': revisions are append-only, and
-- the history of sides stays readable.
ALTER TABLE demands DROP CONSTRAINT demands_side_fkey;
ALTER TABLE actors DROP CONSTRAINT actors_side_fkey;
DROP TABLE sides;
