package store

import (
	"context"
	"parley"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The statement form's actor and source fields are search fields: an
// editor types a name, slug, alias, id, address or a few words, and the
// server resolves it (a list of 50,000 sources is no picker).

// likePatterns turns q's words into ILIKE patterns that match them
// anywhere, with LIKE's wildcards taken literally.
func likePatterns(q string) []string {
	var out []string
	for _, w := range strings.Fields(q) {
		w = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)
		out = append(out, "%"+w+"%")
	}
	return out
}

// FindActors returns the live actors q names, up to limit: those whose
// slug, name or an alias is q (any case) if there are any, else those
// whose name and aliases contain every word of q.
func (s *Store) FindActors(ctx context.Context, q string, limit int) ([]parley.Actor, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	scan := func(r pgx.CollectableRow) (parley.Actor, error) {
		var a parley.Actor
		err := r.Scan(&a.ID, &a.Slug, &a.Name, &a.Side)
		return a, err
	}
	// A slug (what the form holds once resolved, and what typeahead
	// fills in) by its unique index first: matching names and aliases
	// reads every actor.
	rows, err := s.pool.Query(ctx, `SELECT id, slug, name, side FROM actors WHERE slug = $1 AND deleted_at IS NULL`, q)
	if err != nil {
		return nil, wrap(err, "find actors")
	}
	if bySlug, err := pgx.CollectRows(rows, scan); err != nil || len(bySlug) > 0 {
		return bySlug, wrap(err, "find actors")
	}
	rows, err = s.pool.Query(ctx, `
		SELECT id, slug, name, side FROM actors
		WHERE deleted_at IS NULL AND (lower(name) = lower($1) OR lower($1) = ANY (SELECT lower(x) FROM unnest(aliases) x))
		ORDER BY name, id LIMIT $2`, q, limit)
	if err != nil {
		return nil, wrap(err, "find actors")
	}
	exact, err := pgx.CollectRows(rows, scan)
	if err != nil || len(exact) > 0 {
		return exact, wrap(err, "find actors")
	}
	rows, err = s.pool.Query(ctx, `
		SELECT id, slug, name, side FROM actors
		WHERE deleted_at IS NULL AND (name || ' ' || slug || ' ' || array_to_string(aliases, ' ')) ILIKE ALL ($1)
		ORDER BY name, id LIMIT $2`, likePatterns(q), limit)
	if err != nil {
		return nil, wrap(err, "find actors")
	}
	out, err := pgx.CollectRows(rows, scan)
	return out, wrap(err, "find actors")
}

// sourceID is an id typed into a source field: "12", "#12", or "#12 " and
// the source's description, as the form fills it in.
var sourceID = regexp.MustCompile(`^#?([0-9]{1,18})(?:\s|$)`)

// FindSources returns the live sources q names, up to limit: the source
// with that id ("12", "#12 …"), the one at that web address, or those
// whose outlet and headline contain every word of q, newest first.
func (s *Store) FindSources(ctx context.Context, q string, limit int) ([]parley.Source, error) {
	q = strings.TrimSpace(q)
	var rows pgx.Rows
	var err error
	switch m := sourceID.FindStringSubmatch(q); {
	case q == "":
		return nil, nil
	case m != nil:
		id, _ := strconv.ParseInt(m[1], 10, 64)
		rows, err = s.pool.Query(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1 AND deleted_at IS NULL`, id)
	case strings.HasPrefix(q, "http://") || strings.HasPrefix(q, "https://"):
		rows, err = s.pool.Query(ctx, `SELECT `+sourceCols+` FROM sources WHERE url = $1 AND deleted_at IS NULL ORDER BY id LIMIT $2`, q, limit)
	default:
		rows, err = s.pool.Query(ctx, `
			SELECT `+sourceCols+` FROM sources
			WHERE deleted_at IS NULL AND (outlet || ' ' || title) ILIKE ALL ($1)
			ORDER BY published DESC NULLS LAST, id DESC LIMIT $2`, likePatterns(q), limit)
	}
	if err != nil {
		return nil, wrap(err, "find sources")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Source, error) { return scanSource(r) })
	return out, wrap(err, "find sources")
}
