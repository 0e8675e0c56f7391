package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// intakeArticle is a short article in the seed's world: Peskov quoted by a
// title and a spelling the aliases list, an anonymous source, a weekday.
const intakeArticle = `Kremlin spokesman Dmitri Peskow said on Tuesday: “A freeze of the war will not work.”
Two Russian officials familiar with the Kremlin's thinking said Putin could accept a ceasefire in Donetsk.
Zelenskyy rejected any territorial swap involving the Kursk region, his office said.`

func intakeForm(text string) url.Values {
	return url.Values{"text": {text}, "outlet": {"Test Wire"}, "title": {"Peskov on a freeze"}, "url": {""},
		"published": {"2024-11-22"}, "published_precision": {"day"}, "via": {""}}
}

// counts is how many statements, sources and reports exist.
func (e *env) intakeCounts(t *testing.T) [3]int {
	t.Helper()
	return [3]int{e.count(t, `SELECT count(*) FROM statements`), e.count(t, `SELECT count(*) FROM sources`), e.count(t, `SELECT count(*) FROM reports`)}
}

func TestIntakeIsForEditors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	res, _ := e.get(t, "/intake")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("GET /intake signed out = %d to %q, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	anon := e.browser(t)
	for _, path := range []string{"/intake", "/intake.json"} {
		if res, _ := anon.post(t, path, intakeForm(intakeArticle)); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s signed out = %d, want 403", path, res.StatusCode)
		}
	}
}

// TestIntakeDraftsCorrectedDroppedAndSaved: the editor pastes an article,
// sees the findings and drafts (nothing written), corrects one draft,
// drops one and saves: the kept drafts become statements reporting the one
// new source.
func TestIntakeDraftsCorrectedDroppedAndSaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	before := e.intakeCounts(t)
	res, body := b.post(t, "/intake", intakeForm(intakeArticle))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /intake = %d, want 200; %q", res.StatusCode, errorMessage(body))
	}
	if got := e.intakeCounts(t); got != before {
		t.Fatalf("analysing wrote something: counts %v, want %v", got, before)
	}
	marked := text(one(t, body, "intake-text"))
	if !strings.Contains(marked, "Kremlin spokesman") || len(byTestID(body, "found-actor")) < 3 || len(byTestID(body, "found-date")) == 0 {
		t.Errorf("the text is not marked: %d actors, %d dates in %q", len(byTestID(body, "found-actor")), len(byTestID(body, "found-date")), marked)
	}
	drafts := byTestID(body, "draft")
	if len(drafts) != 3 {
		t.Fatalf("got %d drafts, want 3", len(drafts))
	}
	form := formValues(t, body, "drafts-form")
	if form.Get("d0.actor") != "dmitry-peskov" || form.Get("d0.date") != "2024-11-19" || form.Get("d0.attribution") != "spokesperson" ||
		form.Get("d0.quote") != "A freeze of the war will not work." {
		t.Errorf("first draft = actor %q, date %q, %q, quote %q; want Peskov on Tuesday 19 November, spokesperson, the quote",
			form.Get("d0.actor"), form.Get("d0.date"), form.Get("d0.attribution"), form.Get("d0.quote"))
	}
	if form.Get("d1.actor") != "anonymous-russian-officials" || form.Get("d1.attribution") != "anonymous" {
		t.Errorf("second draft = %q (%s), want the anonymous Russian officials, never Putin", form.Get("d1.actor"), form.Get("d1.attribution"))
	}
	if !strings.Contains(drafts[2], "guess") || form.Get("d2.stance") != "rejects" {
		t.Errorf("third draft: stance %q, want a guessed rejects", form.Get("d2.stance"))
	}
	// Correct the first, drop the second, keep the third.
	form.Set("d0.summary", "Peskov said freezing the war would not work.")
	form.Del("d1.keep")
	form.Set("action", "save")
	loc := b.mustPost(t, "/intake", form)
	if !strings.HasPrefix(loc, "/sources/") {
		t.Fatalf("saved: redirected to %q, want the article's source page", loc)
	}
	after := e.intakeCounts(t)
	if after[0] != before[0]+2 || after[1] != before[1]+1 || after[2] != before[2]+2 {
		t.Errorf("counts after saving %v, want %v + 2 statements, 1 source, 2 reports", after, before)
	}
	page := b.mustGet(t, loc)
	if !strings.Contains(text(page), "Peskov said freezing the war would not work.") || strings.Contains(text(page), "could accept a ceasefire") {
		t.Errorf("the source page does not list the corrected draft alone with the kept one: %.400s", text(page))
	}
	if n := e.count(t, `SELECT count(*) FROM statements s JOIN positions p ON p.statement_id = s.id JOIN demands d ON d.id = p.demand_id
		WHERE d.slug = 'kursk-territorial-swap' AND p.stance = 'rejects' AND s.attribution = 'on_record'`); n != 1 {
		t.Errorf("the kept third draft's confirmed stance: %d positions, want 1", n)
	}
	// Saved twice (a double click): nothing more.
	b.mustPost(t, "/intake", form)
	if got := e.intakeCounts(t); got != after {
		t.Errorf("saving the same drafts again changed the counts to %v, want %v", got, after)
	}
}

// TestIntakeSaveProblemsKeepEverything: a draft that cannot be saved (its
// date removed) saves nothing and shows the drafts as corrected.
func TestIntakeSaveProblemsKeepEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	_, body := b.post(t, "/intake", intakeForm(intakeArticle))
	form := formValues(t, body, "drafts-form")
	before := e.intakeCounts(t)
	form.Set("d2.date", "")
	form.Set("d0.summary", "My corrected summary")
	form.Set("action", "save")
	res, body := b.post(t, "/intake", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save with a draft without date = %d, want 422", res.StatusCode)
	}
	if got := fieldErrors(body); len(got) != 1 || got[0] != "d2.date" {
		t.Errorf("field errors %v, want [d2.date]", got)
	}
	if again := formValues(t, body, "drafts-form"); again.Get("d0.summary") != "My corrected summary" || again.Get("text") != form.Get("text") {
		t.Errorf("the page lost what the editor typed: summary %q", again.Get("d0.summary"))
	}
	if got := e.intakeCounts(t); got != before {
		t.Errorf("a failed save wrote something: %v, want %v", got, before)
	}
}

// TestIntakeBadInput: each kind of bad input gets a clear message, 422,
// the pasted text still in place, and nothing written.
func TestIntakeBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	before := e.intakeCounts(t)
	long := strings.Repeat("Putin said talks were possible. ", 3200) // 102,400 characters
	for _, c := range []struct {
		name, field, message string
		form                 url.Values
		keep                 string // what the text box must still hold
	}{
		{"empty text", "text", "Paste the article", intakeForm("   "), ""},
		{"too long", "text", "at most 100,000", intakeForm(long), long},
		{"invalid UTF-8", "text", "not plain text", intakeForm("Putin said \xff\xfe talks were possible."), "Putin said"},
		{"binary", "text", "not plain text", intakeForm("PK\x03\x04\x14\x08 Putin said\x1b[0m"), "Putin said"},
		{"a NUL byte", "text", "not plain text", intakeForm("Putin said\x00 talks"), "Putin said"},
		{"published in the future", "published", "in the future", with(intakeForm(intakeArticle), "published", "2999-01-01"), "Peskow"},
		{"published not a date", "published", "is not a date", with(intakeForm(intakeArticle), "published", "last Tuesday"), "Peskow"},
		{"published missing", "published", "Enter the date", with(intakeForm(intakeArticle), "published", ""), "Peskow"},
		{"precision not matching", "published_precision", "does not match", with(intakeForm(intakeArticle), "published", "2024-11"), "Peskow"},
		{"no outlet", "outlet", "outlet", with(intakeForm(intakeArticle), "outlet", ""), "Peskow"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body := b.post(t, "/intake", c.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			msg := text(strings.Join(byTestID(body, "error-"+c.field), " "))
			if !strings.Contains(msg, c.message) {
				t.Errorf("message for %s = %q, want it to say %q", c.field, msg, c.message)
			}
			if got := formValues(t, body, "intake-form").Get("text"); !strings.Contains(got, c.keep) {
				t.Errorf("the text box holds %.80q, want the pasted %.80q", got, c.keep)
			}
			res, body = b.post(t, "/intake.json", c.form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorMessage(body), c.message) {
				t.Errorf("/intake.json = %d %q, want 422 saying %q", res.StatusCode, errorMessage(body), c.message)
			}
		})
	}
	if got := e.intakeCounts(t); got != before {
		t.Errorf("bad input wrote something: %v, want %v", got, before)
	}
}

func with(v url.Values, k, val string) url.Values {
	v.Set(k, val)
	return v
}

// TestIntakeJSON: the analysis as data, with DESIGN's fields, nothing
// written.
func TestIntakeJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	before := e.intakeCounts(t)
	res, body := b.post(t, "/intake.json", intakeForm(intakeArticle))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("POST /intake.json = %d (%s): %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 2 || doc["source"] == nil || doc["drafts"] == nil {
		t.Errorf("top-level fields: %s, want source and drafts only", body)
	}
	var drafts []map[string]any
	if err := json.Unmarshal(doc["drafts"], &drafts); err != nil {
		t.Fatal(err)
	}
	want := []string{"actor", "actor_text", "attribution", "date", "date_precision", "date_text", "quote", "sentence", "regions", "demands"}
	for _, d := range drafts {
		if len(d) != len(want) {
			t.Errorf("draft has %d fields, want %v: %v", len(d), want, d)
		}
		for _, k := range want {
			if _, ok := d[k]; !ok {
				t.Errorf("draft lacks %q: %v", k, d)
			}
		}
	}
	if len(drafts) != 3 || drafts[0]["actor"] != "dmitry-peskov" || drafts[0]["date"] != "2024-11-19" || drafts[0]["date_precision"] != "day" ||
		drafts[0]["date_text"] != "on Tuesday" || drafts[1]["actor"] != "anonymous-russian-officials" {
		t.Errorf("drafts = %v", drafts)
	}
	var src map[string]any
	_ = json.Unmarshal(doc["source"], &src)
	if src["outlet"] != "Test Wire" || src["published"] != "2024-11-22" || src["published_precision"] != "day" {
		t.Errorf("source = %v", src)
	}
	if got := e.intakeCounts(t); got != before {
		t.Errorf("/intake.json wrote something: %v, want %v", got, before)
	}
}

// TestIntakeOffersTheRecordedStatement: a draft of a statement the record
// holds already is offered as another report of it, and saved so.
func TestIntakeOffersTheRecordedStatement(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	peskov := e.seedIDs(t)["004-peskov-freezing-will-not-work"]
	article := `Putin's press secretary Dmitry Peskov said: "Putin has already said that freezing the conflict will not work in any way."`
	form := intakeForm(article)
	form.Set("published", "2024-11-21")
	_, body := b.post(t, "/intake", form)
	match := byTestID(body, "draft-match")
	if len(match) != 1 || !strings.Contains(text(match[0]), "another report of statement "+itoa64(peskov)) {
		t.Fatalf("no offer to add the article to statement %d: %v", peskov, match)
	}
	before := e.intakeCounts(t)
	drafts := formValues(t, body, "drafts-form")
	drafts.Set("d0.report_of", itoa64(peskov))
	drafts.Set("action", "save")
	b.mustPost(t, "/intake", drafts)
	after := e.intakeCounts(t)
	if after[0] != before[0] || after[2] != before[2]+1 {
		t.Errorf("counts %v after adding a report, want %v with one more report and no new statement", after, before)
	}
	if n := e.count(t, `SELECT count(*) FROM reports WHERE statement_id = $1`, peskov); n != 2 {
		t.Errorf("statement %d has %d reports, want 2", peskov, n)
	}
}

// TestDemandFormKeywords: editors maintain a demand's keywords on its form.
func TestDemandFormKeywords(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	body := b.mustGet(t, "/demands/ukraine-neutrality/edit")
	form := formValues(t, body, "record-form")
	if !strings.Contains(form.Get("keywords"), "non-aligned") {
		t.Fatalf("the form's keywords = %q, want the seed's", form.Get("keywords"))
	}
	form.Set("keywords", "neutral\nbloc-free")
	b.mustPost(t, "/demands/ukraine-neutrality/edit", form)
	if n := e.count(t, `SELECT count(*) FROM demands WHERE slug = 'ukraine-neutrality' AND keywords = '{neutral,bloc-free}'`); n != 1 {
		t.Errorf("keywords not saved")
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// A draft's actor is a search field: a name or alias resolves, an unknown
// one is refused on the draft with nothing saved.
func TestIntakeDraftActorIsASearchField(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	b := e.signIn(t, "editor@example.org", "editor")
	_, body := b.post(t, "/intake", intakeForm(intakeArticle))
	if strings.Contains(one(t, body, "drafts-form"), `<select id="f-d0-actor"`) {
		t.Errorf("the drafts list every actor in a select")
	}
	form := formValues(t, body, "drafts-form")
	form.Del("d1.keep")
	form.Del("d2.keep")
	form.Set("action", "save")
	before := e.intakeCounts(t)
	form.Set("d0.actor", "Nobody We Know")
	res, body := b.post(t, "/intake", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No actor matches") || e.intakeCounts(t) != before {
		t.Fatalf("an unknown actor = %d, want 422 saying so, nothing saved", res.StatusCode)
	}
	form.Set("d0.actor", "peskow") // an alias, in another case
	b.mustPost(t, "/intake", form)
	if got := e.intakeCounts(t); got[0] != before[0]+1 {
		t.Errorf("saving with the actor's alias: %v statements, want %v", got[0], before[0]+1)
	}
}
