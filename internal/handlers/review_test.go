package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	pgxstore "github.com/alexedwards/scs/pgxstore"

	"parley/internal/handlers"
)

// newReviewEnv is a seeded instance under two-person review with two
// editors signed in.
func newReviewEnv(t *testing.T) (e *env, a, b *browser) {
	t.Helper()
	e = newEnv(t, true)
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), e.store,
		pgxstore.NewWithCleanupInterval(e.pool, 0), handlers.Config{Review: true}))
	t.Cleanup(srv.Close)
	e.srv = srv
	return e, e.signIn(t, "ann@example.org", "editor"), e.signIn(t, "ben@example.org", "editor")
}

// candidateOf follows a write's redirect to its candidate and returns the
// candidate's path.
func candidateOf(t *testing.T, loc string) string {
	t.Helper()
	if !strings.HasPrefix(loc, "/review/") {
		t.Fatalf("the write redirected to %q, want a candidate's page /review/N", loc)
	}
	return loc
}

// candidateVersion reads the version the candidate page's forms carry.
func candidateVersion(t *testing.T, b *browser, path string) string {
	t.Helper()
	body := b.mustGet(t, path)
	i := strings.Index(body, `name="version" value="`)
	if i < 0 {
		t.Fatalf("%s has no approve or reject form", path)
	}
	rest := body[i+len(`name="version" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func approve(t *testing.T, b *browser, path string) (*http.Response, string) {
	t.Helper()
	return b.post(t, path+"/approve", url.Values{"version": {candidateVersion(t, b, path)}})
}

func TestReviewNewStatementPublishedOnlyAfterSecondEditor(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	anon := e.browser(t)
	before := e.fingerprint(t)
	form := newStatementForm(t, "Putin said the neutrality demand is open to talks")
	form.Set("date", "2026-11-02")
	form.Set("stance", "open")
	cand := candidateOf(t, ann.mustPost(t, "/statements/new", form))
	if got := e.fingerprint(t); got != before {
		t.Fatalf("a candidate changed the published records:\n before %s\n after  %s", before, got)
	}
	// Nowhere public: list, search, export, feed, dashboard.
	for _, path := range []string{"/statements", "/statements?q=neutrality+demand+is+open", "/statements.csv", "/regions/donetsk/timeline.csv", "/changes.atom", "/dashboard.json"} {
		if _, body := anon.get(t, path); strings.Contains(body, "open to talks") || strings.Contains(body, "2026-11-02") {
			t.Errorf("GET %s shows the unapproved statement", path)
		}
	}
	// The author cannot approve: the page says so, and a forged POST is 403.
	body := ann.mustGet(t, cand)
	if len(byTestID(body, "approve")) > 0 || len(byTestID(body, "own")) == 0 {
		t.Errorf("the author's candidate page offers to approve it, or does not say why not")
	}
	res, body := ann.post(t, cand+"/approve", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(errorMessage(body), "second editor") {
		t.Fatalf("author's approval = %d %q, want 403 saying a second editor must approve", res.StatusCode, errorMessage(body))
	}
	if got := e.fingerprint(t); got != before {
		t.Fatalf("the author's refused approval changed the records")
	}
	// Listed on /review for the other editor, most consequential: it moves
	// Russia's position on neutrality.
	rv := ben.mustGet(t, "/review")
	if !strings.Contains(rv, "open to talks") || !strings.Contains(text(byTestID(rv, "impact")[0]), "party") {
		t.Errorf("/review does not list the candidate as changing a party's position")
	}
	res, _ = approve(t, ben, cand)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/statements/") {
		t.Fatalf("second editor's approval = %d to %q, want 303 to the statement", res.StatusCode, res.Header.Get("Location"))
	}
	stPath := res.Header.Get("Location")
	if body := anon.mustGet(t, stPath); !strings.Contains(body, "open to talks") {
		t.Errorf("the approved statement is not on its public page")
	}
	if _, body := anon.get(t, "/regions/donetsk/timeline.csv"); !strings.Contains(body, "open to talks") {
		t.Errorf("the approved statement is not in the region's export")
	}
	// Derived figures follow: Russia's side position on neutrality is now open.
	_, dj := anon.get(t, "/dashboard.json")
	var dash struct {
		Gaps []struct {
			Demand  string
			Parties []struct{ Side, Stance, Date string }
		}
	}
	if err := json.Unmarshal([]byte(dj), &dash); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range dash.Gaps {
		for _, p := range g.Parties {
			found = found || (g.Demand == "ukraine-neutrality" && p.Side == "russia" && p.Stance == "open" && p.Date == "2026-11-02")
		}
	}
	if !found {
		t.Errorf("dashboard.json does not give Russia's approved open stance on neutrality: %+v", dash.Gaps)
	}
	// The history records who proposed and who approved.
	hist := ben.mustGet(t, stPath+"/history")
	if !strings.Contains(hist, "proposed by ann@example.org") || !strings.Contains(hist, "approved by ben@example.org") {
		t.Errorf("the history does not name proposer and approver")
	}
	var proposer, approver string
	id, _ := strconv.ParseInt(strings.TrimPrefix(stPath, "/statements/"), 10, 64)
	if err := e.pool.QueryRow(context.Background(), `SELECT user_email, approved_by FROM revisions WHERE entity_type = 'statement' AND entity_id = $1`, id).Scan(&proposer, &approver); err != nil {
		t.Fatal(err)
	}
	if proposer != "ann@example.org" || approver != "ben@example.org" {
		t.Errorf("revision: proposed by %q, approved by %q", proposer, approver)
	}
	// Approving again (the page of before) changes nothing: a conflict.
	res, body = ben.post(t, cand+"/approve", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusConflict || len(byTestID(body, "conflict")) == 0 {
		t.Errorf("approving a decided candidate = %d, want 409 with the conflict message", res.StatusCode)
	}
}

func TestReviewPendingEditKeepsVettedVersionPublic(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	anon := e.browser(t)
	ids := e.seedIDs(t)
	var id int64
	for _, v := range ids {
		id = v
		break
	}
	path := "/statements/" + strconv.FormatInt(id, 10)
	vetted := anon.mustGet(t, path)
	vettedSummary := text(byTestID(vetted, "summary")[0])
	edit := ann.mustGet(t, path+"/edit")
	form := formValues(t, edit, "statement-form")
	form.Set("summary", "A corrected summary awaiting review")
	cand := candidateOf(t, ann.mustPost(t, path+"/edit", form))

	if body := anon.mustGet(t, path); text(byTestID(body, "summary")[0]) != vettedSummary || strings.Contains(body, "awaiting review") {
		t.Errorf("while the edit waits, the public page does not show the vetted summary")
	}
	if body := anon.mustGet(t, path); len(byTestID(body, "pending")) > 0 {
		t.Errorf("anonymous readers see the pending-change mark")
	}
	if body := ben.mustGet(t, path); len(byTestID(body, "pending-candidate")) != 1 {
		t.Errorf("editors do not see the pending change marked on the statement page")
	}
	// The candidate page shows the field-by-field difference.
	body := ben.mustGet(t, cand)
	diff := byTestID(body, "diff")
	if len(diff) == 0 || !strings.Contains(text(diff[0]), vettedSummary) || !strings.Contains(text(diff[0]), "A corrected summary awaiting review") {
		t.Fatalf("the candidate page does not show the summary's before and after")
	}
	// A rejection needs a reason: 422, nothing decided.
	res, body := ben.post(t, cand+"/reject", url.Values{"version": {candidateVersion(t, ben, cand)}, "reason": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || len(byTestID(body, "reason-error")) == 0 {
		t.Fatalf("rejection without a reason = %d, want 422 with a message by the field", res.StatusCode)
	}
	ben.mustPost(t, cand+"/reject", url.Values{"version": {candidateVersion(t, ben, cand)}, "reason": {"The article does not say this."}})
	if body := anon.mustGet(t, path); strings.Contains(body, "awaiting review") {
		t.Errorf("a rejected edit is public")
	}
	// Its author reads the reason.
	mine := ann.mustGet(t, "/review")
	if r := byTestID(mine, "reason"); len(r) == 0 || text(r[0]) != "The article does not say this." {
		t.Errorf("the author's review page does not show the rejection's reason: %v", r)
	}
}

func TestReviewStaleCandidateIsAConflict(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	cara := e.signIn(t, "cara@example.org", "editor")
	path := "/regions/donetsk"
	form := formValues(t, ann.mustGet(t, path+"/edit"), "record-form")
	form.Set("name", "Donetsk Oblast")
	first := candidateOf(t, ann.mustPost(t, path+"/edit", form))
	form.Set("name", "Donetsk region")
	second := candidateOf(t, ben.mustPost(t, path+"/edit", form))
	if res, _ := approve(t, cara, first); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving the first edit = %d", res.StatusCode)
	}
	before := e.fingerprint(t)
	res, body := approve(t, cara, second)
	if res.StatusCode != http.StatusConflict || !strings.Contains(text(byTestID(body, "conflict")[0]), "changed since") {
		t.Fatalf("approving an edit of a version no longer published = %d, want 409 explaining it", res.StatusCode)
	}
	if e.fingerprint(t) != before {
		t.Errorf("the refused approval changed the records")
	}
	if body := e.browser(t).mustGet(t, path); !strings.Contains(body, "Donetsk Oblast") {
		t.Errorf("the first approved edit is not published")
	}
}

func TestReviewMostConsequentialFirst(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	_ = e
	form := formValues(t, ann.mustGet(t, "/regions/donetsk/edit"), "record-form")
	form.Set("name", "Donetsk Oblast")
	minor := candidateOf(t, ann.mustPost(t, "/regions/donetsk/edit", form))
	st := newStatementForm(t, "Putin now rejects neutrality talk")
	st.Set("date", "2026-11-03")
	st.Set("stance", "rejects")
	major := candidateOf(t, ann.mustPost(t, "/statements/new", st))
	body := ben.mustGet(t, "/review")
	im, iM := strings.Index(body, `href="`+minor+`"`), strings.Index(body, `href="`+major+`"`)
	if im < 0 || iM < 0 || iM > im {
		t.Errorf("/review lists %s (party position) at %d and %s (a region's name) at %d: the consequential one must come first", major, iM, minor, im)
	}
}

func TestReviewSideNeedsAnAdmin(t *testing.T) {
	e, _, ben := newReviewEnv(t)
	ada := e.signIn(t, "ada@example.org", "admin")
	abe := e.signIn(t, "abe@example.org", "admin")
	form := formValues(t, ada.mustGet(t, "/sides/independent/edit"), "record-form")
	form.Set("role", "stakeholder")
	cand := candidateOf(t, ada.mustPost(t, "/sides/independent/edit", form))
	if res, _ := ben.post(t, cand+"/approve", url.Values{"version": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor approving a side's change = %d, want 403", res.StatusCode)
	}
	if res, _ := approve(t, abe, cand); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a second admin approving it = %d, want 303", res.StatusCode)
	}
}

func TestReviewImportIsOneCandidate(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	csv := "statement_id,date,date_precision,actor,actor_side,demand,stance,quote,summary,regions,occasion,attribution,source_outlet,source_title,source_url,source_published,statement_url,report_count,conditions\r\n" +
		"9001,2026-10-01,day,Vladimir Putin,russia,ukraine-neutrality,insists,,Imported one,donetsk,,on_record,Test Outlet,Headline,,2026-10-01,,1,\r\n" +
		"9002,2026-10-02,day,Vladimir Putin,russia,ukraine-neutrality,insists,,Imported two,donetsk,,on_record,Test Outlet,Headline,,2026-10-01,,1,\r\n"
	before := e.fingerprint(t)
	res, preview := upload(t, ann.c, e, "two.csv", []byte(csv))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("import preview = %d: %q", res.StatusCode, text(preview))
	}
	res, _ = confirm(t, ann.c, e, preview)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming the import = %d, want 303", res.StatusCode)
	}
	cand := candidateOf(t, res.Header.Get("Location"))
	if e.fingerprint(t) != before {
		t.Fatalf("a proposed import changed the records")
	}
	page := ben.mustGet(t, cand)
	if items := byTestID(page, "import-statements"); len(items) == 0 || !strings.Contains(text(items[0]), "Imported one") || !strings.Contains(text(items[0]), "Imported two") {
		t.Fatalf("the import's candidate does not list its statements")
	}
	if res, _ := approve(t, ben, cand); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving the import = %d", res.StatusCode)
	}
	if n := e.statementsWithSummary(t, "Imported one") + e.statementsWithSummary(t, "Imported two"); n != 2 {
		t.Errorf("after approval %d imported statements are published, want 2", n)
	}
}

func TestReviewRuleEnforcedByDatabase(t *testing.T) {
	e, ann, _ := newReviewEnv(t)
	cand := candidateOf(t, ann.mustPost(t, "/statements/new", newStatementForm(t, "Direct SQL approval attempt")))
	id := strings.TrimPrefix(cand, "/review/")
	_, err := e.pool.Exec(context.Background(), `UPDATE candidates SET status = 'approved', decided_by = author_id, decided_at = now() WHERE id = $1`, id)
	if err == nil || !strings.Contains(err.Error(), "candidates_second_editor_check") {
		t.Errorf("the database let the author approve their own candidate: %v", err)
	}
	_, err = e.pool.Exec(context.Background(), `INSERT INTO revisions (entity_type, entity_id, version, action, data, user_id, user_email, approved_by_id)
		SELECT 'statement', 1, 99, 'update', '{}', id, email, id FROM users WHERE email = 'ann@example.org'`)
	if err == nil || !strings.Contains(err.Error(), "revisions_second_editor_check") {
		t.Errorf("the database stored a revision approved by its own proposer: %v", err)
	}
}

func TestReviewRevisedCandidateNeedsAThirdEditor(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	cara := e.signIn(t, "cara@example.org", "editor")
	cand := candidateOf(t, ann.mustPost(t, "/statements/new", newStatementForm(t, "Putin insisted on neutrality, with a typo in teh summary")))
	form := formValues(t, ben.mustGet(t, cand+"/edit"), "statement-form")
	if form.Get("summary") != "Putin insisted on neutrality, with a typo in teh summary" || form.Get("actor") != "vladimir-putin" {
		t.Fatalf("the revision form does not hold the candidate's input: %v", form)
	}
	form.Set("summary", "Putin insisted on neutrality")
	if loc := ben.mustPost(t, cand+"/edit", form); loc != cand {
		t.Fatalf("revising redirected to %q, want the candidate", loc)
	}
	for who, b := range map[string]*browser{"author": ann, "reviser": ben} {
		if res, _ := b.post(t, cand+"/approve", url.Values{"version": {candidateVersion(t, cara, cand)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("the %s's approval of the revised candidate = %d, want 403", who, res.StatusCode)
		}
	}
	res, _ := approve(t, cara, cand)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a third editor's approval = %d, want 303", res.StatusCode)
	}
	if body := e.browser(t).mustGet(t, res.Header.Get("Location")); text(byTestID(body, "summary")[0]) != "Putin insisted on neutrality" {
		t.Errorf("the published statement is not the revised one")
	}
}

// Intake's drafts under review: one candidate each, nothing published, and
// approving them publishes them with the article as one source.
func TestReviewIntakeDraftsAreCandidates(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	before := e.intakeCounts(t)
	_, body := ann.post(t, "/intake", intakeForm(intakeArticle))
	form := formValues(t, body, "drafts-form")
	form.Del("d1.keep")
	form.Set("action", "save")
	if loc := ann.mustPost(t, "/intake", form); loc != "/review" {
		t.Fatalf("saving drafts redirected to %q, want /review", loc)
	}
	if got := e.intakeCounts(t); got != before {
		t.Fatalf("saving drafts under review published something: %v, want %v", got, before)
	}
	rv := ben.mustGet(t, "/review")
	var cands []string
	for _, c := range byTestID(rv, "candidate") {
		i := strings.Index(c, `href="/review/`) + len(`href="`)
		cands = append(cands, c[i:i+strings.IndexByte(c[i:], '"')])
	}
	if len(cands) != 2 {
		t.Fatalf("/review lists %d of the article's drafts, want 2: %v", len(cands), cands)
	}
	for _, c := range cands {
		if res, _ := approve(t, ben, c); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving %s = %d", c, res.StatusCode)
		}
	}
	after := e.intakeCounts(t)
	if after[0] != before[0]+2 || after[1] != before[1]+1 {
		t.Errorf("after approving both: %v, want %v + 2 statements and 1 source (the article, once)", after, before)
	}
}

func TestReviewApprovedDeleteLeadsToTheList(t *testing.T) {
	e, ann, ben := newReviewEnv(t)
	anon := e.browser(t)
	var id int64
	for _, v := range e.seedIDs(t) {
		id = v
		break
	}
	path := "/statements/" + strconv.FormatInt(id, 10)
	cand := candidateOf(t, ann.mustPost(t, path+"/delete", nil))
	anon.mustGet(t, path) // still published while the deletion waits
	res, _ := approve(t, ben, cand)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/statements" {
		t.Fatalf("approving a deletion = %d to %q, want 303 to /statements", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := anon.get(t, path); res.StatusCode != http.StatusNotFound {
		t.Errorf("after the approved deletion the statement answers %d, want 404", res.StatusCode)
	}
}
