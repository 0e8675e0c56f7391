package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"parley"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/argon2"

	"parley/internal/auth"
)

// Helpers shared by the handler tests: pages read by data-testid, a
// browser that signs in and submits forms as a user would, and looks into
// the database.

// ---- HTML helpers (string based: the pages are templ output we control) ----

var (
	tagNameRe  = regexp.MustCompile(`^<([a-zA-Z][a-zA-Z0-9-]*)`)
	tagRe      = regexp.MustCompile(`<[^>]*>`)
	spaceRe    = regexp.MustCompile(`\s+`)
	hrefRe     = regexp.MustCompile(`href="([^"]*)"`)
	stmtLinkRe = regexp.MustCompile(`href="/statements/(\d+)"`)
	datetimeRe = regexp.MustCompile(`<time datetime="([^"]*)"`)
)

var voidElements = []string{"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

// byTestID returns the outer HTML of every element carrying
// data-testid="id", in document order.
func byTestID(body, id string) []string {
	var out []string
	needle := `data-testid="` + id + `"`
	for from := 0; ; {
		i := strings.Index(body[from:], needle)
		if i < 0 {
			return out
		}
		i += from
		from = i + len(needle)
		start := strings.LastIndex(body[:i], "<")
		if start < 0 {
			continue
		}
		out = append(out, outerElement(body, start))
	}
}

// outerElement returns the element whose opening tag starts at body[start],
// through its matching closing tag.
func outerElement(body string, start int) string {
	m := tagNameRe.FindStringSubmatch(body[start:])
	if m == nil {
		return ""
	}
	name := strings.ToLower(m[1])
	openEnd := strings.Index(body[start:], ">")
	if openEnd < 0 {
		return body[start:]
	}
	if slices.Contains(voidElements, name) || body[start+openEnd-1] == '/' {
		return body[start : start+openEnd+1]
	}
	depth := 0
	for j := start; j < len(body); {
		k := strings.IndexByte(body[j:], '<')
		if k < 0 {
			break
		}
		j += k
		rest := body[j:]
		switch {
		case strings.HasPrefix(rest, "</"+name+">"):
			depth--
			if depth == 0 {
				return body[start : j+len("</"+name+">")]
			}
		case strings.HasPrefix(rest, "<"+name) && len(rest) > len(name)+1 && strings.ContainsRune(" \t\n/>", rune(rest[len(name)+1])):
			depth++
		}
		j++
	}
	return body[start:]
}

// one returns the only element with data-testid id, failing the test when
// there is none.
func one(t *testing.T, body, id string) string {
	t.Helper()
	els := byTestID(body, id)
	if len(els) == 0 {
		t.Fatalf("no element with data-testid=%q on the page", id)
	}
	return els[0]
}

// text is what a reader sees of an HTML fragment: tags dropped, entities
// decoded, whitespace collapsed.
func text(fragment string) string {
	return strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(tagRe.ReplaceAllString(fragment, " ")), " "))
}

// openingAttr returns attribute name of the fragment's opening tag.
func openingAttr(fragment, name string) string {
	end := strings.Index(fragment, ">")
	if end < 0 {
		return ""
	}
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(fragment[:end])
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// hrefs lists the link targets in a fragment, entities decoded.
func hrefs(fragment string) []string {
	var out []string
	for _, m := range hrefRe.FindAllStringSubmatch(fragment, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// statementIDs lists the ids of the statements (data-testid="statement")
// on a page, in order.
func statementIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var ids []int64
	for _, s := range byTestID(body, "statement") {
		m := stmtLinkRe.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("statement without a link to itself: %.200s", s)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// statementDates lists the datetime of each listed statement, in order.
func statementDates(body string) []string {
	var out []string
	for _, s := range byTestID(body, "statement") {
		if m := datetimeRe.FindStringSubmatch(s); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// walk follows the next-page links from path and returns every statement
// id and date listed, in order, and the number of pages seen.
func (e *env) walk(t *testing.T, path string) (ids []int64, dates []string, pages int) {
	t.Helper()
	for path != "" {
		pages++
		if pages > 50 {
			t.Fatalf("more than 50 pages from %s: the next-page links loop", path)
		}
		res, body := e.get(t, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, res.StatusCode)
		}
		ids = append(ids, statementIDs(t, body)...)
		dates = append(dates, statementDates(body)...)
		path = ""
		if next := byTestID(body, "next-page"); len(next) > 0 {
			path = openingAttr(next[0], "href")
			if path == "" {
				t.Fatalf("next-page link without href: %s", next[0])
			}
		}
	}
	return ids, dates, pages
}

// total reads the number of statements the page says it found.
func total(t *testing.T, body string) int {
	t.Helper()
	s := text(one(t, body, "total"))
	n, err := strconv.Atoi(strings.Fields(s)[0])
	if err != nil {
		t.Fatalf("total %q does not start with a number", s)
	}
	return n
}

// wantStatus fails unless GET path answers status; it returns the body.
func (e *env) wantStatus(t *testing.T, path string, status int) string {
	t.Helper()
	res, body := e.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s = %d, want %d; message: %q", path, res.StatusCode, status, errorMessage(body))
	}
	return body
}

func errorMessage(body string) string {
	if els := byTestID(body, "error-message"); len(els) > 0 {
		return text(els[0])
	}
	// a .json route's error: {"status": …, "error": "…"}
	var doc struct{ Error string }
	if json.Unmarshal([]byte(body), &doc) == nil {
		return doc.Error
	}
	return ""
}

// seedIDs maps seed keys to the ids the seeded statements got.
func (e *env) seedIDs(t *testing.T) map[string]int64 {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT seed_key, id FROM statements WHERE seed_key IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		out[k] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ---- Accounts, and a browser that signs in ----

const testPassword = "correct horse battery staple"

var (
	hashOnce sync.Once
	testHash string
	hashErr  error
)

// passwordHash is testPassword hashed once, by argon2id at its smallest
// cost (64 KiB, 1 pass) instead of production's 19 MiB: a check reads the
// parameters from the hash, so signing in runs the same code, and the
// package's hundreds of sign-ins and wrong guesses take seconds, not
// minutes. (Unknown emails are still checked against the full-cost dummy.)
func passwordHash(t *testing.T) string {
	t.Helper()
	hashOnce.Do(func() {
		salt := []byte("parley-test-salt")
		key := argon2.IDKey([]byte(testPassword), salt, 1, 64, 1, 32)
		b64 := base64.RawStdEncoding
		testHash = fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
		hashErr = auth.VerifyPassword(testHash, testPassword)
	})
	if hashErr != nil {
		t.Fatal(hashErr)
	}
	return testHash
}

// newUser creates an account whose password is testPassword.
func (e *env) newUser(t *testing.T, email, role string) parley.User {
	t.Helper()
	u, err := e.store.CreateUser(context.Background(), email, passwordHash(t), parley.Role(role))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// browser is one user agent: a cookie jar, redirects not followed.
type browser struct {
	e   *env
	jar http.CookieJar
	c   *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{e: e, jar: jar, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes a request without failing the test, for use in goroutines.
func (b *browser) send(method, path string, form url.Values, header http.Header) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := b.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res, string(data), err
}

func (b *browser) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	res, body, err := b.send(http.MethodGet, path, nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

func (b *browser) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	res, body, err := b.send(http.MethodPost, path, form, nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res, body
}

// mustGet fetches path and fails unless it answers 200.
func (b *browser) mustGet(t *testing.T, path string) string {
	t.Helper()
	res, body := b.get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; message: %q", path, res.StatusCode, errorMessage(body))
	}
	return body
}

// mustPost posts form and fails unless the answer is a 303; it returns
// where the redirect goes.
func (b *browser) mustPost(t *testing.T, path string, form url.Values) string {
	t.Helper()
	res, body := b.post(t, path, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s = %d, want 303; message: %q; errors: %v", path, res.StatusCode, errorMessage(body), fieldErrors(body))
	}
	return res.Header.Get("Location")
}

func (b *browser) login(t *testing.T, email, password, next string) (*http.Response, string) {
	t.Helper()
	return b.post(t, "/login", url.Values{"email": {email}, "password": {password}, "next": {next}})
}

// signIn creates an account with role and returns a browser signed in to it.
func (e *env) signIn(t *testing.T, email, role string) *browser {
	t.Helper()
	e.newUser(t, email, role)
	b := e.browser(t)
	if res, body := b.login(t, email, testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s = %d, want 303; %q", email, res.StatusCode, loginError(body))
	}
	if got := b.signedInAs(t); got != email {
		t.Fatalf("after signing in, the page says signed in as %q, want %q", got, email)
	}
	return b
}

// signedInAs is the account the dashboard says is signed in, or "".
func (b *browser) signedInAs(t *testing.T) string {
	t.Helper()
	_, body := b.get(t, "/")
	if els := byTestID(body, "signed-in"); len(els) > 0 {
		return text(els[0])
	}
	return ""
}

func loginError(body string) string {
	if els := byTestID(body, "login-error"); len(els) > 0 {
		return text(els[0])
	}
	return ""
}

var fieldErrorRe = regexp.MustCompile(`data-testid="error-([a-z_0-9.]+)"`)

// fieldErrors lists the fields a form page marks as wrong.
func fieldErrors(body string) []string {
	var out []string
	for _, m := range fieldErrorRe.FindAllStringSubmatch(body, -1) {
		if m[1] != "message" {
			out = append(out, m[1])
		}
	}
	return out
}

// ---- Forms, read as a browser would submit them ----

var (
	controlRe = regexp.MustCompile(`(?s)<input\b[^>]*>|<select\b[^>]*>.*?</select>|<textarea\b[^>]*>.*?</textarea>`)
	attrRe    = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
	optionRe  = regexp.MustCompile(`<option\b([^>]*)>`)
)

// tagAttrs reads the attributes of the opening tag that starts tag.
func tagAttrs(tag string) map[string]string {
	end := strings.Index(tag, ">")
	open := strings.TrimSuffix(tag[:end], "/")
	if sp := strings.IndexAny(open, " \t\n"); sp >= 0 {
		open = open[sp:]
	} else {
		open = ""
	}
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(open, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// formValues returns what submitting the form with data-testid id
// unchanged would send.
func formValues(t *testing.T, body, id string) url.Values {
	t.Helper()
	form := one(t, body, id)
	v := url.Values{}
	for _, c := range controlRe.FindAllString(form, -1) {
		a := tagAttrs(c)
		name, hasName := a["name"]
		if !hasName || name == "" {
			continue
		}
		switch {
		case strings.HasPrefix(c, "<input"):
			switch a["type"] {
			case "submit", "button", "image", "reset":
			case "checkbox", "radio":
				if _, checked := a["checked"]; checked {
					val, ok := a["value"]
					if !ok {
						val = "on"
					}
					v.Add(name, val)
				}
			default:
				v.Add(name, a["value"])
			}
		case strings.HasPrefix(c, "<select") && hasAttr(a, "multiple"):
			// A multiple select sends each selected option, or nothing.
			for _, m := range optionRe.FindAllStringSubmatch(c, -1) {
				if oa := tagAttrs("<option" + m[1] + ">"); hasAttr(oa, "selected") {
					v.Add(name, oa["value"])
				}
			}
		case strings.HasPrefix(c, "<select"):
			first, chosen, found := "", "", false
			for i, m := range optionRe.FindAllStringSubmatch(c, -1) {
				oa := tagAttrs("<option" + m[1] + ">")
				if i == 0 {
					first = oa["value"]
				}
				if _, sel := oa["selected"]; sel && !found {
					chosen, found = oa["value"], true
				}
			}
			if !found {
				chosen = first
			}
			v.Add(name, chosen)
		case strings.HasPrefix(c, "<textarea"):
			inner := c[strings.Index(c, ">")+1 : strings.LastIndex(c, "</textarea>")]
			v.Add(name, html.UnescapeString(inner))
		}
	}
	return v
}

func hasAttr(a map[string]string, name string) bool {
	_, ok := a[name]
	return ok
}

// newUUID is a random version-4 UUID, as the new-statement form carries.
func newUUID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newStatementForm is a complete, valid new-statement form.
func newStatementForm(t *testing.T, summary string) url.Values {
	t.Helper()
	return url.Values{
		"idempotency_key": {newUUID(t)},
		"actor":           {"vladimir-putin"},
		"date":            {"2024-01-15"},
		"date_precision":  {"day"},
		"quote":           {""},
		"summary":         {summary},
		"occasion":        {""},
		"attribution":     {"on_record"},
		"source_id":       {"1"},
		"regions":         {"donetsk"},
		"demand":          {"ukraine-neutrality", "", ""},
		"stance":          {"insists", "", ""},
	}
}

// ---- Looking into the database ----

// fingerprint summarises every editable record and account, so a test can
// tell that a refused request changed nothing.
func (e *env) fingerprint(t *testing.T) string {
	t.Helper()
	var fp string
	err := e.pool.QueryRow(context.Background(), `
		SELECT concat_ws(' | ',
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM statements),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM actors),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM demands),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM regions),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM sources),
		  (SELECT count(*) FROM positions), (SELECT count(*) FROM statement_regions),
		  (SELECT count(*) FROM revisions),
		  (SELECT count(*) || ' ' || count(disabled_at) || ' ' || coalesce(string_agg(role, ',' ORDER BY id), '') FROM users))`).Scan(&fp)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// count runs a count query.
func (e *env) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *env) statementsWithSummary(t *testing.T, summary string) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM statements WHERE summary = $1`, summary)
}
