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

// CreateStatements stores several statements in one transaction: all of
// them or, on any problem, none. It is how the drafts of one article are
// saved (intake). Each input is validated as CreateStatement validates it;
// the *ValidationError it returns names each problem's input by its index
// ("statements.2.date"). Inputs with the same NewSource (the same URL, or
// without one the same outlet, headline and published date) report one
// source, and an existing live source with that URL (or outlet, headline
// and date) is reused rather than repeated. An input with ReportOf adds
// its source as one more report of that statement instead of creating
// one (ErrNotFound when it does not exist; nothing when that source
// reports it already). Idempotency keys work as in CreateStatement, so a
// batch submitted twice creates its statements once. The statements are
// returned in the order of ins.
func (s *Store) CreateStatements(ctx context.Context, by parley.Editor, ins []parley.StatementInput) ([]parley.Statement, error) {
	p := parley.Problems{}
	if len(ins) == 0 {
		p.Add("form", "There is nothing to save: keep at least one draft.")
	}
	now := time.Now()
	for i, in := range ins {
		prefix := fmt.Sprintf("statements.%d.", i)
		var ve *parley.ValidationError
		if err := in.Validate(now); errors.As(err, &ve) {
			for k, v := range ve.Fields {
				p.Add(prefix+k, v)
			}
		}
		if in.NewSource != nil {
			if err := in.NewSource.Validate(); errors.As(err, &ve) {
				for k, v := range ve.Fields {
					p.Add(prefix+"source_"+k, v)
				}
			}
		}
		if in.ReportOf != 0 && in.SourceID == 0 && in.NewSource == nil {
			p.Add(prefix+"source_id", "Name the source whose report this is.")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out []parley.Statement
	save := func(tx pgx.Tx) error {
		out = out[:0]
		sources := map[string]int64{}
		for i, in := range ins {
			if in.NewSource != nil {
				id, err := sourceFor(ctx, tx, by, *in.NewSource, sources)
				if err != nil {
					return indexed(err, i)
				}
				in.SourceID, in.NewSource = id, nil
			}
			var st parley.Statement
			var err error
			if in.ReportOf != 0 {
				st, err = addReport(ctx, tx, by, in)
			} else {
				st, err = createStatement(ctx, tx, by, in, "create")
			}
			if err != nil {
				return indexed(err, i)
			}
			out = append(out, st)
		}
		return nil
	}
	err := s.transact(ctx, save)
	if errors.Is(err, parley.ErrConflict) {
		// A concurrent submission of the same drafts won the race (their
		// idempotency keys): this attempt now finds its statements.
		err = s.transact(ctx, save)
	}
	if err != nil {
		return nil, wrap(err, "create statements")
	}
	return out, nil
}

// indexed names the input a *ValidationError is about (statements.i.…);
// other errors pass unchanged.
func indexed(err error, i int) error {
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	p := parley.Problems{}
	for k, v := range ve.Fields {
		p.Add(fmt.Sprintf("statements.%d.%s", i, k), v)
	}
	return p.Err()
}

// sourceFor returns the id of the source in stands for: one this batch
// already created or found (seen, by key), a live one with the same URL
// (or, without a URL, the same outlet, headline and published date), or a
// new one.
func sourceFor(ctx context.Context, q querier, by parley.Editor, in parley.SourceInput, seen map[string]int64) (int64, error) {
	outlet, title, url := strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title), strings.TrimSpace(in.URL)
	var published *time.Time
	precision := parley.Day
	if !in.Published.Time.IsZero() {
		published, precision = &in.Published.Time, in.Published.Precision
	}
	key := "url\x1f" + url
	if url == "" {
		key = "source\x1f" + outlet + "\x1f" + title + "\x1f" + in.Published.Input() + "\x1f" + string(precision)
	}
	if id, ok := seen[key]; ok {
		return id, nil
	}
	// Two saves of the same article at once find one source, not two.
	if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, key); err != nil {
		return 0, wrap(err, "lock source %q", outlet)
	}
	var id int64
	var err error
	if url != "" {
		err = q.QueryRow(ctx, `SELECT id FROM sources WHERE url = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`, url).Scan(&id)
	} else {
		err = q.QueryRow(ctx, `SELECT id FROM sources WHERE outlet = $1 AND title = $2 AND url = ''
			AND published IS NOT DISTINCT FROM $3 AND published_precision = $4 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
			outlet, title, published, precision).Scan(&id)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		src, err := createSource(ctx, q, by, in, "create")
		if err != nil {
			return 0, err
		}
		id = src.ID
	case err != nil:
		return 0, wrap(err, "find source %q", outlet)
	}
	seen[key] = id
	return id, nil
}

// addReport adds in's source (with its quote) as one more report of
// statement in.ReportOf.
func addReport(ctx context.Context, q querier, by parley.Editor, in parley.StatementInput) (parley.Statement, error) {
	if _, err := lockRow(ctx, q, parley.KindStatement, in.ReportOf, 0, false); err != nil {
		return parley.Statement{}, err
	}
	target, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, in.ReportOf))
	if err != nil {
		return target, wrap(err, "add report to statement %d", in.ReportOf)
	}
	if slices.ContainsFunc(target.Reports, func(r parley.Report) bool { return r.Source.ID == in.SourceID }) {
		return target, nil // added already (the same drafts saved twice)
	}
	quote := in.SourceQuote
	if quote == "" {
		quote = in.Quote
	}
	more := parley.InputOf(target)
	more.Reports = append(more.Reports, parley.ReportInput{SourceID: in.SourceID, Quote: quote})
	return updateStatement(ctx, q, by, in.ReportOf, 0, more, "update")
}
