package store

import (
	"context"
	"encoding/json"
	"fmt"
	"parley"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// RestoreRevision makes the record of revision revID read as it did in
// that revision (undeleting it if needed). The restore is itself a new
// revision; nothing is overwritten. It returns the record's type and key
// (slug, or id for statements and sources).
func (s *Store) RestoreRevision(ctx context.Context, by parley.Editor, revID int64) (entity, key string, err error) {
	rev, err := s.GetRevision(ctx, revID)
	if err != nil {
		return "", "", err
	}
	err = s.transact(ctx, func(tx pgx.Tx) error {
		var deleted bool
		table := tables[rev.EntityType]
		if table == "" {
			return fmt.Errorf("revisions of %s cannot be restored", rev.EntityType)
		}
		if err := tx.QueryRow(ctx, `SELECT deleted_at IS NOT NULL FROM `+table+` WHERE id = $1 FOR UPDATE`, rev.EntityID).Scan(&deleted); err != nil {
			return err
		}
		if deleted {
			if err := setDeleted(ctx, tx, table, rev.EntityID, false); err != nil {
				return err
			}
		}
		switch rev.EntityType {
		case "region":
			var r parley.Region
			if err := json.Unmarshal(rev.Data, &r); err != nil {
				return err
			}
			key = r.Slug
			_, err := updateRegion(ctx, tx, by, r.Slug, 0, parley.RegionInput{Slug: r.Slug, Name: r.Name, Country: r.Country, Kind: r.Kind}, "restore")
			return err
		case "actor":
			var a parley.Actor
			if err := json.Unmarshal(rev.Data, &a); err != nil {
				return err
			}
			key = a.Slug
			_, err := updateActor(ctx, tx, by, a.Slug, 0, parley.ActorInput{Slug: a.Slug, Name: a.Name, Kind: a.Kind, Side: a.Side,
				Role: a.Role, Parent: a.ParentSlug, Aliases: a.Aliases}, "restore")
			return err
		case "demand":
			var d parley.Demand
			if err := json.Unmarshal(rev.Data, &d); err != nil {
				return err
			}
			key = d.Slug
			_, err := updateDemand(ctx, tx, by, d.Slug, 0, parley.DemandInput{Slug: d.Slug, Title: d.Title, Description: d.Description,
				Side: d.Side, Category: d.Category, Regions: d.Regions}, "restore")
			return err
		case "source":
			var src parley.Source
			if err := json.Unmarshal(rev.Data, &src); err != nil {
				return err
			}
			key = strconv.FormatInt(rev.EntityID, 10)
			_, err := updateSource(ctx, tx, by, rev.EntityID, 0, parley.SourceInput{Outlet: src.Outlet, Title: src.Title, URL: src.URL,
				Via: src.Via, Published: src.Published}, "restore")
			return err
		case "statement":
			var st parley.Statement
			if err := json.Unmarshal(rev.Data, &st); err != nil {
				return err
			}
			key = strconv.FormatInt(rev.EntityID, 10)
			in := parley.StatementInput{Actor: st.ActorSlug, Date: st.Date, Quote: st.Quote, Summary: st.Summary,
				Occasion: st.Occasion, Attribution: st.Attribution}
			if st.Source != nil {
				in.SourceID = st.Source.ID
			}
			for _, r := range st.Regions {
				in.Regions = append(in.Regions, r.Slug)
			}
			for _, p := range st.Positions {
				in.Positions = append(in.Positions, parley.PositionInput{Demand: p.Demand, Stance: p.Stance})
			}
			_, err := updateStatement(ctx, tx, by, rev.EntityID, 0, in, "restore")
			return err
		}
		return nil
	})
	return rev.EntityType, key, wrap(err, "restore revision %d", revID)
}

// ListChanges returns recent revisions across the dataset, newest first.
func (s *Store) ListChanges(ctx context.Context, f parley.ChangeFilter) ([]parley.Change, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, entity_type, entity_id, version, action, data, user_email, created_at,
		       coalesce(data->>'name', data->>'title', data->>'summary', data->>'outlet', '')
		FROM revisions
		WHERE ($1 = '' OR lower(user_email) = lower($1)) AND ($2 = '' OR entity_type = $2)
		ORDER BY id DESC LIMIT $3`, f.Editor, f.EntityType, f.Limit)
	if err != nil {
		return nil, wrap(err, "list changes")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Change, error) {
		var c parley.Change
		err := r.Scan(&c.ID, &c.EntityType, &c.EntityID, &c.Version, &c.Action, &c.Data, &c.UserEmail, &c.CreatedAt, &c.Label)
		return c, err
	})
	return out, wrap(err, "list changes")
}

// FindRecord finds a region, actor or demand by slug, or a statement or
// source by id (key), including deleted ones; ErrNotFound if none.
func (s *Store) FindRecord(ctx context.Context, entity, key string) (parley.RecordInfo, error) {
	var sql string
	var arg any = key
	switch entity {
	case "region":
		sql = `SELECT id, name, deleted_at IS NOT NULL FROM regions WHERE slug = $1`
	case "actor":
		sql = `SELECT id, name, deleted_at IS NOT NULL FROM actors WHERE slug = $1`
	case "demand":
		sql = `SELECT id, title, deleted_at IS NOT NULL FROM demands WHERE slug = $1`
	case "source", "statement":
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || id < 1 {
			return parley.RecordInfo{}, parley.ErrNotFound
		}
		arg = id
		sql = `SELECT id, outlet, deleted_at IS NOT NULL FROM sources WHERE id = $1`
		if entity == "statement" {
			sql = `SELECT id, summary, deleted_at IS NOT NULL FROM statements WHERE id = $1`
		}
	default:
		return parley.RecordInfo{}, parley.ErrNotFound
	}
	var r parley.RecordInfo
	err := s.pool.QueryRow(ctx, sql, arg).Scan(&r.ID, &r.Label, &r.Deleted)
	return r, wrap(err, "find %s %q", entity, key)
}

// ListEditors returns the emails that appear in the change log.
func (s *Store) ListEditors(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT user_email FROM revisions WHERE user_email <> '' ORDER BY 1`)
	if err != nil {
		return nil, wrap(err, "list editors")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap(err, "list editors")
}

// ListStatementChanges returns the latest revisions of live statements
// (new, edited, restored) that match region and demand (slugs, either may
// be empty), newest first, with each statement as it now stands.
func (s *Store) ListStatementChanges(ctx context.Context, region, demand string, limit int) ([]parley.StatementChange, error) {
	f := parley.StatementFilter{Region: region, Demand: demand}
	q := compileFilter(f, overStatements)
	where, args := q.where(), q.args
	n := len(args)
	rows, err := s.pool.Query(ctx, `
		SELECT rv.id, rv.action, rv.created_at, `+statementCols+statementFrom+`
		JOIN revisions rv ON rv.entity_type = 'statement' AND rv.entity_id = s.id AND rv.action <> 'delete'
		WHERE `+where+`
		ORDER BY rv.id DESC LIMIT $`+strconv.Itoa(n+1), append(args, limit)...)
	if err != nil {
		return nil, wrap(err, "list statement changes")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StatementChange, error) {
		var c parley.StatementChange
		var extra = []any{&c.RevisionID, &c.Action, &c.At}
		st, err := scanStatementAfter(r, extra)
		c.Statement = st
		return c, err
	})
	return out, wrap(err, "list statement changes")
}
