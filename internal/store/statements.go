package store

import (
	"context"
	"errors"
	"fmt"
	"parley"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// statementCols reads a statement with its regions, positions (with their
// conditions) and reports as JSON, a subquery each per statement. Their
// regions and demands are looked up by key (the LATERAL ... OFFSET 0 keeps
// the planner from hashing the whole regions or demands table again for
// every statement: a third of a 50-statement page's time).
const statementCols = `s.id, a.slug, a.name, a.side, s.date, s.date_precision, s.quote, s.summary,
	s.occasion, s.attribution, s.source_id, coalesce(src.outlet, ''), coalesce(src.title, ''),
	coalesce(src.url, ''), src.published, coalesce(src.published_precision, 'day'), coalesce(src.via, ''),
	coalesce((SELECT json_agg(json_build_object('slug', r.slug, 'name', r.name) ORDER BY r.name)
	          FROM statement_regions sr CROSS JOIN LATERAL (SELECT r.slug, r.name FROM regions r WHERE r.id = sr.region_id AND r.deleted_at IS NULL OFFSET 0) r
	          WHERE sr.statement_id = s.id), '[]'),
	coalesce((SELECT json_agg(json_build_object('demand', d.slug, 'demand_title', d.title, 'stance', p.stance,
	              'conditions', (SELECT json_agg(json_build_object('side', pc.side, 'demand', cd.slug, 'demand_title', cd.title, 'stance', pc.stance)
	                                             ORDER BY pc.side, cd.slug)
	                             FROM position_conditions pc CROSS JOIN LATERAL (SELECT cd.slug, cd.title FROM demands cd WHERE cd.id = pc.cond_demand_id OFFSET 0) cd
	                             WHERE pc.statement_id = p.statement_id AND pc.demand_id = p.demand_id)) ORDER BY d.title)
	          FROM positions p CROSS JOIN LATERAL (SELECT d.slug, d.title FROM demands d WHERE d.id = p.demand_id OFFSET 0) d
	          WHERE p.statement_id = s.id), '[]'),
	coalesce((SELECT json_agg(json_build_object('quote', rp.quote, 'source', json_build_object(
	              'id', rs.id, 'ref', coalesce(rs.ref, ''), 'outlet', rs.outlet, 'title', rs.title, 'url', rs.url, 'via', rs.via,
	              'version', rs.version, 'published', json_build_object('Time', rs.published::timestamptz, 'Precision', rs.published_precision)))
	              ORDER BY rs.published NULLS LAST, rs.id)
	          FROM reports rp JOIN sources rs ON rs.id = rp.source_id
	          WHERE rp.statement_id = s.id), '[]'),
	s.version, s.created_at, s.updated_at`

const statementFrom = ` FROM statements s
	JOIN actors a ON a.id = s.actor_id
	LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL `

// scanStatementAfter reads leading columns into lead, then statementCols.
func scanStatementAfter(row pgx.Row, lead []any) (parley.Statement, error) {
	return scanStatementCols(row, lead, nil)
}

// scanStatement reads statementCols, then any extra columns into extra.
func scanStatement(row pgx.Row, extra ...any) (parley.Statement, error) {
	return scanStatementCols(row, nil, extra)
}

func scanStatementCols(row pgx.Row, lead, extra []any) (parley.Statement, error) {
	var st parley.Statement
	var sourceID *int64
	var src parley.Source
	var published *time.Time
	err := row.Scan(append(append(lead, &st.ID, &st.ActorSlug, &st.ActorName, &st.ActorSide, &st.Date.Time, &st.Date.Precision,
		&st.Quote, &st.Summary, &st.Occasion, &st.Attribution, &sourceID, &src.Outlet, &src.Title,
		&src.URL, &published, &src.Published.Precision, &src.Via, &st.Regions, &st.Positions, &st.Reports,
		&st.Version, &st.CreatedAt, &st.UpdatedAt), extra...)...)
	if sourceID != nil {
		src.ID = *sourceID
		if published != nil {
			src.Published.Time = *published
		}
		st.Source = &src
	}
	return st, err
}

// GetStatement returns the statement with id, with its source, regions and
// positions; ErrNotFound if there is none or it is deleted.
func (s *Store) GetStatement(ctx context.Context, id int64) (parley.Statement, error) {
	st, err := scanStatement(s.pool.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1 AND s.deleted_at IS NULL`, id))
	return st, wrap(err, "get statement %d", id)
}

// StatementsByID returns the live statements with ids (those deleted or
// missing are left out), by id.
func (s *Store) StatementsByID(ctx context.Context, ids []int64) ([]parley.Statement, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = ANY ($1) AND s.deleted_at IS NULL ORDER BY s.id`, ids)
	if err != nil {
		return nil, wrap(err, "statements by id")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Statement, error) { return scanStatement(r) })
	return out, wrap(err, "statements by id")
}

// StatementRefs names the statements with ids briefly (actor, date,
// summary), for pages that link many of them; deleted ones are left out.
func (s *Store) StatementRefs(ctx context.Context, ids []int64) ([]parley.StatementRef, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.id, a.name, s.summary, s.date, s.date_precision
		FROM statements s JOIN actors a ON a.id = s.actor_id
		WHERE s.id = ANY ($1) AND s.deleted_at IS NULL ORDER BY s.id`, ids)
	if err != nil {
		return nil, wrap(err, "statement refs")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StatementRef, error) {
		var x parley.StatementRef
		err := r.Scan(&x.ID, &x.Actor, &x.Summary, &x.Date.Time, &x.Date.Precision)
		return x, err
	})
	return out, wrap(err, "statement refs")
}

// CreateStatement stores a new statement with its positions, regions and
// first revision in one transaction. It returns a *ValidationError for bad
// input (including unknown actor, demand, region or source).
func (s *Store) CreateStatement(ctx context.Context, by parley.Editor, in parley.StatementInput) (parley.Statement, error) {
	if err := in.Validate(time.Now()); err != nil {
		return parley.Statement{}, err
	}
	var st parley.Statement
	create := func(tx pgx.Tx) error {
		var err error
		st, err = createStatement(ctx, tx, by, in, "create")
		return err
	}
	err := s.transact(ctx, create)
	if errors.Is(err, parley.ErrConflict) && in.IdempotencyKey != "" {
		// A concurrent submission of the same form won the race: this
		// attempt now finds its statement.
		err = s.transact(ctx, create)
	}
	return st, err
}

// StatementByIdempotencyKey returns the id of the statement a form with
// key created; ErrNotFound if none did (or key is not a UUID).
func (s *Store) StatementByIdempotencyKey(ctx context.Context, key string) (int64, error) {
	if !parley.ValidUUID(key) {
		return 0, parley.ErrNotFound
	}
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM statements WHERE idempotency_key = $1`, key).Scan(&id)
	return id, wrap(err, "find statement by idempotency key")
}

// UpdateStatement saves in over statement id, positions and regions
// included, if version is still its newest (*ConflictError otherwise).
func (s *Store) UpdateStatement(ctx context.Context, by parley.Editor, id int64, version int, in parley.StatementInput) (parley.Statement, error) {
	if err := in.Validate(time.Now()); err != nil {
		return parley.Statement{}, err
	}
	var st parley.Statement
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		st, err = updateStatement(ctx, tx, by, id, version, in, "update")
		return err
	})
	return st, conflict(err, func() (parley.Statement, error) { return s.GetStatement(ctx, id) }, "update statement %d", id)
}

func updateStatement(ctx context.Context, q querier, by parley.Editor, id int64, version int, in parley.StatementInput, action string) (parley.Statement, error) {
	if _, err := lockRow(ctx, q, parley.KindStatement, id, version, false); err != nil {
		return parley.Statement{}, err
	}
	r, err := resolve(ctx, q, by, in)
	if err != nil {
		return parley.Statement{}, err
	}
	if _, err := q.Exec(ctx, `
		UPDATE statements SET actor_id = $2, date = $3, date_precision = $4, quote = $5, summary = $6,
		       occasion = $7, attribution = $8, source_id = $9, report_quotes = $10, version = version + 1, updated_at = now()
		WHERE id = $1`, id, r.actorID, in.Date.Time, in.Date.Precision, parley.CleanText(in.Quote),
		parley.CleanText(in.Summary), parley.CleanText(in.Occasion), in.Attribution, r.sourceID, r.reportQuotes); err != nil {
		return parley.Statement{}, err
	}
	if err := setPositionsAndRegions(ctx, q, id, r); err != nil {
		return parley.Statement{}, err
	}
	st, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
	if err != nil {
		return st, err
	}
	return st, writeRevision(ctx, q, by, parley.KindStatement, st.ID, st.Version, action, st)
}

// DeleteStatement soft-deletes a statement: it leaves browsing, positions
// and exports, keeps its history, and can be restored.
func (s *Store) DeleteStatement(ctx context.Context, by parley.Editor, id int64) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := lockRow(ctx, tx, parley.KindStatement, id, 0, false); err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindStatement, id, true)
	}), "delete statement %d", id)
}

// RestoreStatement undoes DeleteStatement. It returns a *ValidationError
// when the statement's actor or one of its demands is deleted meanwhile
// (restore those first), so a restored statement is always visible.
func (s *Store) RestoreStatement(ctx context.Context, by parley.Editor, id int64) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := lockRow(ctx, tx, parley.KindStatement, id, 0, true); err != nil {
			return err
		}
		var missing []string
		if err := tx.QueryRow(ctx, `
			SELECT coalesce(array_agg(what), '{}') FROM (
			    SELECT 'actor ' || a.name AS what FROM statements s JOIN actors a ON a.id = s.actor_id
			    WHERE s.id = $1 AND a.deleted_at IS NOT NULL
			    UNION ALL
			    SELECT 'demand ' || d.title FROM positions p JOIN demands d ON d.id = p.demand_id
			    WHERE p.statement_id = $1 AND d.deleted_at IS NOT NULL) x`, id).Scan(&missing); err != nil {
			return err
		}
		if len(missing) > 0 {
			return parley.Problems{"form": "Restore the deleted " + strings.Join(missing, " and ") + " first; this statement needs it."}.Err()
		}
		return deleteOrRestore(ctx, tx, by, parley.KindStatement, id, false)
	}), "restore statement %d", id)
}

// FindSimilarStatements returns live statements of the same actor dated
// within 31 days of date whose summary or quote resembles the given text
// (pg_trgm similarity), most similar first: possible duplicates.
func (s *Store) FindSimilarStatements(ctx context.Context, actor string, date time.Time, summary, quote string) ([]parley.Statement, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+statementCols+statementFrom+`
		WHERE s.deleted_at IS NULL AND a.slug = $1
		  AND s.date BETWEEN $2::date - 31 AND $2::date + 31
		  AND (similarity(s.summary, $3) > 0.3 OR ($4 <> '' AND s.quote <> '' AND similarity(s.quote, $4) > 0.3))
		ORDER BY greatest(similarity(s.summary, $3), similarity(s.quote, $4)) DESC
		LIMIT 5`, actor, date, summary, quote)
	if err != nil {
		return nil, wrap(err, "find similar statements")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Statement, error) { return scanStatement(r) })
	return out, wrap(err, "find similar statements")
}

// resolved is a StatementInput's references turned into ids.
type resolved struct {
	actorID   int64
	regionIDs []int64
	demands   []string
	stances   []parley.Stance
	// conditions, flattened: the position's demand, the condition's side,
	// demand and stance.
	condOf, condSide, condDemand []string
	condStance                   []parley.Stance
	reports                      []parley.ReportInput
	// sourceID is the primary report's source (the earliest published),
	// reportQuotes the reports' quotes that differ from the statement's,
	// for search: both written with the statement's own row.
	sourceID     *int64
	reportQuotes string
}

// resolve looks up the records in refers to, reporting unknown ones as a
// *ValidationError. An inline new source is created here, in q's
// transaction.
func resolve(ctx context.Context, q querier, by parley.Editor, in parley.StatementInput) (resolved, error) {
	var r resolved
	p := parley.Problems{}
	// FOR SHARE: a concurrent delete of the actor or a demand waits for this
	// write, then sees the statement that uses it and refuses.
	err := q.QueryRow(ctx, `SELECT id FROM actors WHERE slug = $1 AND deleted_at IS NULL FOR SHARE`, in.Actor).Scan(&r.actorID)
	if err == pgx.ErrNoRows {
		p.Add("actor", "No actor \""+in.Actor+"\" exists.")
	} else if err != nil {
		return r, wrap(err, "find actor")
	}
	sourceExists := func(field string, id int64) error {
		var ok bool
		err := q.QueryRow(ctx, `SELECT true FROM sources WHERE id = $1`, id).Scan(&ok)
		if err == pgx.ErrNoRows {
			p.Add(field, "That source does not exist.")
			return nil
		}
		return wrap(err, "find source")
	}
	if in.SourceID != 0 {
		if err := sourceExists("source", in.SourceID); err != nil {
			return r, err
		}
		r.reports = append(r.reports, parley.ReportInput{SourceID: in.SourceID, Quote: in.SourceQuote})
	}
	for i, rp := range in.Reports {
		if err := sourceExists(fmt.Sprintf("reports.%d", i), rp.SourceID); err != nil {
			return r, err
		}
		r.reports = append(r.reports, rp)
	}
	for _, pos := range in.Positions {
		for _, c := range pos.Conditions {
			r.condOf, r.condSide, r.condDemand = append(r.condOf, pos.Demand), append(r.condSide, c.Side), append(r.condDemand, c.Demand)
			r.condStance = append(r.condStance, c.Stance)
		}
	}
	if len(r.condOf) > 0 {
		var unknownSides, unknownDemands []string
		if err := q.QueryRow(ctx, `
			SELECT coalesce((SELECT array_agg(DISTINCT x) FROM unnest($1::text[]) x
			                 WHERE NOT EXISTS (SELECT 1 FROM sides WHERE slug = x AND deleted_at IS NULL)), '{}'),
			       coalesce((SELECT array_agg(DISTINCT x) FROM unnest($2::text[]) x
			                 WHERE NOT EXISTS (SELECT 1 FROM demands WHERE slug = x AND deleted_at IS NULL)), '{}')`,
			r.condSide, r.condDemand).Scan(&unknownSides, &unknownDemands); err != nil {
			return r, wrap(err, "find condition sides and demands")
		}
		if len(unknownSides) > 0 {
			p.Add("conditions", "Unknown side in a condition: "+strings.Join(unknownSides, ", ")+".")
		}
		if len(unknownDemands) > 0 {
			p.Add("conditions", "Unknown demand in a condition: "+strings.Join(unknownDemands, ", ")+".")
		}
	}
	if in.NewSource != nil {
		if err := in.NewSource.Validate(); err != nil {
			for k, v := range err.(*parley.ValidationError).Fields {
				p.Add("source_"+k, v)
			}
		}
	}
	r.regionIDs, err = regionIDs(ctx, q, in.Regions)
	if ve, ok := err.(*parley.ValidationError); ok {
		for k, v := range ve.Fields {
			p.Add(k, v)
		}
	} else if err != nil {
		return r, err
	}
	r.demands = make([]string, len(in.Positions))
	r.stances = make([]parley.Stance, len(in.Positions))
	for i, pos := range in.Positions {
		r.demands[i], r.stances[i] = pos.Demand, pos.Stance
	}
	if _, err := q.Exec(ctx, `SELECT 1 FROM demands WHERE slug = ANY($1) AND deleted_at IS NULL FOR SHARE`, r.demands); err != nil {
		return r, wrap(err, "lock demands")
	}
	var unknown []string
	if err := q.QueryRow(ctx, `
		SELECT coalesce(array_agg(x.slug), '{}') FROM unnest($1::text[]) AS x(slug)
		WHERE NOT EXISTS (SELECT 1 FROM demands d WHERE d.slug = x.slug AND d.deleted_at IS NULL)`,
		r.demands).Scan(&unknown); err != nil {
		return r, wrap(err, "find demands")
	}
	if len(unknown) > 0 {
		p.Add("positions", "Unknown demand: "+strings.Join(unknown, ", ")+".")
	}
	if err := p.Err(); err != nil {
		return r, err
	}
	if in.NewSource != nil {
		src, err := createSource(ctx, q, by, *in.NewSource, "create")
		if err != nil {
			return r, err
		}
		r.reports = append(r.reports, parley.ReportInput{SourceID: src.ID, Quote: in.SourceQuote})
	}
	if len(r.reports) > 0 {
		ids := make([]int64, len(r.reports))
		for i, rp := range r.reports {
			ids[i] = rp.SourceID
		}
		var primary int64
		if err := q.QueryRow(ctx, `SELECT id FROM sources WHERE id = ANY ($1) ORDER BY published NULLS LAST, id LIMIT 1`, ids).
			Scan(&primary); err != nil {
			return r, wrap(err, "find the primary source")
		}
		r.sourceID = &primary
	}
	own := parley.CleanText(in.Quote)
	var quotes []string
	for _, rp := range r.reports {
		if q := parley.CleanText(rp.Quote); q != "" && q != own && !slices.Contains(quotes, q) {
			quotes = append(quotes, q)
		}
	}
	slices.Sort(quotes)
	r.reportQuotes = strings.Join(quotes, "\n")
	return r, nil
}

// setPositionsAndRegions replaces a statement's positions (with their
// conditions), regions and reports (the statement's row holds its primary
// source and the reports' quotes already: see resolved).
func setPositionsAndRegions(ctx context.Context, q querier, id int64, r resolved) error {
	if _, err := q.Exec(ctx, `DELETE FROM positions WHERE statement_id = $1`, id); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM reports WHERE statement_id = $1`, id); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM statement_regions WHERE statement_id = $1`, id); err != nil {
		return err
	}
	return addPositionsAndRegions(ctx, q, id, r)
}

// addPositionsAndRegions writes a new statement's positions (with their
// conditions), reports and regions.
func addPositionsAndRegions(ctx context.Context, q querier, id int64, r resolved) error {
	if _, err := q.Exec(ctx, `
		INSERT INTO positions (statement_id, demand_id, stance)
		SELECT $1, d.id, x.stance FROM unnest($2::text[], $3::text[]) AS x(slug, stance)
		JOIN demands d ON d.slug = x.slug`, id, r.demands, r.stances); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `
		INSERT INTO position_conditions (statement_id, demand_id, side, cond_demand_id, stance)
		SELECT $1, d.id, x.side, cd.id, x.stance
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(of, side, demand, stance)
		JOIN demands d ON d.slug = x.of JOIN demands cd ON cd.slug = x.demand`,
		id, r.condOf, r.condSide, r.condDemand, r.condStance); err != nil {
		return err
	}
	sources, quotes := make([]int64, len(r.reports)), make([]string, len(r.reports))
	for i, rp := range r.reports {
		sources[i], quotes[i] = rp.SourceID, parley.CleanText(rp.Quote)
	}
	if _, err := q.Exec(ctx, `INSERT INTO reports (statement_id, source_id, quote) SELECT $1, x.source, x.quote
		FROM unnest($2::bigint[], $3::text[]) AS x(source, quote)`, id, sources, quotes); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO statement_regions (statement_id, region_id) SELECT $1, unnest($2::bigint[])`, id, r.regionIDs)
	return err
}

func createStatement(ctx context.Context, q querier, by parley.Editor, in parley.StatementInput, action string) (parley.Statement, error) {
	if in.IdempotencyKey != "" {
		// The same form submitted again: answer with what the first submission made.
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM statements WHERE idempotency_key = $1`, in.IdempotencyKey).Scan(&id)
		if err == nil {
			st, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
			st.Resubmitted = true
			return st, wrap(err, "create statement: find resubmitted %d", id)
		} else if err != pgx.ErrNoRows {
			return parley.Statement{}, wrap(err, "create statement: check idempotency key")
		}
	}
	r, err := resolve(ctx, q, by, in)
	if err != nil {
		return parley.Statement{}, err
	}
	var seedKey, idemKey *string
	if in.SeedKey != "" {
		seedKey = &in.SeedKey
	}
	if in.IdempotencyKey != "" {
		idemKey = &in.IdempotencyKey
	}
	var createdBy *int64
	if by.ID != 0 {
		createdBy = &by.ID
	}
	var id int64
	err = q.QueryRow(ctx, `
		INSERT INTO statements (actor_id, date, date_precision, quote, summary, occasion, attribution,
		                        source_id, report_quotes, seed_key, idempotency_key, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		r.actorID, in.Date.Time, in.Date.Precision, parley.CleanText(in.Quote), parley.CleanText(in.Summary),
		parley.CleanText(in.Occasion), in.Attribution, r.sourceID, r.reportQuotes, seedKey, idemKey, createdBy).Scan(&id)
	if err != nil {
		return parley.Statement{}, wrap(err, "create statement")
	}
	if err := addPositionsAndRegions(ctx, q, id, r); err != nil {
		return parley.Statement{}, wrap(err, "create statement %d", id)
	}
	st, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
	if err != nil {
		return st, wrap(err, "create statement %d", id)
	}
	return st, writeRevision(ctx, q, by, parley.KindStatement, st.ID, st.Version, action, st)
}
