package store_test

import (
	"context"
	"errors"
	"parley"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustDate parses s with store.ParseDate, failing the test on error.
func mustDate(t *testing.T, s string) parley.Date {
	t.Helper()
	d, err := parley.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestCreateSourceThenGet(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	published := mustDate(t, "2024-05")
	created, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{
		Ref: "2024-05-reuters-talks.md", Outlet: " Reuters ", Title: " Talks stall ",
		URL: " https://www.reuters.com/world/talks-stall ", Via: " wire ", Published: published,
	})
	if err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	want := parley.Source{
		ID: created.ID, Ref: "2024-05-reuters-talks.md", Outlet: "Reuters", Title: "Talks stall",
		URL: "https://www.reuters.com/world/talks-stall", Via: "wire", Version: 1,
		Published: parley.Date{Time: published.Time, Precision: "month"},
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("CreateSource result mismatch (-want +got):\n%s", diff)
	}
	got, err := s.GetSource(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetSource: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetSource mismatch (-want +got):\n%s", diff)
	}
	if got.Published.String() != "May 2024" {
		t.Errorf("Published.String() = %q, want %q", got.Published.String(), "May 2024")
	}
	revs, err := s.ListRevisions(ctx, "source", created.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 || revs[0].Action != "create" || revs[0].Version != 1 {
		t.Errorf("revisions = %+v, want one create at version 1", revs)
	}
}

func TestCreateSourceWithoutPublishedDate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	created, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Telegram"})
	if err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	got, err := s.GetSource(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetSource: %v", err)
	}
	if !got.Published.Time.IsZero() || got.Published.String() != "" {
		t.Errorf("Published = %+v, want zero", got.Published)
	}
	if got.Ref != "" {
		t.Errorf("Ref = %q, want empty", got.Ref)
	}
}

func TestListSourcesNewestPublishedFirst(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	for _, in := range []parley.SourceInput{
		{Outlet: "Undated", Title: "undated"},
		{Outlet: "Kommersant", Title: "2023", Published: mustDate(t, "2023")},
		{Outlet: "Reuters", Title: "2024-06-14", Published: mustDate(t, "2024-06-14")},
		{Outlet: "TASS", Title: "2024-05", Published: mustDate(t, "2024-05")},
		{Outlet: "Kyiv Independent", Title: "2024-06-14 later", Published: mustDate(t, "2024-06-14")},
	} {
		if _, err := s.CreateSource(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateSource(%q): %v", in.Title, err)
		}
	}
	list, err := s.ListSources(ctx)
	if err != nil {
		t.Fatalf("ListSources: %v", err)
	}
	var got []string
	for _, src := range list {
		got = append(got, src.Title)
	}
	// Same date: the newer record first.
	want := []string{"2024-06-14 later", "2024-06-14", "2024-05", "2023", "undated"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListSources order (-want +got):\n%s", diff)
	}
}

func TestCreateSourceValidatesURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"https", "https://kyivindependent.com/news", true},
		{"http upper case", "HTTP://EXAMPLE.ORG/A", true},
		{"empty", "", true},
		{"javascript", "javascript:alert(1)", false},
		{"ftp", "ftp://example.org/file", false},
		{"no scheme", "example.org", false},
		{"scheme only", "https://", false},
		{"space inside", "https://example.org/a b", false},
		{"too long", "https://example.org/" + strings.Repeat("a", 2000), false},
	}
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Outlet", URL: tt.url})
			if tt.ok {
				if err != nil {
					t.Fatalf("CreateSource(url %q) err = %v, want nil", tt.url, err)
				}
				if created.URL != tt.url {
					t.Errorf("URL = %q, want %q", created.URL, tt.url)
				}
				return
			}
			var ve *parley.ValidationError
			if !errors.As(err, &ve) || ve.Fields["url"] == "" {
				t.Errorf("CreateSource(url %q) err = %v, want *ValidationError for url", tt.url, err)
			}
		})
	}
}

func TestCreateSourceValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    parley.SourceInput
		field string
	}{
		{"blank outlet", parley.SourceInput{Outlet: " "}, "outlet"},
		{"long outlet", parley.SourceInput{Outlet: strings.Repeat("o", 201)}, "outlet"},
		{"long title", parley.SourceInput{Outlet: "o", Title: strings.Repeat("t", 501)}, "title"},
		{"month precision not on the first", parley.SourceInput{Outlet: "o",
			Published: parley.Date{Time: mustDate(t, "2024-05-14").Time, Precision: "month"}}, "published"},
		{"year precision not on January 1", parley.SourceInput{Outlet: "o",
			Published: parley.Date{Time: mustDate(t, "2024-05-01").Time, Precision: "year"}}, "published"},
		{"unknown precision", parley.SourceInput{Outlet: "o",
			Published: parley.Date{Time: mustDate(t, "2024-05-01").Time, Precision: "week"}}, "published"},
	}
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateSource(ctx, parley.Editor{}, tt.in)
			var ve *parley.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if ve.Fields[tt.field] == "" {
				t.Errorf("no message for field %q in %v", tt.field, ve.Fields)
			}
		})
	}
	list, err := s.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("ListSources after rejected inputs = %d sources, want 0", len(list))
	}
}

func TestCreateSourceRejectsDuplicateRef(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Ref: "article-1.md", Outlet: "BBC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Ref: "article-1.md", Outlet: "CNN"}); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("second CreateSource err = %v, want ErrConflict", err)
	}
	// Sources without a ref never clash with each other.
	for i := 0; i < 2; i++ {
		if _, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "AP"}); err != nil {
			t.Fatalf("CreateSource without ref #%d: %v", i+1, err)
		}
	}
	list, err := s.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("ListSources = %d sources, want 3", len(list))
	}
}

func TestGetSourceUnknown(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.GetSource(context.Background(), 424242); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetSource(unknown) err = %v, want ErrNotFound", err)
	}
}
