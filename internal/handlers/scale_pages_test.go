package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var actorOption = regexp.MustCompile(`<option value="(gen-actor-\d+)"`)

// With two thousand actors, the filter forms offer the most active ones;
// any other actor is still a valid filter, shown selected, and an unknown
// one is still a 400. The dashboard's matrix shows its 30 most active.
func TestFiltersAndMatrixAtScale(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ctx := context.Background()
	if _, err := e.store.Generate(ctx, 1500, 3); err != nil {
		t.Fatal(err)
	}
	var rare string
	err := e.pool.QueryRow(ctx, `
		SELECT a.slug FROM actors a JOIN statements s ON s.actor_id = a.id
		GROUP BY a.slug ORDER BY count(*), a.slug LIMIT 1`).Scan(&rare)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/statements", "/regions/gen-region-1"} {
		body := e.wantStatus(t, path, http.StatusOK)
		if n := len(actorOption.FindAllString(body, -1)); n > 100 || n < 50 {
			t.Errorf("%s offers %d actors, want the 100 most active at most (and not a handful)", path, n)
		}
		if !strings.Contains(body, `data-testid="more-actors"`) {
			t.Errorf("%s does not say the actor list holds the most active only", path)
		}
		if strings.Contains(body, `value="`+rare+`"`) {
			t.Errorf("%s offers %s, one of the least active actors", path, rare)
		}
		body = e.wantStatus(t, path+"?actor="+rare, http.StatusOK)
		if !strings.Contains(body, `<option value="`+rare+`" selected`) {
			t.Errorf("%s?actor=%s: the rare actor is not the selected choice", path, rare)
		}
		e.wantStatus(t, path+"?actor=nobody-at-all", http.StatusBadRequest)
	}

	var want []string
	rows, err := e.pool.Query(ctx, `
		SELECT a.slug FROM actors a JOIN statements s ON s.actor_id = a.id AND s.deleted_at IS NULL
		JOIN positions p ON p.statement_id = s.id
		GROUP BY a.slug, a.name ORDER BY count(*) DESC, a.name LIMIT 30`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			t.Fatal(err)
		}
		want = append(want, slug)
	}
	body := e.wantStatus(t, "/?all=1", http.StatusOK)
	if !strings.Contains(body, `data-testid="matrix-scope"`) {
		t.Error("the dashboard does not say its matrix shows the most active actors")
	}
	rowRe := regexp.MustCompile(`<th scope="row"><a href="/actors/([a-z0-9-]+)"`)
	var got []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		got = append(got, m[1])
	}
	if len(got) != 30 {
		t.Fatalf("matrix rows = %d, want 30", len(got))
	}
	for _, slug := range want {
		if !strings.Contains(strings.Join(got, " ")+" ", slug+" ") {
			t.Errorf("the matrix lacks %s, one of the 30 actors with the most positions", slug)
		}
	}
}
