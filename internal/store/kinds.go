package store

import (
	"context"
	"encoding/json"
	"strconv"

	"parley"
)

// recordOps is what the shared delete, restore and history code needs to
// know of one kind of record beyond parley.Kind's registry.
type recordOps struct {
	// snapshot reads record id (deleted or not) as its revisions store it.
	snapshot func(ctx context.Context, q querier, id int64) (any, int, error)
	// restore makes record id read as data, a snapshot of one of its
	// revisions, and returns its key.
	restore func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error)
}

// records holds the operations of every kind of record.
var records = map[parley.Kind]recordOps{
	parley.KindRegion: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			r, err := scanRegion(q.QueryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE id = $1`, id))
			return r, r.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var r parley.Region
			if err := json.Unmarshal(data, &r); err != nil {
				return "", err
			}
			_, err := updateRegion(ctx, q, by, r.Slug, 0, parley.RegionInput{Slug: r.Slug, Name: r.Name, Country: r.Country, Kind: r.Kind}, "restore")
			return r.Slug, err
		},
	},
	parley.KindSide: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			x, err := scanSide(q.QueryRow(ctx, `SELECT `+sideCols+` FROM sides WHERE id = $1`, id))
			return x, x.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var x parley.Side
			if err := json.Unmarshal(data, &x); err != nil {
				return "", err
			}
			_, err := updateSide(ctx, q, by, x.Slug, 0, parley.SideInput{Slug: x.Slug, Name: x.Name, Role: x.Role}, "restore")
			return x.Slug, err
		},
	},
	parley.KindActor: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			a, err := scanActor(q.QueryRow(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.id = $1`, id))
			return a, a.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var a parley.Actor
			if err := json.Unmarshal(data, &a); err != nil {
				return "", err
			}
			_, err := updateActor(ctx, q, by, a.Slug, 0, parley.ActorInput{Slug: a.Slug, Name: a.Name, Kind: a.Kind, Side: a.Side,
				Role: a.Role, Parent: a.ParentSlug, Aliases: a.Aliases}, "restore")
			return a.Slug, err
		},
	},
	parley.KindDemand: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, id))
			return d, d.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var d parley.Demand
			if err := json.Unmarshal(data, &d); err != nil {
				return "", err
			}
			_, err := updateDemand(ctx, q, by, d.Slug, 0, parley.DemandInput{Slug: d.Slug, Title: d.Title, Description: d.Description,
				Side: d.Side, Category: d.Category, Regions: d.Regions, Converse: d.Converse, Keywords: d.Keywords}, "restore")
			return d.Slug, err
		},
	},
	parley.KindSource: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			src, err := scanSource(q.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1`, id))
			return src, src.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var src parley.Source
			if err := json.Unmarshal(data, &src); err != nil {
				return "", err
			}
			_, err := updateSource(ctx, q, by, id, 0, parley.SourceInput{Outlet: src.Outlet, Title: src.Title, URL: src.URL,
				Via: src.Via, Published: src.Published}, "restore")
			return strconv.FormatInt(id, 10), err
		},
	},
	parley.KindStatement: {
		snapshot: func(ctx context.Context, q querier, id int64) (any, int, error) {
			st, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
			return st, st.Version, err
		},
		restore: func(ctx context.Context, q querier, by parley.Editor, id int64, data []byte) (string, error) {
			var st parley.Statement
			if err := json.Unmarshal(data, &st); err != nil {
				return "", err
			}
			in := parley.InputOf(st)
			_, err := updateStatement(ctx, q, by, id, 0, in, "restore")
			return strconv.FormatInt(id, 10), err
		},
	},
}

// deleteOrRestore flips a record's deleted state and records the revision
// with the record's snapshot as it stands.
func deleteOrRestore(ctx context.Context, q querier, by parley.Editor, k parley.Kind, id int64, deleted bool) error {
	if err := setDeleted(ctx, q, k, id, deleted); err != nil {
		return err
	}
	snap, version, err := records[k].snapshot(ctx, q, id)
	if err != nil {
		return err
	}
	action := "restore"
	if deleted {
		action = "delete"
	}
	return writeRevision(ctx, q, by, k, id, version, action, snap)
}
