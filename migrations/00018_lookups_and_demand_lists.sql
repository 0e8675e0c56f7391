-- +goose Up
-- The statement form finds a source by words of its outlet and headline
-- (store.FindSources): a trigram index serves ILIKE '%word%' at 50,000
-- sources.
CREATE INDEX sources_words_idx ON sources USING gin ((outlet || ' ' || title) gin_trgm_ops) WHERE deleted_at IS NULL;

-- /statements?demand= reads a demand's statements newest first from
-- stance_log (store.SearchStatements) instead of probing every statement.
CREATE INDEX stance_log_demand_date_idx ON stance_log (demand_id, date DESC, statement_id DESC);

-- +goose Down
DROP INDEX stance_log_demand_date_idx;
DROP INDEX sources_words_idx;
