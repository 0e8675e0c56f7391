package store_test

import (
	"context"
	"parley"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/testdb"
)

// BenchmarkReadsAtScale times the store's read paths on 50,000 generated
// statements (make bench; scripts/bench measures the pages at a million).
func BenchmarkReadsAtScale(b *testing.B) {
	ctx := context.Background()
	s := store.New(testdb.New(b))
	if _, err := s.Generate(ctx, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	top, _, err := s.TopActors(ctx, 30)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(top))
	for i, a := range top {
		ids[i] = a.ID
	}
	asOf := time.Date(2019, 6, 30, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		run  func() error
	}{
		{"TopActors", func() error { _, _, err := s.TopActors(ctx, 30); return err }},
		{"CurrentPositions/now", func() error { _, err := s.CurrentPositions(ctx, ids, time.Time{}); return err }},
		{"CurrentPositions/as_of", func() error { _, err := s.CurrentPositions(ctx, ids, asOf); return err }},
		{"SideStances/now", func() error { _, err := s.SideStances(ctx, time.Time{}, ""); return err }},
		{"ListShifts", func() error { _, err := s.ListShifts(ctx, time.Time{}, "", "", 10); return err }},
		{"Search/common-word", func() error {
			_, err := s.SearchStatements(ctx, parley.StatementFilter{Query: "zelenski", Sort: "date", Limit: 25})
			return err
		}},
		{"Search/two-words", func() error {
			_, err := s.SearchStatements(ctx, parley.StatementFilter{Query: "kiev oblast", Sort: "date", Limit: 25})
			return err
		}},
		{"RegionTimeline", func() error {
			_, err := s.RegionTimeline(ctx, parley.StatementFilter{Region: "gen-region-6", Sort: "date", Limit: 50})
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
