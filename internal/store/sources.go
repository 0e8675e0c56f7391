package store

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Source is where a statement was reported.
type Source struct {
	ID        int64  `json:"id"`
	Ref       string `json:"ref,omitempty"`
	Outlet    string `json:"outlet"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published Date   `json:"published"`
	Via       string `json:"via"`
	Version   int    `json:"version"`
}

// SourceInput is what an editor or the seed supplies for a source.
// Published may be zero (unknown).
type SourceInput struct {
	Ref, Outlet, Title, URL, Via string
	Published                    Date
}

// Validate checks the input against the domain's rules.
func (in SourceInput) Validate() error {
	p := Problems{}
	checkText(p, map[string]string{"outlet": in.Outlet, "title": in.Title, "url": in.URL, "via": in.Via})
	if strings.TrimSpace(in.Outlet) == "" {
		p.Add("outlet", "Enter the outlet that reported it.")
	} else if utf8.RuneCountInString(in.Outlet) > 200 {
		p.Add("outlet", "Keep the outlet under 200 characters.")
	}
	if utf8.RuneCountInString(in.Via) > 300 {
		p.Add("via", "Keep “via” under 300 characters.")
	}
	if utf8.RuneCountInString(in.Title) > 500 {
		p.Add("title", "Keep the headline under 500 characters.")
	}
	if u := strings.TrimSpace(in.URL); u != "" && !validURL(u) {
		p.Add("url", "Enter a web address starting with http:// or https://.")
	}
	if !in.Published.Time.IsZero() && (!validPrecision(in.Published.Precision) || !in.Published.Truncated()) {
		p.Add("published", "The published date does not match its precision.")
	}
	return p.Err()
}

func validURL(u string) bool {
	l := strings.ToLower(u)
	return (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) &&
		len(u) > len("https://") && len(u) <= 2000 && strings.IndexFunc(u, unicode.IsSpace) < 0
}

const sourceCols = `id, coalesce(ref, ''), outlet, title, url, published, published_precision, via, version`

func scanSource(row pgx.Row) (Source, error) {
	var s Source
	var published *time.Time
	err := row.Scan(&s.ID, &s.Ref, &s.Outlet, &s.Title, &s.URL, &published, &s.Published.Precision, &s.Via, &s.Version)
	if published != nil {
		s.Published.Time = *published
	}
	return s, err
}

// ListSources returns every source that is not deleted, newest first.
func (s *Store) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sourceCols+` FROM sources WHERE deleted_at IS NULL ORDER BY published DESC NULLS LAST, id DESC`)
	if err != nil {
		return nil, wrap(err, "list sources")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Source, error) { return scanSource(r) })
	return out, wrap(err, "list sources")
}

// GetSource returns the source with id; ErrNotFound if there is none or it
// is deleted.
func (s *Store) GetSource(ctx context.Context, id int64) (Source, error) {
	src, err := scanSource(s.pool.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1 AND deleted_at IS NULL`, id))
	return src, wrap(err, "get source %d", id)
}

// CreateSource stores a new source with its first revision. It returns a
// *ValidationError for bad input and ErrConflict for a ref in use.
func (s *Store) CreateSource(ctx context.Context, by Editor, in SourceInput) (Source, error) {
	if err := in.Validate(); err != nil {
		return Source{}, err
	}
	var src Source
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		src, err = createSource(ctx, tx, by, in, "create")
		return err
	})
	return src, err
}

func createSource(ctx context.Context, q querier, by Editor, in SourceInput, action string) (Source, error) {
	var ref *string
	if in.Ref != "" {
		ref = &in.Ref
	}
	var published *time.Time
	precision := "day"
	if !in.Published.Time.IsZero() {
		published = &in.Published.Time
		precision = in.Published.Precision
	}
	src, err := scanSource(q.QueryRow(ctx, `
		INSERT INTO sources (ref, outlet, title, url, published, published_precision, via)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+sourceCols,
		ref, strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title), strings.TrimSpace(in.URL),
		published, precision, strings.TrimSpace(in.Via)))
	if err != nil {
		return src, wrap(err, "create source %q", in.Outlet)
	}
	return src, writeRevision(ctx, q, by, "source", src.ID, src.Version, action, src)
}
