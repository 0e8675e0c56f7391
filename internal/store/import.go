package store

import (
	"context"
	"errors"
	"fmt"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Import writes statements (and the actors, demands, regions and sources
// they need) in one transaction, each with its revision; with apply false
// it does the same work and rolls it back, so the preview is exactly what
// applying would do. A statement whose actor, date and summary match a
// stored one is skipped, so importing a file twice adds nothing. Problems
// (ErrImportProblems) write nothing.
func (s *Store) Import(ctx context.Context, by parley.Editor, items []parley.ImportStatement, apply bool) (parley.ImportReport, error) {
	var rep parley.ImportReport
	errPreview := errors.New("preview")
	err := s.transact(ctx, func(tx pgx.Tx) error {
		rep = parley.ImportReport{}
		actors := map[string]string{} // lower(name or alias) -> slug
		sources := map[string]int64{} // source key -> id
		created := map[string]bool{}  // "kind:key" already created in this import
		// problem records what is wrong with item it as an import problem
		// (keeping the line), or returns any other error.
		problem := func(it parley.ImportStatement, column string, err error) error {
			var ve *parley.ValidationError
			if !errors.As(err, &ve) {
				return err
			}
			for _, m := range ve.Fields {
				rep.Problems = append(rep.Problems, parley.ImportProblem{Line: it.Line, Column: column, Message: m})
			}
			return nil
		}
	items:
		for _, it := range items {
			slug, err := importActor(ctx, tx, by, it, actors, &rep)
			if err != nil {
				if err := problem(it, "actor", err); err != nil {
					return err
				}
				continue
			}
			in := it.Statement
			in.Actor = slug
			for _, p := range in.Positions {
				if err := importDemand(ctx, tx, by, p.Demand, it.ActorSide, created, &rep); err != nil {
					if err := problem(it, "demand", err); err != nil {
						return err
					}
					continue items
				}
			}
			for _, r := range in.Regions {
				if err := importRegion(ctx, tx, by, r, created, &rep); err != nil {
					if err := problem(it, "regions", err); err != nil {
						return err
					}
					continue items
				}
			}
			if it.Source != nil {
				id, err := importSource(ctx, tx, by, *it.Source, sources, &rep)
				if err != nil {
					if err := problem(it, "source_outlet", err); err != nil {
						return err
					}
					continue
				}
				in.SourceID = id
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM statements s JOIN actors a ON a.id = s.actor_id
				WHERE a.slug = $1 AND s.date = $2 AND s.date_precision = $3 AND s.summary = $4 AND s.deleted_at IS NULL)`,
				slug, in.Date.Time, in.Date.Precision, parley.CleanText(in.Summary)).Scan(&exists); err != nil {
				return err
			}
			if exists {
				rep.Skipped = append(rep.Skipped, it.Line)
				continue
			}
			if _, err := createStatement(ctx, tx, by, in, "import"); err != nil {
				var ve *parley.ValidationError
				if errors.As(err, &ve) {
					for k, v := range ve.Fields {
						rep.Problems = append(rep.Problems, parley.ImportProblem{Line: it.Line, Column: k, Message: v})
					}
					continue
				}
				return err
			}
			rep.Statements++
		}
		if len(rep.Problems) > 0 {
			return parley.ErrImportProblems
		}
		if !apply {
			return errPreview
		}
		return nil
	})
	if errors.Is(err, errPreview) {
		err = nil
	}
	if errors.Is(err, parley.ErrImportProblems) {
		return rep, err
	}
	return rep, wrap(err, "import")
}

func importActor(ctx context.Context, q querier, by parley.Editor, it parley.ImportStatement, known map[string]string, rep *parley.ImportReport) (string, error) {
	name := strings.TrimSpace(it.Actor)
	p := parley.Problems{}
	p.CheckText(map[string]string{"actor": name})
	if err := p.Err(); err != nil {
		return "", err
	}
	k := strings.ToLower(name)
	if slug, ok := known[k]; ok {
		return slug, nil
	}
	var slug string
	err := q.QueryRow(ctx, `SELECT slug FROM actors WHERE deleted_at IS NULL
		AND (lower(name) = $1 OR EXISTS (SELECT 1 FROM unnest(aliases) x WHERE lower(x) = $1))
		ORDER BY lower(name) = $1 DESC, id LIMIT 1`, k).Scan(&slug)
	if err == pgx.ErrNoRows {
		slug, err = freeSlug(ctx, q, "actors", parley.Slugify(name, "actor"))
		if err != nil {
			return "", err
		}
		side := it.ActorSide
		if !parley.ValidSlug(side) {
			side = "independent"
		}
		in := parley.ActorInput{Slug: slug, Name: name, Kind: "person", Side: side}
		if err := in.Validate(); err != nil { // before writing: a failed write would end the transaction
			return "", err
		}
		if err := importSide(ctx, q, by, side, rep); err != nil {
			return "", err
		}
		if _, err := createActor(ctx, q, by, in, "import"); err != nil {
			return "", err
		}
		rep.NewActors = append(rep.NewActors, name+" ("+side+")")
	} else if err != nil {
		return "", err
	}
	known[k] = slug
	return slug, nil
}

// importSide creates side, a valid slug, when no side has it yet, with its
// default role (parley.DefaultSideRole), and lists it in the report so an
// admin can check the role.
func importSide(ctx context.Context, q querier, by parley.Editor, side string, rep *parley.ImportReport) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sides WHERE slug = $1)`, side).Scan(&ok); err != nil || ok {
		return err
	}
	name := strings.ReplaceAll(side, "-", " ")
	in := parley.SideInput{Slug: side, Name: strings.ToUpper(name[:1]) + name[1:], Role: parley.DefaultSideRole(side)}
	if _, err := createSide(ctx, q, by, in, "import"); err != nil {
		return err
	}
	rep.NewSides = append(rep.NewSides, side+" ("+string(in.Role)+")")
	return nil
}

func importDemand(ctx context.Context, q querier, by parley.Editor, slug, side string, created map[string]bool, rep *parley.ImportReport) error {
	if created["demand:"+slug] {
		return nil
	}
	created["demand:"+slug] = true
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM demands WHERE slug = $1)`, slug).Scan(&ok); err != nil || ok {
		return err
	}
	if !parley.ValidSlug(side) {
		side = "independent"
	}
	title := strings.ReplaceAll(slug, "-", " ")
	title = strings.ToUpper(title[:1]) + title[1:]
	in := parley.DemandInput{Slug: slug, Title: title, Side: side, Category: "political"}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := importSide(ctx, q, by, side, rep); err != nil {
		return err
	}
	if _, err := createDemand(ctx, q, by, in, "import"); err != nil {
		return err
	}
	rep.NewDemands = append(rep.NewDemands, slug)
	return nil
}

func importRegion(ctx context.Context, q querier, by parley.Editor, slug string, created map[string]bool, rep *parley.ImportReport) error {
	if created["region:"+slug] {
		return nil
	}
	created["region:"+slug] = true
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE slug = $1)`, slug).Scan(&ok); err != nil || ok {
		return err
	}
	name := strings.ReplaceAll(slug, "-", " ")
	name = strings.ToUpper(name[:1]) + name[1:]
	in := parley.RegionInput{Slug: slug, Name: name, Country: "Unknown", Kind: "other"}
	if err := in.Validate(); err != nil {
		return err
	}
	if _, err := createRegion(ctx, q, by, in, "import"); err != nil {
		return err
	}
	rep.NewRegions = append(rep.NewRegions, slug)
	return nil
}

func importSource(ctx context.Context, q querier, by parley.Editor, in parley.SourceInput, known map[string]int64, rep *parley.ImportReport) (int64, error) {
	key := strings.Join([]string{in.Outlet, in.Title, in.URL, in.Published.ISO(), string(in.Published.Precision)}, "\x00")
	if id, ok := known[key]; ok {
		return id, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM sources WHERE deleted_at IS NULL AND outlet = $1 AND title = $2 AND url = $3
		AND published IS NOT DISTINCT FROM $4 ORDER BY id LIMIT 1`,
		strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title), strings.TrimSpace(in.URL), nullDate(in.Published.Time)).Scan(&id)
	if err == pgx.ErrNoRows {
		if err := in.Validate(); err != nil {
			return 0, err
		}
		src, err := createSource(ctx, q, by, in, "import")
		if err != nil {
			return 0, err
		}
		id = src.ID
		label := in.Outlet
		if in.Title != "" {
			label += ": " + in.Title
		}
		rep.NewSources = append(rep.NewSources, label)
	} else if err != nil {
		return 0, err
	}
	known[key] = id
	return id, nil
}

// freeSlug returns base, or base-2, base-3… if taken in table.
func freeSlug(ctx context.Context, q querier, table, base string) (string, error) {
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		var taken bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE slug = $1)`, slug).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return slug, nil
		}
	}
}
