-- +goose Up
-- (v2) A statement is reported by one or more sources, each with the quote
-- as it gives it; statements.source_id stays, as the primary report (the
-- earliest published), which the store keeps in step with the reports.
-- Positions may carry conditions: the stance holds only if a side takes a
-- stance on another demand.

CREATE TABLE reports (
    statement_id bigint NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    source_id    bigint NOT NULL REFERENCES sources (id),
    quote        text NOT NULL DEFAULT '' CHECK (length(quote) <= 10000),
    PRIMARY KEY (statement_id, source_id)
);
CREATE INDEX reports_source_idx ON reports (source_id);

-- Every statement's source becomes its first report; statements are never
-- merged here (only editors, or the seed for its own records, do that).
INSERT INTO reports (statement_id, source_id) SELECT id, source_id FROM statements WHERE source_id IS NOT NULL;

CREATE TABLE position_conditions (
    statement_id   bigint NOT NULL,
    demand_id      bigint NOT NULL,
    side           slug NOT NULL REFERENCES sides (slug) ON UPDATE CASCADE,
    cond_demand_id bigint NOT NULL REFERENCES demands (id),
    stance         text NOT NULL CHECK (stance IN ('insists', 'supports', 'open', 'opposes', 'rejects')),
    PRIMARY KEY (statement_id, demand_id, side, cond_demand_id),
    FOREIGN KEY (statement_id, demand_id) REFERENCES positions (statement_id, demand_id) ON DELETE CASCADE,
    CHECK (cond_demand_id <> demand_id)
);
CREATE INDEX position_conditions_cond_demand_idx ON position_conditions (cond_demand_id);

-- Search finds a statement by any report's quote too: the reports' quotes
-- (those that differ from the statement's own), kept by the store.
ALTER TABLE statements ADD COLUMN report_quotes text NOT NULL DEFAULT '' CHECK (length(report_quotes) <= 100000);

-- +goose StatementBegin
CREATE FUNCTION statement_search(actor_id bigint, quote text, summary text, occasion text, report_quotes text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT statement_search(actor_id, quote, summary, occasion)
        || setweight(to_tsvector('english', report_quotes), 'B')
$$;

CREATE OR REPLACE FUNCTION statements_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := statement_search(NEW.actor_id, NEW.quote, NEW.summary, NEW.occasion, NEW.report_quotes);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION actors_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE statements SET search = statement_search(actor_id, quote, summary, occasion, report_quotes)
    WHERE actor_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER statements_search ON statements;
CREATE TRIGGER statements_search BEFORE INSERT OR UPDATE OF actor_id, quote, summary, occasion, report_quotes ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_search_update();

-- +goose Down
DROP TRIGGER statements_search ON statements;
CREATE TRIGGER statements_search BEFORE INSERT OR UPDATE OF actor_id, quote, summary, occasion ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_search_update();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION statements_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := statement_search(NEW.actor_id, NEW.quote, NEW.summary, NEW.occasion);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION actors_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE statements SET search = statement_search(actor_id, quote, summary, occasion)
    WHERE actor_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION statement_search(bigint, text, text, text, text);
ALTER TABLE statements DROP COLUMN report_quotes;
DROP TABLE position_conditions;
DROP TABLE reports;
