package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"parley"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"parley/internal/auth"
)

// signedIn returns a client signed in as a new editor of e.
func signedIn(t *testing.T, e *env) *http.Client {
	t.Helper()
	hash, err := auth.HashPassword("import editor pw")
	if err != nil {
		t.Fatal(err)
	}
	email := "importer" + strings.ReplaceAll(t.Name(), "/", "-") + "@example.org"
	if _, err := e.store.CreateUser(context.Background(), email, hash, "editor"); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.srv.URL+"/login", url.Values{"email": {email}, "password": {"import editor pw"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in status %d", res.StatusCode)
	}
	return c
}

// upload posts file to /import as a multipart upload.
func upload(t *testing.T, c *http.Client, e *env, name string, file []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return send(t, c, req)
}

func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res, b.String()
}

// confirm posts the preview's confirm form back.
func confirm(t *testing.T, c *http.Client, e *env, preview string) (*http.Response, string) {
	t.Helper()
	m := regexp.MustCompile(`name="data" value="([^"]*)"`).FindStringSubmatch(preview)
	n := regexp.MustCompile(`name="name" value="([^"]*)"`).FindStringSubmatch(preview)
	if m == nil || n == nil {
		t.Fatal("preview has no confirm form")
	}
	res, err := c.PostForm(e.srv.URL+"/import", url.Values{"data": {m[1]}, "name": {n[1]}, "confirm": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res, b.String()
}

// fingerprint describes every live statement by content, not id.
func fingerprint(t *testing.T, e *env) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `
		SELECT a.name, s.date::text, s.date_precision, s.quote, s.summary, s.occasion, s.attribution,
		       coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
		       coalesce((SELECT string_agg(d.slug || '=' || p.stance || coalesce((
		                     SELECT ' [if ' || string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug) || ']'
		                     FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
		                     WHERE pc.statement_id = p.statement_id AND pc.demand_id = p.demand_id), ''), ',' ORDER BY d.slug) FROM positions p
		                 JOIN demands d ON d.id = p.demand_id WHERE p.statement_id = s.id), ''),
		       coalesce((SELECT string_agg(r.slug, ',' ORDER BY r.slug) FROM statement_regions sr
		                 JOIN regions r ON r.id = sr.region_id WHERE sr.statement_id = s.id), '')
		FROM statements s JOIN actors a ON a.id = s.actor_id LEFT JOIN sources src ON src.id = s.source_id
		WHERE s.deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i], _ = v.(string)
		}
		out = append(out, strings.Join(parts, " | "))
	}
	sort.Strings(out)
	return out
}

func TestExportThenImportIntoEmptyInstanceReproducesStatements(t *testing.T) {
	src := newEnv(t, true)
	// Add the awkward cases: formula triggers, quotes, newlines, Cyrillic.
	_, err := src.store.CreateStatement(context.Background(), parley.Editor{}, parley.StatementInput{
		Actor: "dmitry-peskov", Date: parley.Date{Time: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), Precision: "day"},
		Quote: "=SUM(A1:A9) \"це не так\"\nsecond line", Summary: "-Песков said, \"no\"; then +1 @all",
		Occasion: "\tbriefing", Attribution: "spokesperson", Regions: []string{"crimea", "kherson"},
		Positions: []parley.PositionInput{{Demand: "no-foreign-peacekeepers", Stance: "insists"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, csvBody := src.get(t, "/statements.csv?bom=1")
	want := fingerprint(t, src)

	dst := newEnv(t, false)
	c := signedIn(t, dst)
	res, preview := upload(t, c, dst, "all.csv", []byte(csvBody))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview status %d: %s", res.StatusCode, byTestID(preview, "import-problems"))
	}
	// (v2) Every statement of the seed dataset and the one added above.
	mustContain(t, preview, `data-testid="import-preview"`, fmt.Sprintf("%d statements", len(want)), "New actors", "New sources")
	if got := fingerprint(t, dst); len(got) != 0 {
		t.Fatalf("preview wrote %d statements", len(got))
	}
	res, _ = confirm(t, c, dst, preview)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm status %d", res.StatusCode)
	}
	got := fingerprint(t, dst)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("first difference at %d:\n got %q\nwant %q", i, g, w)
				break
			}
		}
		t.Fatalf("imported %d statements, exported %d", len(got), len(want))
	}
	// Every imported statement has its revision.
	var missing int
	dst.pool.QueryRow(context.Background(), `SELECT count(*) FROM statements s WHERE NOT EXISTS
		(SELECT 1 FROM revisions r WHERE r.entity_type = 'statement' AND r.entity_id = s.id AND r.action = 'import')`).Scan(&missing)
	if missing != 0 {
		t.Errorf("%d imported statements have no import revision", missing)
	}
	// Importing the same file again adds nothing.
	_, again := upload(t, c, dst, "all.csv", []byte(csvBody))
	mustContain(t, again, "0 statements", "already present")
}

func TestImportReportsEveryProblemAndWritesNothing(t *testing.T) {
	e := newEnv(t, true)
	c := signedIn(t, e)
	header := "statement_id,date,date_precision,actor,actor_side,demand,stance,quote,summary,regions,occasion,attribution,source_outlet,source_title,source_url,source_published,statement_url\n"
	tests := []struct {
		name, file string
		status     int
		want       []string
	}{
		{"wrong header", "id,date\n1,2024-01-01\n", 422, []string{"line 1", "header row must be exactly"}},
		{"not UTF-8", header + "1,2024-06-14,day,Vladimir Putin,russia,,,\xff\xfe,x,,,on_record,,,,,\n", 422, []string{"not UTF-8"}},
		{"bad cells", header +
			"1,2024-13-40,day,Vladimir Putin,russia,withdrawal-four-regions,insists,,A summary,donetsk,,on_record,,,,,\n" +
			"2,2024-06-14,day,Vladimir Putin,russia,withdrawal-four-regions,maybe,,A summary,donetsk,,on_record,,,,,\n" +
			"3,2024-06-14,day,Vladimir Putin,russia,,,,,donetsk,,sometimes,,,,,\n" +
			"4,2024-06-14,day,Vladimir Putin,russia,,,,Summary,donetsk,,on_record,Outlet,,javascript:alert(1),,\n",
			422, []string{"line 2, column date", "line 3, column stance", "line 4, column summary", "line 4, column attribution", "line 5, column source_url"}},
		{"broken quoting", header + "1,2024-06-14,day,\"Vladimir Putin,russia\n", 422, []string{"cannot be read"}},
	}
	before := fingerprint(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := upload(t, c, e, "bad.csv", []byte(tt.file))
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			mustContain(t, body, append([]string{`data-testid="import-problems"`}, tt.want...)...)
		})
	}
	if after := fingerprint(t, e); len(after) != len(before) {
		t.Errorf("statements went from %d to %d after refused imports", len(before), len(after))
	}
	big := bytes.Repeat([]byte("x"), 9<<20)
	if res, body := upload(t, c, e, "big.csv", big); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("9 MB upload status = %d (%s), want 413", res.StatusCode, errorMessage(body))
	}
}

func TestImportAcceptsWhatRealFilesContain(t *testing.T) {
	e := newEnv(t, true)
	c := signedIn(t, e)
	// LF line ends, a BOM, a quoted newline, quotes inside quotes, Cyrillic,
	// our own neutralising quote, blank trailing lines.
	file := "\uFEFFstatement_id,date,date_precision,actor,actor_side,demand,stance,quote,summary,regions,occasion,attribution,source_outlet,source_title,source_url,source_published,statement_url\n" +
		"a,2025-03,month,Peskow,russia,no-foreign-peacekeepers,rejects,\"він сказав \"\"ні\"\"\nдва\",'=Peskov rejects it,crimea;kherson,,spokesperson,Інтерфакс,,https://example.org/x,2025-03-05,\n" +
		"a,2025-03,month,Peskow,russia,ukraine-neutrality,insists,\"він сказав \"\"ні\"\"\nдва\",'=Peskov rejects it,crimea;kherson,,spokesperson,Інтерфакс,,https://example.org/x,2025-03-05,\n\n\n"
	res, preview := upload(t, c, e, "real.csv", []byte(file))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, byTestID(preview, "import-problems"))
	}
	mustContain(t, preview, "1 statement", "Інтерфакс")
	if res, _ := confirm(t, c, e, preview); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm status %d", res.StatusCode)
	}
	var quote, summary, actor string
	var positions int
	err := e.pool.QueryRow(context.Background(), `SELECT s.quote, s.summary, a.slug, (SELECT count(*) FROM positions p WHERE p.statement_id = s.id)
		FROM statements s JOIN actors a ON a.id = s.actor_id WHERE s.summary = '=Peskov rejects it'`).Scan(&quote, &summary, &actor, &positions)
	if err != nil {
		t.Fatalf("imported statement not found: %v", err)
	}
	if quote != "він сказав \"ні\"\nдва" || actor != "dmitry-peskov" || positions != 2 {
		t.Errorf("got quote %q actor %q positions %d", quote, actor, positions)
	}
}
