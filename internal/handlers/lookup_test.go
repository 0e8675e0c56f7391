package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The actor and source fields are search fields the server resolves: no
// list of every source (50,000 at scale) is sent with the form.
func TestStatementFormLookups(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	body := ed.mustGet(t, "/statements/new")
	if strings.Contains(body, `<select id="f-source_id"`) || strings.Contains(body, `<select id="f-actor"`) || strings.Contains(body, "Bloomberg News") {
		t.Errorf("the new-statement form lists actors or sources as options")
	}

	post := func(actor, source string, extra url.Values) (*http.Response, string) {
		t.Helper()
		f := newStatementForm(t, "A lookup test statement about neutrality")
		f.Set("actor", actor)
		f.Set("source_id", source)
		for k, v := range extra {
			f[k] = v
		}
		return ed.post(t, "/statements/new", f)
	}
	for _, c := range []struct{ actor, source string }{
		{"Vladimir Putin", "#4"},             // a name, an id as the form writes it
		{"putin", "Bloomberg Putin Demands"}, // an alias in another case; words of outlet and headline
		{"peskow", "4"},                      // an alias spelling; a bare id
	} {
		res, body := post(c.actor, c.source, url.Values{"confirm_duplicate": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("actor %q, source %q = %d, want 303; errors %v %q", c.actor, c.source, res.StatusCode, fieldErrors(body), text(strings.Join(byTestID(body, "error-actor"), "")+strings.Join(byTestID(body, "error-source_id"), "")))
		}
	}

	// Ambiguous: the matches are listed to choose from, and choosing works.
	res, body := post("russian", "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || len(byTestID(body, "picks-actor")) == 0 {
		t.Fatalf("an ambiguous actor = %d, want 422 with the matches to choose from", res.StatusCode)
	}
	picks := text(byTestID(body, "picks-actor")[0])
	for _, want := range []string{"Russian Presidency", "Russian Foreign Ministry"} {
		if !strings.Contains(picks, want) {
			t.Errorf("the matches of “russian” = %q, want %q among them", picks, want)
		}
	}
	if res, body := post("russian", "", url.Values{"actor_pick": {"russian-foreign-ministry"}, "confirm_duplicate": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("choosing a match = %d, want 303; %v", res.StatusCode, fieldErrors(body))
	}
	res, body = post("vladimir-putin", "Putin", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || len(byTestID(body, "picks-source_id")) == 0 {
		t.Errorf("an ambiguous source = %d, want 422 with the matches", res.StatusCode)
	}
	// Nothing matches: said by the field, what was typed kept.
	res, body = post("Nobody Atall", "no such headline anywhere", nil)
	errs := fieldErrors(body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(errs, " "), "actor") || !strings.Contains(strings.Join(errs, " "), "source_id") ||
		!strings.Contains(body, `value="no such headline anywhere"`) {
		t.Errorf("unknown actor and source = %d, errors %v, want 422 on both fields with the text kept", res.StatusCode, errs)
	}
	// A report's source is a search field too.
	res, body = post("vladimir-putin", "#4", url.Values{"report_source": {"Ukrainska Pravda"}, "report_quote": {""}, "confirm_duplicate": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("a report's source by words = %d, want 303; %v", res.StatusCode, fieldErrors(body))
	}
}

func TestSuggestEndpoints(t *testing.T) {
	e := newEnv(t, true)
	if res, _ := e.browser(t).get(t, "/suggest/sources.json?q=putin"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous suggestions = %d, want a redirect to sign in", res.StatusCode)
	}
	ed := e.signIn(t, "ed@example.org", "editor")
	var got []struct{ Value, Label string }
	body := ed.mustGet(t, "/suggest/sources.json?q=bloomberg")
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got) != 1 || !strings.HasPrefix(got[0].Value, "#") || !strings.Contains(got[0].Label, "Bloomberg") {
		t.Errorf("sources matching bloomberg = %s (%v), want one, valued by its number", body, err)
	}
	body = ed.mustGet(t, "/suggest/actors.json?q=zelensk")
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got) != 1 || got[0].Value != "volodymyr-zelensky" {
		t.Errorf("actors matching zelensk = %s (%v), want volodymyr-zelensky", body, err)
	}
	if body := ed.mustGet(t, "/suggest/actors.json?q=z"); strings.TrimSpace(body) != "[]" {
		t.Errorf("one character = %s, want no suggestions", body)
	}
}
