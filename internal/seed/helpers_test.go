package seed_test

import (
	"testing"

	"parley/internal/seed"
	"parley/internal/store"
)

// Helpers.

func rawSeed(t *testing.T) seed.File {
	t.Helper()
	f, err := seed.Raw()
	if err != nil {
		t.Fatalf("seed.Raw: %v", err)
	}
	return f
}

func seedData(t *testing.T) store.SeedData {
	t.Helper()
	d, err := seed.Data()
	if err != nil {
		t.Fatalf("seed.Data: %v", err)
	}
	return d
}

func regionSlugs(f seed.File) []string {
	var out []string
	for _, r := range f.Regions {
		out = append(out, r.Slug)
	}
	return out
}

func actorSlugs(f seed.File) []string {
	var out []string
	for _, a := range f.Actors {
		out = append(out, a.Slug)
	}
	return out
}

func demandSlugs(f seed.File) []string {
	var out []string
	for _, d := range f.Demands {
		out = append(out, d.Slug)
	}
	return out
}

func sourceRefs(f seed.File) []string {
	var out []string
	for _, s := range f.Sources {
		out = append(out, s.Ref)
	}
	return out
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}
