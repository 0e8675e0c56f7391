package handlers_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// download fetches path and fails unless it answers 200.
func (b *browser) download(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	res, body := b.get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; message: %q", path, res.StatusCode, errorMessage(body))
	}
	return res, []byte(body)
}

func TestReleasesArePublishedByAdminsAndDownloadedByAnyone(t *testing.T) {
	e := newEnv(t, true)
	admin := e.signIn(t, "admin@example.org", "admin")
	if body := admin.mustGet(t, "/admin/releases"); len(byTestID(body, "error-name")) > 0 {
		t.Error("the empty form shows an error")
	}
	if loc := admin.mustPost(t, "/admin/releases", url.Values{"name": {"v2026.12"}, "notes": {"Before the talks in Istanbul."}}); loc != "/releases#v2026.12" {
		t.Errorf("publishing redirects to %q, want /releases#v2026.12", loc)
	}

	reader := e.browser(t)
	body := reader.mustGet(t, "/releases")
	section := one(t, body, "release-v2026.12")
	if got := text(one(t, section, "changelog")); !strings.Contains(got, "The first release:") || !strings.Contains(got, "statements") {
		t.Errorf("changelog %q, want the first release's counts", got)
	}
	if got := text(one(t, section, "release-notes")); got != "Before the talks in Istanbul." {
		t.Errorf("notes %q", got)
	}
	if got := text(one(t, section, "citation")); !strings.Contains(got, "release v2026.12") || !strings.Contains(got, "/releases#v2026.12") {
		t.Errorf("citation %q does not name the release", got)
	}
	links := hrefs(one(t, section, "release-files"))
	for _, want := range []string{"/releases/v2026.12/datapackage.json", "/releases/v2026.12/statements.csv",
		"/releases/v2026.12/positions.csv", "/releases/v2026.12/delta.json"} {
		if !strings.Contains(strings.Join(links, " "), want) {
			t.Errorf("files %v lack %s", links, want)
		}
	}
	if got := openingAttr(one(t, section, "release-zip"), "href"); got != "/releases/v2026.12.zip" {
		t.Errorf("zip link %q", got)
	}

	// Every file is what datapackage.json says, the same on every download.
	_, raw := reader.download(t, "/releases/v2026.12/datapackage.json")
	var pkg struct {
		Resources []struct{ Path, Hash string }
	}
	if err := json.Unmarshal(raw, &pkg); err != nil || len(pkg.Resources) != 8 {
		t.Fatalf("datapackage.json: %v, %d resources", err, len(pkg.Resources))
	}
	files := map[string][]byte{"datapackage.json": raw}
	for _, r := range pkg.Resources {
		res, data := reader.download(t, "/releases/v2026.12/"+r.Path)
		sum := sha256.Sum256(data)
		if "sha256:"+hex.EncodeToString(sum[:]) != r.Hash {
			t.Errorf("%s does not match its hash in datapackage.json", r.Path)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", r.Path, ct)
		}
		if _, again := reader.download(t, "/releases/v2026.12/"+r.Path); !bytes.Equal(again, data) {
			t.Errorf("%s differs between two downloads", r.Path)
		}
		files[r.Path] = data
	}
	_, z := reader.download(t, "/releases/v2026.12.zip")
	if _, again := reader.download(t, "/releases/v2026.12.zip"); !bytes.Equal(again, z) {
		t.Error("the zip differs between two downloads")
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatalf("the zip does not open: %v", err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(data, files[strings.TrimPrefix(f.Name, "parley-v2026.12/")]) {
			t.Errorf("%s in the zip differs from its download (%v)", f.Name, err)
		}
	}
	if len(zr.File) != 9 {
		t.Errorf("the zip holds %d files, want datapackage.json and 8 CSV files", len(zr.File))
	}
	var delta struct {
		Release   string
		Previous  *string
		Resources map[string]struct{ Added []map[string]any }
	}
	_, d := reader.download(t, "/releases/v2026.12/delta.json")
	if err := json.Unmarshal(d, &delta); err != nil || delta.Release != "v2026.12" || delta.Previous != nil || len(delta.Resources["statements"].Added) == 0 {
		t.Errorf("delta.json of the first release: %v; release %q, previous %v, %d statements added", err, delta.Release, delta.Previous, len(delta.Resources["statements"].Added))
	}

	// A later release lists first, with what changed.
	editor := e.signIn(t, "ed@example.org", "editor")
	editor.mustPost(t, "/statements/new", newStatementForm(t, "A statement after the first release."))
	admin.mustPost(t, "/admin/releases", url.Values{"name": {"v2027.01"}})
	body = reader.mustGet(t, "/releases")
	if strings.Index(body, `data-testid="release-v2027.01"`) > strings.Index(body, `data-testid="release-v2026.12"`) {
		t.Error("the newer release is not listed first")
	}
	if got := text(one(t, one(t, body, "release-v2027.01"), "changelog")); !strings.Contains(got, "1 statement added") {
		t.Errorf("v2027.01's changelog %q, want 1 statement added", got)
	}
	if _, again := reader.download(t, "/releases/v2026.12/statements.csv"); !bytes.Equal(again, files["statements.csv"]) {
		t.Error("v2026.12's statements changed after a later edit and release")
	}
}

func TestReleaseNameMustBeANewSlug(t *testing.T) {
	e := newEnv(t, true)
	admin := e.signIn(t, "admin@example.org", "admin")
	admin.mustPost(t, "/admin/releases", url.Values{"name": {"v1"}})
	for _, tt := range []struct{ name, want string }{
		{"v1", "A release called v1 exists already"},
		{"Version 1", "Use lowercase letters and digits"},
		{"", "Use lowercase letters and digits"},
	} {
		res, body := admin.post(t, "/admin/releases", url.Values{"name": {tt.name}, "notes": {"kept"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("name %q: status %d, want 422", tt.name, res.StatusCode)
			continue
		}
		if got := text(one(t, body, "error-name")); !strings.Contains(got, tt.want) {
			t.Errorf("name %q: message %q, want %q", tt.name, got, tt.want)
		}
		if !strings.Contains(body, ">kept</textarea>") {
			t.Errorf("name %q: the notes typed are not kept in the form", tt.name)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM releases`); n != 1 {
		t.Errorf("%d releases stored, want 1", n)
	}
}

func TestReleaseAddressesThatNameNothingAre404(t *testing.T) {
	e := newEnv(t, false)
	e.signIn(t, "admin@example.org", "admin").mustPost(t, "/admin/releases", url.Values{"name": {"v1"}})
	for _, path := range []string{"/releases/v2/datapackage.json", "/releases/v1/secrets.csv", "/releases/v1/../v1.zip",
		"/releases/v2.zip", "/releases/v1", "/releases/v1/statements.csv.zip"} {
		e.wantStatus(t, path, http.StatusNotFound)
	}
	body := e.wantStatus(t, "/releases/v1/statements.csv", http.StatusOK)
	if !strings.HasPrefix(body, "id,date,date_precision,actor,") {
		t.Errorf("statements.csv of an empty record starts %q, want the header", body[:min(len(body), 40)])
	}
}
