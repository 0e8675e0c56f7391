package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"parley"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/handlers"
	"parley/internal/store"
	"parley/internal/testdb"
)

// countingStore counts the catalogue lookups a request costs.
type countingStore struct {
	handlers.Store
	choices, actors atomic.Int64
}

func (c *countingStore) ActorChoices(ctx context.Context, limit int) ([]parley.Actor, error) {
	c.choices.Add(1)
	return c.Store.ActorChoices(ctx, limit)
}

func (c *countingStore) GetActor(ctx context.Context, slug string) (parley.Actor, error) {
	c.actors.Add(1)
	return c.Store.GetActor(ctx, slug)
}

// TestLongOrRepeatedFiltersCostNothing: an address over the length limit
// is refused before any query; a filter repeated with one value counts
// once; repeated with many values, it is a 400 after one lookup at most.
func TestLongOrRepeatedFiltersCostNothing(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	cs := &countingStore{Store: store.New(pool)}
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), cs, pgxstore.NewWithCleanupInterval(pool, 0), handlers.Config{}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, pool: pool}
	if _, err := store.New(pool).CreateActor(context.Background(), parley.Editor{}, parley.ActorInput{
		Slug: "dmitry-peskov", Name: "Dmitry Peskov", Kind: "person", Side: "russia"}); err != nil {
		t.Fatal(err)
	}

	long := "/statements?" + strings.Repeat("actor=dmitry-peskov&", 1000)
	body := e.wantStatus(t, long, http.StatusBadRequest)
	if !strings.Contains(errorMessage(body), "The address is too long") {
		t.Errorf("long address: %q", errorMessage(body))
	}
	if n := cs.choices.Load() + cs.actors.Load(); n != 0 {
		t.Errorf("a too-long address cost %d catalogue queries; want none", n)
	}

	e.wantStatus(t, "/statements?actor=dmitry-peskov&actor=dmitry-peskov&actor=dmitry-peskov", http.StatusOK)

	cs.actors.Store(0)
	var many []string
	for i := range 150 {
		many = append(many, "actor=nobody-"+strconv.Itoa(i))
	}
	body = e.wantStatus(t, "/statements?"+strings.Join(many, "&"), http.StatusBadRequest)
	if !strings.Contains(errorMessage(body), "actor: give one value") {
		t.Errorf("150 actors: %q", errorMessage(body))
	}
	if n := cs.actors.Load(); n > 1 {
		t.Errorf("150 actor values cost %d actor lookups; want at most 1", n)
	}
}

func TestDeepPagesAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	body := e.wantStatus(t, "/statements?page=401", http.StatusBadRequest)
	if !strings.Contains(errorMessage(body), "first 400 pages") {
		t.Errorf("page 401: %q", errorMessage(body))
	}
	e.wantStatus(t, "/regions/donetsk?page=5000", http.StatusBadRequest)
}

// importRow is a v2 CSV row of statement id with the given date.
func importRow(id int, date string) string {
	return fmt.Sprintf("%d,%s,day,Someone,russia,,,,A summary,,,on_record,,,,,,1,\r\n", id, date)
}

const importHeader = "statement_id,date,date_precision,actor,actor_side,demand,stance,quote,summary,regions,occasion,attribution,source_outlet,source_title,source_url,source_published,statement_url,report_count,conditions\r\n"

func TestImportLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := signedIn(t, e)

	t.Run("too many rows", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString(importHeader)
		for i := range 10001 {
			b.WriteString(importRow(i+1, "2024-01-01"))
		}
		res, body := upload(t, c, e, "big.csv", b.Bytes())
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", res.StatusCode)
		}
		if !strings.Contains(text(one(t, body, "import-problems")), "at most 10000 at once") {
			t.Errorf("problems: %q", text(one(t, body, "import-problems")))
		}
	})

	t.Run("many problems", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString(importHeader)
		for i := range 150 {
			b.WriteString(importRow(i+1, "not-a-date"))
		}
		res, body := upload(t, c, e, "bad.csv", b.Bytes())
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", res.StatusCode)
		}
		box := one(t, body, "import-problems")
		if n := strings.Count(box, "<li>"); n != 101 {
			t.Errorf("%d problem lines, want the first 100 and one that says how many more", n)
		}
		if !strings.Contains(text(box), "…and 50 more problems") {
			t.Errorf("problems do not say how many more: %q", text(box)[len(text(box))-200:])
		}
	})

	t.Run("oversized preview data", func(t *testing.T) {
		data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("a"), 8<<20+1024))
		res, err := c.PostForm(e.srv.URL+"/import", url.Values{"data": {data}, "name": {"x.csv"}, "confirm": {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("8 MB + 1 KB of base64 preview data: status %d, want 413", res.StatusCode)
		}
	})
}

// TestLinksIgnoreForgedHost: without BASE_URL, absolute links in exports
// and the feed never take a Host header that names another site.
func TestLinksIgnoreForgedHost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, path := range []string{"/statements.csv", "/statements.json", "/regions/donetsk/timeline.csv", "/changes.atom"} {
		req := httptest.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		req.Host = "evil.example"
		res, body := e.do(t, req)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, res.StatusCode)
			continue
		}
		if strings.Contains(body, "evil.example") {
			t.Errorf("%s links to the forged host", path)
		}
		if !strings.Contains(body, e.srv.URL+"/statements/") {
			t.Errorf("%s has no links to %s/statements/…", path, e.srv.URL)
		}
	}
	req := httptest.NewRequest(http.MethodGet, e.srv.URL+"/changes.atom", nil)
	req.Host = "localhost:8080" // this machine: believed
	if _, body := e.do(t, req); !strings.Contains(body, "http://localhost:8080/statements/") {
		t.Errorf("a loopback Host is not used for links")
	}
}

// TestRestoreConflictNamesNoConstraint: a revision the schema now refuses
// is explained without the schema's constraint names.
func TestRestoreConflictNamesNoConstraint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ctx := context.Background()
	src, err := e.store.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Reuters", Title: "Talks", URL: "https://example.org/a"})
	if err != nil {
		t.Fatal(err)
	}
	var rev int64
	// Revisions are append-only: one older than today's rules is added.
	if err := e.pool.QueryRow(ctx, `INSERT INTO revisions (entity_type, entity_id, version, action, data)
		SELECT entity_type, entity_id, version, 'update', jsonb_set(data, '{url}', '"ftp://example.org/a"')
		FROM revisions WHERE entity_type = 'source' AND entity_id = $1 RETURNING id`, src.ID).Scan(&rev); err != nil {
		t.Fatal(err)
	}
	b := e.signIn(t, "ed@example.org", "editor")
	res, body := b.post(t, "/revisions/"+strconv.FormatInt(rev, 10)+"/restore", url.Values{})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409", res.StatusCode)
	}
	msg := errorMessage(body)
	if strings.Contains(body, "_check") || strings.Contains(msg, "parley:") {
		t.Errorf("the page shows internals: %q", msg)
	}
	if !strings.Contains(msg, "outside what Parley accepts") {
		t.Errorf("message %q does not say what is wrong", msg)
	}
}
