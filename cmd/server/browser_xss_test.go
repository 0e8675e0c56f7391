package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"parley"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"parley/internal/store"
	"parley/internal/testdb"
)

// Payloads for the three HTML contexts a stored string can land in: element
// content, a double-quoted attribute and a single-quoted one. Each sets
// window.__xss to a different number if it ever runs.
const (
	xssScript = `<script>window.__xss=1</script>`
	xssImg    = `"><img src=x onerror="window.__xss=2">`
	xssSvg    = `'><svg onload=window.__xss=3>`
	xssAll    = xssScript + xssImg + xssSvg
	// xssURL is an http(s) address, so the store accepts it, that breaks
	// out of an href attribute if it is not escaped.
	xssURL = `https://example.org/"><script>window.__xss=4</script>`
)

// xssField is a stored text: a label, so that a page can be shown to render
// that very field, then every payload.
func xssField(label string) string { return "XSS " + label + " " + xssAll }

// xssRecords are the records TestBrowserStoredXSSIsInert stores, with every
// text field as it stands after the edits that give each history a diff.
type xssRecords struct {
	statementID, sourceID               int64
	actorName, parentName, role1, role2 string
	demandTitle, desc1, desc2           string
	regionName, country1, country2      string
	outlet, headline, via1, via2        string
	quote, summary1, summary2, occasion string
	actorSlug, demandSlug, regionSlug   string
	actorAliases                        []string
}

// xssProbe is what the page under test reports about itself after loading.
type xssProbe struct {
	XSS      string   `json:"xss"`      // String(window.__xss), "" when undefined
	Text     string   `json:"text"`     // textContent of the body (the root element for XML)
	Values   string   `json:"values"`   // values of every form control, one per line
	BadImg   bool     `json:"badImg"`   // an img[src="x"] exists
	BadSVG   bool     `json:"badSvg"`   // an svg[onload] exists
	Scripts  int      `json:"scripts"`  // <script> elements other than Parley's own files (it serves no other)
	OnAttrs  []string `json:"onAttrs"`  // elements with an on* attribute (Parley writes none)
	JSLinks  []string `json:"jsLinks"`  // href/src/action with a javascript:, data: or vbscript: scheme
	SrcHrefs []string `json:"srcHrefs"` // href attributes of links to example.org, as parsed
}

const xssProbeJS = `(() => {
	const root = document.body || document.documentElement;
	const onAttrs = [];
	const jsLinks = [];
	for (const el of document.querySelectorAll('*')) {
		for (const a of el.attributes) {
			if (/^on/i.test(a.name)) onAttrs.push(el.tagName + '[' + a.name + ']');
			if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) jsLinks.push(el.tagName + '[' + a.name + '=' + a.value + ']');
		}
	}
	return {
		xss: typeof window.__xss === 'undefined' ? '' : String(window.__xss),
		text: root ? root.textContent : '',
		values: Array.from(document.querySelectorAll('input, textarea, select')).map(e => e.value).join('\n'),
		badImg: document.querySelector('img[src="x"]') !== null,
		badSvg: document.querySelector('svg[onload]') !== null,
		scripts: document.querySelectorAll('script:not([src^="/static/"])').length,
		onAttrs: onAttrs,
		jsLinks: jsLinks,
		srcHrefs: Array.from(document.querySelectorAll('a[href*="example.org"]')).map(a => a.getAttribute('href')),
	};
})()`

// xssTrap runs before any script of every document: it turns window.__xss
// into a property whose setter reports to the test through a binding, so
// an execution is recorded even if the page later overwrote the value.
const xssTrap = `(() => {
	let v;
	Object.defineProperty(window, '__xss', {
		configurable: false,
		get() { return v; },
		set(x) { v = x; try { window.__xssHit(String(x) + ' at ' + location.href); } catch (e) {} },
	});
})();`

// TestBrowserStoredXSSIsInert stores actors, a demand, a region, a source
// and a statement whose every text field holds HTML and attribute-breaking
// payloads, then opens every page that shows them in headless Chromium,
// signed in as an editor, with the page's Content-Security-Policy bypassed
// so that only escaping stands between a payload and its execution. No
// payload may run, no dialog may open, no injected element may exist, and
// each payload must be visible as text (escaped, not dropped). Each
// response must also carry a CSP without 'unsafe-inline'.
func TestBrowserStoredXSSIsInert(t *testing.T) {
	ctx := browser(t)
	dbURL := testdb.URL(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": dbURL, "LOG_LEVEL": "warn"}
	const email, password = "xss-editor@example.org", "correct horse battery staple"
	if out := command(t, env, password+"\n", "user", "add", "-email", email, "-role", "editor"); !strings.Contains(out, "created editor account for "+email) {
		t.Fatalf("user add printed %q", out)
	}
	srv := startServe(t, env) // migrates and seeds the fresh database

	// The store, on the same database the server uses.
	bg := context.Background()
	pool, err := store.Open(bg, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := store.New(pool)
	u, err := st.GetUserByEmail(bg, email)
	if err != nil {
		t.Fatal(err)
	}
	rec := storeXSSRecords(t, st, parley.Editor{ID: u.ID, Email: u.Email})

	// Record every dialog and every write to window.__xss, from before the
	// first navigation; dismiss dialogs from another goroutine (a listener
	// must not send commands).
	var mu sync.Mutex
	var incidents []string
	report := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		incidents = append(incidents, s)
	}
	dialogs := make(chan struct{}, 16)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			report(fmt.Sprintf("%s dialog %q opened on %s", ev.Type, ev.Message, ev.URL))
			select {
			case dialogs <- struct{}{}:
			default:
			}
		case *runtime.EventBindingCalled:
			if ev.Name == "__xssHit" {
				report("a payload ran: window.__xss = " + ev.Payload)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-dialogs:
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	peekIncidents := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(incidents)
	}
	takeIncidents := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := incidents
		incidents = nil
		return out
	}
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: "__xssHit"}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: xssTrap}); err != nil {
		t.Fatal(err)
	}
	// Without the CSP, an unescaped payload would run: what is tested is
	// the escaping. (The CSP is checked on every response below.)
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}

	// The traps work: a payload written into a page, despite the CSP, is
	// reported, and so is the dialog it opens.
	do(t, ctx, "open the login page", chromedp.Navigate(srv.url+"/login"))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__xss=99; alert(99)">')`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for peekIncidents() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := strings.Join(takeIncidents(), "\n"); !strings.Contains(got, "window.__xss = 99") || !strings.Contains(got, `alert dialog "99"`) {
		t.Fatalf("self-check: a deliberately injected payload was reported as %q, want its write to window.__xss and its alert", got)
	}
	// The dialog was dismissed: the page answers again.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__xss`)); err != nil || n != 99 {
		t.Fatalf("self-check: window.__xss = %d (err %v) after the dialog, want 99", n, err)
	}

	// Sign in, so that the editors' pages render the payloads too.
	do(t, ctx, "sign in",
		chromedp.Navigate(srv.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
	)
	client := sessionClient(t, ctx, srv.url)

	id := strconv.FormatInt(rec.statementID, 10)
	sid := strconv.FormatInt(rec.sourceID, 10)
	actor, demand, region := "/actors/"+rec.actorSlug, "/demands/"+rec.demandSlug, "/regions/"+rec.regionSlug
	// want: stored strings each page must show verbatim, as text or as a
	// form control's value.
	pages := []struct {
		path string
		kind string // html, atom or json
		want []string
	}{
		{"/", "html", []string{rec.actorName, rec.demandTitle, rec.quote, rec.summary2, rec.outlet, rec.via2, rec.headline}},
		{"/statements", "html", []string{rec.actorName, rec.demandTitle, rec.quote, rec.summary2, rec.outlet, rec.via2, rec.headline}},
		{"/statements?q=script", "html", []string{rec.actorName, rec.demandTitle, rec.quote, rec.summary2, rec.outlet, rec.via2, rec.headline}},
		{"/statements?q=" + url.QueryEscape(xssImg), "html", []string{xssImg}}, // reflected into the search field
		{"/statements/" + id, "html", []string{rec.actorName, rec.demandTitle, rec.regionName, rec.quote, rec.summary1, rec.summary2, rec.occasion, rec.outlet, rec.via2, rec.headline}},
		{"/statements/" + id + "/edit", "html", []string{rec.actorName, rec.demandTitle, rec.regionName, rec.quote, rec.summary2, rec.occasion}},
		{"/statements/" + id + "/history", "html", []string{rec.summary1, rec.summary2}},
		{"/statements/new", "html", []string{rec.demandTitle, rec.regionName}}, // actors: a search field, no list
		{"/actors", "html", []string{rec.actorName, rec.parentName, rec.role2}},
		{actor, "html", append([]string{rec.actorName, rec.parentName, rec.role1, rec.role2, rec.demandTitle, rec.quote, rec.summary2}, rec.actorAliases...)},
		{actor + "/edit", "html", append([]string{rec.actorName, rec.parentName, rec.role2}, rec.actorAliases...)},
		{actor + "/history", "html", []string{rec.role1, rec.role2}},
		{"/demands", "html", []string{rec.demandTitle}},
		{demand, "html", []string{rec.demandTitle, rec.desc1, rec.desc2, rec.actorName, rec.quote, rec.summary2}},
		{demand + "/edit", "html", []string{rec.demandTitle, rec.desc2}},
		{demand + "/history", "html", []string{rec.desc1, rec.desc2}},
		{"/regions", "html", []string{rec.regionName, rec.country2}},
		{region, "html", []string{rec.regionName, rec.country1, rec.country2, rec.actorName, rec.quote, rec.summary2}},
		{region + "/edit", "html", []string{rec.regionName, rec.country2}},
		{region + "/history", "html", []string{rec.country1, rec.country2}},
		{"/sources", "html", []string{rec.outlet, rec.via2, rec.headline}},
		{"/sources/" + sid, "html", []string{rec.outlet, rec.headline, rec.via1, rec.via2, xssURL, rec.quote, rec.summary2}},
		{"/sources/" + sid + "/edit", "html", []string{rec.outlet, rec.headline, rec.via2, xssURL}},
		{"/sources/" + sid + "/history", "html", []string{rec.via1, rec.via2}},
		{"/changes", "html", []string{email}},
		{"/changes.atom", "atom", nil},
		{region + "/timeline.json", "json", nil},
		{"/statements.json", "json", nil},
	}
	for _, p := range pages {
		name := strings.TrimPrefix(p.path, "/")
		if name == "" {
			name = "dashboard"
		}
		t.Run(name, func(t *testing.T) {
			checkXSSResponse(t, client, srv.url+p.path, p.kind, rec)

			tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(tctx, chromedp.Navigate(srv.url+p.path)); err != nil {
				t.Fatalf("open %s: %v", p.path, err)
			}
			loc, err := chromedp.Run(tctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(loc, srv.url+strings.SplitN(p.path, "?", 2)[0]) {
				t.Errorf("opening %s ended at %s", p.path, loc)
			}
			probe, err := chromedp.Run(tctx, chromedp.Evaluate[xssProbe](xssProbeJS))
			if err != nil {
				t.Fatalf("probe %s: %v", p.path, err)
			}
			if p.path == "/statements/"+id {
				screenshot(t, ctx, "xss-statement")
			}
			// Give a late handler (an image's onerror) a moment to fire.
			time.Sleep(100 * time.Millisecond)
			if got := takeIncidents(); len(got) > 0 {
				t.Errorf("script ran or a dialog opened on %s: %q", p.path, got)
			}
			if probe.XSS != "" {
				t.Errorf("window.__xss = %s on %s: a stored payload ran", probe.XSS, p.path)
			}
			if probe.BadImg || probe.BadSVG {
				t.Errorf("%s holds an injected element: img[src=x] %v, svg[onload] %v", p.path, probe.BadImg, probe.BadSVG)
			}
			// Chromium shows the feed as its XML source, or as the parsed tree.
			if p.kind == "atom" && !strings.Contains(probe.Text, rec.summary2) && !strings.Contains(probe.Text, "&lt;script&gt;window.__xss=1&lt;/script&gt;") {
				t.Errorf("%s in Chromium shows neither the edited summary nor its escaped source: %.300q", p.path, probe.Text)
			}
			if p.kind != "html" {
				return
			}
			if probe.Scripts != 0 || len(probe.OnAttrs) > 0 || len(probe.JSLinks) > 0 {
				t.Errorf("%s holds %d script elements, event-handler attributes %q, script URLs %q; want none", p.path, probe.Scripts, probe.OnAttrs, probe.JSLinks)
			}
			// Escaped, not dropped: the payload is on the page as text.
			if !strings.Contains(probe.Text+probe.Values, xssScript) && !strings.Contains(probe.Text+probe.Values, xssImg) {
				t.Errorf("%s shows no payload as text: was it stripped instead of escaped?", p.path)
			}
			for _, w := range p.want {
				if !strings.Contains(probe.Text, w) && !strings.Contains(probe.Values, w) {
					t.Errorf("%s does not show %q verbatim", p.path, w)
				}
			}
			for _, h := range probe.SrcHrefs {
				if h != xssURL {
					t.Errorf("%s links the source to %q, want the stored address %q intact in the attribute", p.path, h, xssURL)
				}
			}
			if (p.path == "/statements/"+id || p.path == "/sources/"+sid) && len(probe.SrcHrefs) == 0 {
				t.Errorf("%s has no link to the source's address", p.path)
			}
		})
	}
}

// storeXSSRecords creates, through the store, records whose every text
// field holds the payloads, and edits each once so that its history shows
// a before and an after. It also checks that script URLs are refused.
func storeXSSRecords(t *testing.T, st *store.Store, by parley.Editor) xssRecords {
	t.Helper()
	ctx := context.Background()
	day := time.Now().UTC().AddDate(0, 0, -1)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	r := xssRecords{
		actorSlug: "xss-actor", demandSlug: "xss-demand", regionSlug: "xss-region",
		actorName: xssField("actor name"), parentName: xssField("parent actor name"),
		role1: xssField("role"), role2: xssField("role, edited"),
		actorAliases: []string{xssScript, xssImg, xssSvg},
		demandTitle:  xssField("demand title"), desc1: xssField("description"), desc2: xssField("description, edited"),
		regionName: xssField("region name"), // regions.country holds at most 100 characters: not every payload fits.
		country1:   "XSS country " + xssScript + xssImg, country2: "XSS country, edited " + xssScript + xssSvg,
		outlet: xssField("outlet"), headline: xssField("headline"), via1: xssField("via"), via2: xssField("via, edited"),
		quote: xssField("quote script"), summary1: xssField("summary script"), summary2: xssField("summary script, edited"),
		occasion: xssField("occasion"),
	}

	// Script URLs are refused as a validation error on the url field, and
	// store nothing.
	before, err := st.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"javascript:window.__xss=5", "JavaScript:window.__xss=5", " javascript:window.__xss=5", "\tjavascript:window.__xss=5",
		"data:text/html,<script>window.__xss=5</script>", "vbscript:msgbox(5)", "//example.org/x", "https://",
	} {
		_, err := st.CreateSource(ctx, by, parley.SourceInput{Outlet: r.outlet, URL: bad})
		var ve *parley.ValidationError
		if !errors.As(err, &ve) || ve.Fields["url"] == "" {
			t.Errorf("CreateSource with URL %q = %v, want a validation error on url", bad, err)
		}
	}
	after, err := st.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("refused sources were stored: %d sources before, %d after", len(before), len(after))
	}

	parent, err := st.CreateActor(ctx, by, parley.ActorInput{Slug: "xss-parent", Name: r.parentName, Kind: "government", Side: "russia", Role: r.role1})
	if err != nil {
		t.Fatalf("create parent actor: %v", err)
	}
	a, err := st.CreateActor(ctx, by, parley.ActorInput{Slug: r.actorSlug, Name: r.actorName, Aliases: r.actorAliases,
		Kind: "person", Side: "russia", Role: r.role1, Parent: parent.Slug})
	if err != nil {
		t.Fatalf("create actor: %v", err)
	}
	reg, err := st.CreateRegion(ctx, by, parley.RegionInput{Slug: r.regionSlug, Name: r.regionName, Country: r.country1, Kind: "oblast"})
	if err != nil {
		t.Fatalf("create region: %v", err)
	}
	dm, err := st.CreateDemand(ctx, by, parley.DemandInput{Slug: r.demandSlug, Title: r.demandTitle, Description: r.desc1,
		Side: "russia", Category: "territory", Regions: []string{r.regionSlug}})
	if err != nil {
		t.Fatalf("create demand: %v", err)
	}
	srcIn := parley.SourceInput{Outlet: r.outlet, Title: r.headline, URL: xssURL, Via: r.via1, Published: parley.Date{Time: day, Precision: "day"}}
	src, err := st.CreateSource(ctx, by, srcIn)
	if err != nil {
		t.Fatalf("create source with URL %q: %v", xssURL, err)
	}
	if src.URL != xssURL {
		t.Fatalf("source stored URL %q, want %q", src.URL, xssURL)
	}
	stIn := parley.StatementInput{Actor: r.actorSlug, Date: parley.Date{Time: day, Precision: "day"},
		Quote: r.quote, Summary: r.summary1, Occasion: r.occasion, Attribution: "on_record", SourceID: src.ID,
		Regions: []string{r.regionSlug}, Positions: []parley.PositionInput{{Demand: r.demandSlug, Stance: "insists"}}}
	// A script URL in a source made with the statement is refused too.
	bad := stIn
	bad.SourceID, bad.NewSource = 0, &parley.SourceInput{Outlet: r.outlet, URL: "javascript:window.__xss=5"}
	var ve *parley.ValidationError
	if _, err := st.CreateStatement(ctx, by, bad); !errors.As(err, &ve) || ve.Fields["source_url"] == "" {
		t.Errorf("CreateStatement with a new source at a javascript: URL = %v, want a validation error on source_url", err)
	}
	s, err := st.CreateStatement(ctx, by, stIn)
	if err != nil {
		t.Fatalf("create statement: %v", err)
	}
	r.statementID, r.sourceID = s.ID, src.ID

	// One edit each, so that every history page shows before and after.
	in := stIn
	in.Summary = r.summary2
	if _, err := st.UpdateStatement(ctx, by, s.ID, s.Version, in); err != nil {
		t.Fatalf("update statement: %v", err)
	}
	if _, err := st.UpdateActor(ctx, by, a.Slug, a.Version, parley.ActorInput{Name: r.actorName, Aliases: r.actorAliases,
		Kind: "person", Side: "russia", Role: r.role2, Parent: parent.Slug}); err != nil {
		t.Fatalf("update actor: %v", err)
	}
	if _, err := st.UpdateRegion(ctx, by, reg.Slug, reg.Version, parley.RegionInput{Name: r.regionName, Country: r.country2, Kind: "oblast"}); err != nil {
		t.Fatalf("update region: %v", err)
	}
	if _, err := st.UpdateDemand(ctx, by, dm.Slug, dm.Version, parley.DemandInput{Title: r.demandTitle, Description: r.desc2,
		Side: "russia", Category: "territory", Regions: []string{r.regionSlug}}); err != nil {
		t.Fatalf("update demand: %v", err)
	}
	srcIn.Via = r.via2
	if _, err := st.UpdateSource(ctx, by, src.ID, src.Version, srcIn); err != nil {
		t.Fatalf("update source: %v", err)
	}
	srcIn.URL = "javascript:window.__xss=5"
	if _, err := st.UpdateSource(ctx, by, src.ID, src.Version+1, srcIn); !errors.As(err, &ve) || ve.Fields["url"] == "" {
		t.Errorf("UpdateSource to a javascript: URL = %v, want a validation error on url", err)
	}
	return r
}

// sessionClient is an HTTP client that carries the browser's cookies (the
// editor's session) and does not follow redirects, so that a page that
// sends the client to the login form is seen as such.
func sessionClient(t *testing.T, ctx context.Context, base string) *http.Client {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var cookies []*http.Cookie
	for _, c := range res.Cookies {
		cookies = append(cookies, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/"})
	}
	if len(cookies) == 0 {
		t.Fatal("the browser holds no cookie after signing in")
	}
	jar.SetCookies(u, cookies)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkXSSResponse fetches u outside the browser: 200, a CSP without
// 'unsafe-inline', nosniff, no payload in raw form in the body, and for
// the feed and JSON exports the stored text intact once decoded.
func checkXSSResponse(t *testing.T, client *http.Client, u, kind string, rec xssRecords) {
	t.Helper()
	res, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d (Location %q), want 200", u, res.StatusCode, res.Header.Get("Location"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("GET %s: Content-Security-Policy %q, want one with script-src 'self' and without 'unsafe-inline' or 'unsafe-eval'", u, csp)
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", u, got)
	}
	ct := res.Header.Get("Content-Type")
	b := string(body)
	for _, raw := range []string{"<script>window.__xss", "<img src=x", "<svg onload"} {
		if strings.Contains(b, raw) {
			i := strings.Index(b, raw)
			t.Errorf("GET %s: body holds %q unescaped: …%s…", u, raw, b[max(0, i-80):min(len(b), i+80)])
		}
	}
	switch kind {
	case "html":
		if !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q, want text/html", u, ct)
		}
	case "json":
		if !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q, want application/json", u, ct)
		}
		var doc struct {
			Statements []struct {
				ID       int64  `json:"id"`
				Quote    string `json:"quote"`
				Summary  string `json:"summary"`
				Occasion string `json:"occasion"`
				Actor    struct {
					Name string `json:"name"`
				} `json:"actor"`
				Source *struct {
					Outlet string `json:"outlet"`
					Title  string `json:"title"`
					URL    string `json:"url"`
				} `json:"source"`
			} `json:"statements"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("GET %s: not JSON: %v", u, err)
		}
		found := false
		for _, s := range doc.Statements {
			if s.ID != rec.statementID {
				continue
			}
			found = true
			if s.Quote != rec.quote || s.Summary != rec.summary2 || s.Occasion != rec.occasion || s.Actor.Name != rec.actorName {
				t.Errorf("GET %s: statement %d reads quote %q, summary %q, occasion %q, actor %q; want the stored text", u, s.ID, s.Quote, s.Summary, s.Occasion, s.Actor.Name)
			}
			if s.Source == nil || s.Source.Outlet != rec.outlet || s.Source.Title != rec.headline || s.Source.URL != xssURL {
				t.Errorf("GET %s: statement %d source = %+v, want the stored one", u, s.ID, s.Source)
			}
		}
		if !found {
			t.Errorf("GET %s: statement %d missing", u, rec.statementID)
		}
	case "atom":
		if !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("GET %s: Content-Type %q, want application/atom+xml", u, ct)
		}
		var feed struct {
			Entries []struct {
				Title   string `xml:"title"`
				Summary string `xml:"summary"`
				Link    struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &feed); err != nil {
			t.Fatalf("GET %s: not XML: %v", u, err)
		}
		found := false
		for _, e := range feed.Entries {
			if strings.HasSuffix(e.Link.Href, "/statements/"+strconv.FormatInt(rec.statementID, 10)) && strings.Contains(e.Title, rec.actorName) {
				found = found || e.Summary == rec.summary2
			}
		}
		if !found {
			t.Errorf("GET %s: no entry for statement %d with the actor's name in its title and the edited summary", u, rec.statementID)
		}
	}
}
