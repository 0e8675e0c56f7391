package handlers_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parley/internal/export"
)

// (v2) Reports and conditions, through the forms, pages, CSV and JSON.

func TestStatementFormAddsAReportAndAConditionSeenOnTheStatementPage(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	form := newStatementForm(t, "Putin offers talks if Ukraine withdraws")
	form.Set("source_quote", "talks, as Bloomberg words it")
	form["report_source"], form["report_quote"] = []string{"2"}, []string{"talks, as the second outlet words it"}
	form["demand"], form["stance"] = []string{"direct-russia-ukraine-talks", "", ""}, []string{"supports", "", ""}
	form["cond_of"], form["cond_side"] = []string{"direct-russia-ukraine-talks"}, []string{"ukraine"}
	form["cond_demand"], form["cond_stance"] = []string{"withdrawal-four-regions"}, []string{"supports"}
	form.Set("confirm_duplicate", "1")
	loc := ed.mustPost(t, "/statements/new", form)
	page := ed.mustGet(t, loc)
	if n := len(byTestID(page, "report")); n != 2 {
		t.Errorf("statement page shows %d reports, want 2", n)
	}
	if got := text(one(t, page, "report-count")); got != "2 sources report it." {
		t.Errorf("report count = %q", got)
	}
	if !strings.Contains(text(one(t, page, "reports")), "talks, as the second outlet words it") {
		t.Error("the second report's quote is not on the page")
	}
	cond := text(one(t, page, "conditions"))
	if !strings.Contains(cond, "only if Ukraine supports") || !strings.Contains(cond, "Withdrawal of Ukrainian troops") {
		t.Errorf("conditions = %q, want them in plain words", cond)
	}
	// The edit form carries them back unchanged.
	edit := ed.mustGet(t, loc+"/edit")
	again := formValues(t, edit, "statement-form")
	if again.Get("source_quote") != "talks, as Bloomberg words it" || again.Get("report_quote") != "talks, as the second outlet words it" ||
		again.Get("cond_demand") != "withdrawal-four-regions" {
		t.Errorf("edit form = %v, want the reports and condition back", again)
	}
	ed.mustPost(t, loc+"/edit", again)
	if n := len(byTestID(ed.mustGet(t, loc), "report")); n != 2 {
		t.Errorf("after saving the edit form unchanged: %d reports, want 2", n)
	}
}

func TestStatementFormRefusesBadReportsAndConditions(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	before := e.fingerprint(t)
	for _, tt := range []struct {
		name   string
		change func(url.Values)
		want   string
	}{
		{"a condition on its own demand", func(f url.Values) {
			f["cond_of"], f["cond_side"], f["cond_demand"], f["cond_stance"] = []string{"ukraine-neutrality"}, []string{"ukraine"}, []string{"ukraine-neutrality"}, []string{"supports"}
		}, "own position"},
		{"a condition on an unknown side", func(f url.Values) {
			f["cond_of"], f["cond_side"], f["cond_demand"], f["cond_stance"] = []string{"ukraine-neutrality"}, []string{"atlantis"}, []string{"lift-sanctions"}, []string{"supports"}
		}, "Unknown side"},
		{"a condition on no position of the statement", func(f url.Values) {
			f["cond_of"], f["cond_side"], f["cond_demand"], f["cond_stance"] = []string{"lift-sanctions"}, []string{"ukraine"}, []string{"ukraine-neutrality"}, []string{"supports"}
		}, "governs"},
		{"the same source reporting twice", func(f url.Values) {
			f["report_source"], f["report_quote"] = []string{"1"}, []string{"again"}
		}, "already reports"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newStatementForm(t, "Refused: "+tt.name)
			tt.change(f)
			res, body := ed.post(t, "/statements/new", f)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if msgs := strings.Join(fieldErrors(body), " ") + text(body); !strings.Contains(msgs, tt.want) {
				t.Errorf("no message about %q: %v", tt.want, fieldErrors(body))
			}
			if !strings.Contains(body, "Refused: "+tt.name) {
				t.Error("the form lost the summary typed")
			}
		})
	}
	if after := e.fingerprint(t); after != before {
		t.Error("a refused form changed the database")
	}
}

func TestPossibleDuplicateCanBecomeAnotherReport(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	first := newStatementForm(t, "Putin insists on Ukraine's neutrality at the Security Council")
	loc := ed.mustPost(t, "/statements/new", first)
	before := e.statementsWithSummary(t, "Putin insists on Ukraine's neutrality at the Security Council")
	second := newStatementForm(t, "Putin insists on Ukraine's neutrality at the Security Council")
	second.Set("source_id", "3")
	second.Set("quote", "neutral status, as the third outlet quotes it")
	res, body := ed.post(t, "/statements/new", second)
	if res.StatusCode != http.StatusUnprocessableEntity || len(byTestID(body, "duplicates")) != 1 {
		t.Fatalf("the same statement again = %d, want the duplicate warning", res.StatusCode)
	}
	if len(byTestID(body, "add-report-to")) == 0 {
		t.Fatal("the duplicate warning offers no way to add this as another report")
	}
	second.Set("add_report_to", strings.TrimPrefix(loc, "/statements/"))
	if got := ed.mustPost(t, "/statements/new", second); got != loc {
		t.Errorf("after adding as a report: Location %q, want the existing statement %q", got, loc)
	}
	if n := e.statementsWithSummary(t, "Putin insists on Ukraine's neutrality at the Security Council"); n != before {
		t.Errorf("statements with that summary: %d, want still %d (a report, not a statement)", n, before)
	}
	page := ed.mustGet(t, loc)
	if n := len(byTestID(page, "report")); n != 2 || !strings.Contains(page, "neutral status, as the third outlet quotes it") {
		t.Errorf("the statement shows %d reports (want 2, the second with its quote)", n)
	}
}

func TestCSVVersion2CarriesReportCountAndConditions(t *testing.T) {
	e := newEnv(t, true)
	_, body := e.browser(t).get(t, "/statements.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != strings.Join(export.Header, ",") || len(rows[0]) != 19 {
		t.Fatalf("header = %s", got)
	}
	var sawConditions, sawCorroborated bool
	for _, r := range rows[1:] {
		if r[5] == "direct-russia-ukraine-talks" && strings.Contains(r[18], "ukraine:withdrawal-four-regions:supports") {
			sawConditions = true
		}
		if r[17] == "3" {
			sawCorroborated = true
		}
		if r[17] == "" || r[17] == "0" && r[12] != "" {
			t.Errorf("row of statement %s: report_count %q with a source %q", r[0], r[17], r[12])
		}
	}
	if !sawConditions {
		t.Error("no row carries Putin's conditions as side:demand:stance")
	}
	if !sawCorroborated {
		t.Error("no statement has report_count 3 (the 14 June speech)")
	}
	_, js := e.browser(t).get(t, "/statements.json")
	var doc struct {
		Statements []struct {
			ReportCount int `json:"report_count"`
			Positions   []struct {
				Demand     string
				Conditions []struct{ Side, Demand, Stance string }
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range doc.Statements {
		for _, p := range s.Positions {
			if len(p.Conditions) > 0 && p.Conditions[0].Side == "ukraine" {
				found = true
			}
		}
	}
	if !found {
		t.Error("statements.json carries no conditions")
	}
}

func TestImportTakesVersion1FilesAndReportsABadCondition(t *testing.T) {
	dst := newEnv(t, true)
	c := signedIn(t, dst)
	v1 := strings.Join(export.HeaderV1, ",") + "\r\n" +
		"9001,2025-03-02,day,Dmitry Peskov,russia,no-foreign-peacekeepers,insists,,A version 1 row.,,,spokesperson,,,,,\r\n"
	res, preview := upload(t, c, dst, "v1.csv", []byte(v1))
	if res.StatusCode != http.StatusOK || !strings.Contains(preview, `data-testid="import-preview"`) {
		t.Fatalf("a version 1 file = %d: %s", res.StatusCode, text(strings.Join(byTestID(preview, "import-problems"), "")))
	}
	v2 := strings.Join(export.Header, ",") + "\r\n" +
		"9002,2025-03-02,day,Dmitry Peskov,russia,no-foreign-peacekeepers,insists,,A condition row.,,,spokesperson,,,,,,1,ukraine:supports\r\n"
	_, body := upload(t, c, dst, "v2.csv", []byte(v2))
	problems := text(strings.Join(byTestID(body, "import-problems"), ""))
	if !strings.Contains(problems, "line 2") || !strings.Contains(problems, "conditions") || !strings.Contains(problems, "side:demand:stance") {
		t.Errorf("a malformed condition: problems = %q, want line 2, column conditions, and the form it takes", problems)
	}
}

func TestMatrixMarksAStanceHeldOnConditions(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	form := newStatementForm(t, "Zelensky would accept neutrality only with security guarantees")
	form.Set("actor", "volodymyr-zelensky")
	form.Set("date", "2026-11-30")
	form["demand"], form["stance"] = []string{"ukraine-neutrality", "", ""}, []string{"open", "", ""}
	form["cond_of"], form["cond_side"] = []string{"ukraine-neutrality"}, []string{"russia"}
	form["cond_demand"], form["cond_stance"] = []string{"security-guarantees"}, []string{"supports"}
	form.Set("confirm_duplicate", "1")
	ed.mustPost(t, "/statements/new", form)
	cell := text(one(t, ed.mustGet(t, "/"), "cell-volodymyr-zelensky-ukraine-neutrality"))
	if !strings.Contains(cell, "open") || !strings.Contains(cell, "on conditions") {
		t.Errorf("matrix cell = %q, want open, on conditions", cell)
	}
	other := text(one(t, ed.mustGet(t, "/"), "cell-dmitry-peskov-negotiations-on-ground-realities"))
	if strings.Contains(other, "on conditions") {
		t.Errorf("an unconditional cell is marked: %q", other)
	}
}

// TestVersion1ExportImportsIntoAnEmptyInstance: a file in version 1's 17
// columns (an export from before v2) still imports and reproduces the
// statements; only the conditions, which v1 could not hold, are absent.
func TestVersion1ExportImportsIntoAnEmptyInstance(t *testing.T) {
	src := newEnv(t, true)
	_, body := src.get(t, "/statements.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, r := range rows {
		if err := w.Write(r[:17]); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	want := fingerprint(t, src)
	for i := range want {
		want[i] = regexp.MustCompile(` \[if [^\]]*\]`).ReplaceAllString(want[i], "")
	}
	dst := newEnv(t, false)
	c := signedIn(t, dst)
	res, preview := upload(t, c, dst, "v1.csv", []byte(b.String()))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview of a v1 file = %d: %s", res.StatusCode, text(strings.Join(byTestID(preview, "import-problems"), "")))
	}
	if res, _ := confirm(t, c, dst, preview); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm = %d", res.StatusCode)
	}
	got := fingerprint(t, dst)
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			t.Errorf("a v1 file imported %d statements, not the %d exported as they were; first difference at %d:\n got %q\nwant %q",
				len(got), len(want), i, at(got, i), at(want, i))
			break
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
