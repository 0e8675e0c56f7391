-- +goose Up
-- Full-text search over quote, summary, occasion and the actor's name and
-- aliases (so "Peskow" finds Peskov), kept in a stored column by triggers.

ALTER TABLE statements ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;

-- +goose StatementBegin
CREATE FUNCTION statement_search(actor_id bigint, quote text, summary text, occasion text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(a.name, '') || ' ' || array_to_string(a.aliases, ' ')), 'A')
        || setweight(to_tsvector('english', quote), 'B')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', occasion), 'C')
    FROM actors a WHERE a.id = actor_id
$$;

CREATE FUNCTION statements_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := statement_search(NEW.actor_id, NEW.quote, NEW.summary, NEW.occasion);
    RETURN NEW;
END;
$$;

CREATE FUNCTION actors_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE statements SET search = statement_search(actor_id, quote, summary, occasion)
    WHERE actor_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER statements_search BEFORE INSERT OR UPDATE OF actor_id, quote, summary, occasion ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_search_update();
CREATE TRIGGER actors_search AFTER UPDATE OF name, aliases ON actors
    FOR EACH ROW EXECUTE FUNCTION actors_search_update();

UPDATE statements SET search = statement_search(actor_id, quote, summary, occasion);
CREATE INDEX statements_search_idx ON statements USING gin (search);
CREATE INDEX positions_demand_stance_idx ON positions (demand_id, stance);

-- +goose Down
DROP INDEX positions_demand_stance_idx;
DROP TRIGGER actors_search ON actors;
DROP TRIGGER statements_search ON statements;
DROP FUNCTION actors_search_update();
DROP FUNCTION statements_search_update();
ALTER TABLE statements DROP COLUMN search;
DROP FUNCTION statement_search(bigint, text, text, text);
