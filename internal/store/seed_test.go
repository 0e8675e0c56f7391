package store_test

import (
	"context"
	"errors"
	"parley"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// newStoreWithPool is newStore that also returns the pool, for tests that
// look at or change the database behind the store's back.
func newStoreWithPool(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := testdb.New(t)
	return store.New(pool), pool
}

// smallSeed is a hand-made dataset: the child actor comes before its
// parent, and the statements cite the source by ref.
func smallSeed(t *testing.T) store.SeedData {
	t.Helper()
	return store.SeedData{
		Regions: []parley.RegionInput{regionDonetsk, regionKherson},
		Sources: []parley.SourceInput{
			{Ref: "2024-06-14-kremlin.md", Outlet: "Kremlin.ru", Title: "Speech", Published: mustDate(t, "2024-06-14")},
		},
		Actors: []parley.ActorInput{
			{Slug: "sergei-lavrov", Name: "Sergei Lavrov", Kind: "person", Side: "russia", Parent: "russia-mfa"},
			{Slug: "russia-mfa", Name: "Russian Foreign Ministry", Kind: "ministry", Side: "russia"},
		},
		Demands: []parley.DemandInput{
			{Slug: "withdrawal", Title: "Ukrainian withdrawal", Side: "russia", Category: "territory", Regions: []string{"donetsk", "kherson"}},
		},
		Statements: []store.SeedStatement{
			{Reports: []store.SeedReport{{SourceRef: "2024-06-14-kremlin.md"}}, StatementInput: parley.StatementInput{
				Actor: "sergei-lavrov", Date: mustDate(t, "2024-06-14"), Summary: "Repeats the terms.",
				Attribution: "on_record", SeedKey: "lavrov-2024-06-14", Regions: []string{"donetsk"},
				Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "insists"}},
			}},
			{Reports: []store.SeedReport{{SourceRef: "2024-06-14-kremlin.md"}}, StatementInput: parley.StatementInput{
				Actor: "russia-mfa", Date: mustDate(t, "2024-06"), Summary: "Ministry statement.",
				Attribution: "spokesperson", SeedKey: "mfa-2024-06", Regions: []string{"kherson"},
			}},
		},
	}
}

func TestLoadSeedCreatesRecordsOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	empty, err := s.Empty(ctx)
	if err != nil {
		t.Fatalf("Empty: %v", err)
	}
	if !empty {
		t.Errorf("Empty() on a fresh database = false, want true")
	}

	res, err := s.LoadSeed(ctx, smallSeed(t))
	if err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	want := store.SeedResult{Regions: 2, Sources: 1, Actors: 2, Demands: 1, Statements: 2}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("first LoadSeed result (-want +got):\n%s", diff)
	}
	empty, err = s.Empty(ctx)
	if err != nil {
		t.Fatalf("Empty: %v", err)
	}
	if empty {
		t.Errorf("Empty() after loading = true, want false")
	}

	lavrov, err := s.GetActor(ctx, "sergei-lavrov")
	if err != nil {
		t.Fatalf("GetActor: %v", err)
	}
	if lavrov.ParentSlug != "russia-mfa" {
		t.Errorf("child actor parent = %q, want %q", lavrov.ParentSlug, "russia-mfa")
	}
	list, err := s.ListStatements(ctx, parley.StatementFilter{})
	if err != nil {
		t.Fatalf("ListStatements: %v", err)
	}
	if len(list) != 2 {
		t.Fatalf("statements after first load = %d, want 2", len(list))
	}
	sources, err := s.ListSources(ctx)
	if err != nil || len(sources) != 1 {
		t.Fatalf("ListSources = %+v, %v, want one source", sources, err)
	}
	for _, st := range list {
		if st.Source == nil || st.Source.ID != sources[0].ID {
			t.Errorf("statement %q source = %+v, want source %d", st.Summary, st.Source, sources[0].ID)
		}
	}
	revs, err := s.ListRevisions(ctx, "actor", lavrov.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 || revs[0].Action != "seed" {
		t.Errorf("seeded actor revisions = %+v, want one seed revision", revs)
	}

	res, err = s.LoadSeed(ctx, smallSeed(t))
	if err != nil {
		t.Fatalf("second LoadSeed: %v", err)
	}
	if diff := cmp.Diff(store.SeedResult{}, res); diff != "" {
		t.Errorf("second LoadSeed result (-want +got):\n%s", diff)
	}
	if n := countStatements(t, s); n != 2 {
		t.Errorf("statements after second load = %d, want 2", n)
	}
	if n := countActors(t, s); n != 2 {
		t.Errorf("actors after second load = %d, want 2", n)
	}
	sources, err = s.ListSources(ctx)
	if err != nil || len(sources) != 1 {
		t.Errorf("ListSources after second load = %d sources (err %v), want 1", len(sources), err)
	}
}

func TestLoadSeedKeepsEditedRecords(t *testing.T) {
	t.Parallel()
	s, pool := newStoreWithPool(t)
	ctx := context.Background()
	if _, err := s.LoadSeed(ctx, smallSeed(t)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	for _, q := range []string{
		`UPDATE actors SET name = 'Edited' WHERE slug = 'russia-mfa'`,
		`UPDATE demands SET title = 'Edited demand' WHERE slug = 'withdrawal'`,
		`UPDATE statements SET summary = 'Edited summary' WHERE seed_key = 'lavrov-2024-06-14'`,
		`UPDATE sources SET outlet = 'Edited outlet' WHERE ref = '2024-06-14-kremlin.md'`,
		// A deleted region stays deleted rather than coming back.
		`UPDATE regions SET deleted_at = now() WHERE slug = 'kherson'`,
	} {
		if tag, err := pool.Exec(ctx, q); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v rows, err %v; want 1 row", q, tag.RowsAffected(), err)
		}
	}

	res, err := s.LoadSeed(ctx, smallSeed(t))
	if err != nil {
		t.Fatalf("second LoadSeed: %v", err)
	}
	if diff := cmp.Diff(store.SeedResult{}, res); diff != "" {
		t.Errorf("second LoadSeed result (-want +got):\n%s", diff)
	}

	mfa, err := s.GetActor(ctx, "russia-mfa")
	if err != nil {
		t.Fatal(err)
	}
	if mfa.Name != "Edited" {
		t.Errorf("actor name after reload = %q, want %q", mfa.Name, "Edited")
	}
	d, err := s.GetDemand(ctx, "withdrawal")
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Edited demand" {
		t.Errorf("demand title after reload = %q, want %q", d.Title, "Edited demand")
	}
	list, err := s.ListStatements(ctx, parley.StatementFilter{Actor: "sergei-lavrov"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Summary != "Edited summary" {
		t.Errorf("Lavrov statements after reload = %+v, want one with the edited summary", list)
	}
	if len(list) == 1 && (list[0].Source == nil || list[0].Source.Outlet != "Edited outlet") {
		t.Errorf("statement source after reload = %+v, want the edited outlet", list[0].Source)
	}
	if _, err := s.GetRegion(ctx, "kherson"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetRegion(deleted region) after reload err = %v, want ErrNotFound", err)
	}
}
