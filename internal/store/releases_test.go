package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"parley"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"parley/internal/export"
	"parley/internal/seed"
	"parley/internal/store"
)

// specsDir holds the Data Package v2 profiles, beside the project (as in
// development and CI); the project never reads it at run time.
const specsDir = "../../../shared/specs/datapackage-2.0"

// seededStore is a store loaded with the seed dataset.
func seededStore(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	st, pool := newStoreWithPool(t)
	data, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoadSeed(context.Background(), data); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	return st, pool
}

func publish(t *testing.T, st *store.Store, name string) parley.Release {
	t.Helper()
	rel, err := st.PublishRelease(context.Background(), parley.ReleaseInput{Name: name, Notes: "Test notes for " + name}, "https://parley.example.org")
	if err != nil {
		t.Fatalf("PublishRelease(%s): %v", name, err)
	}
	return rel
}

func releaseFile(t *testing.T, st *store.Store, rel parley.Release, path string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := st.WriteReleaseFile(context.Background(), rel, path, &b); err != nil {
		t.Fatalf("WriteReleaseFile(%s, %s): %v", rel.Name, path, err)
	}
	return b.Bytes()
}

func releaseZip(t *testing.T, st *store.Store, rel parley.Release) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := st.WriteReleaseZip(context.Background(), rel, &b); err != nil {
		t.Fatalf("WriteReleaseZip(%s): %v", rel.Name, err)
	}
	return b.Bytes()
}

// csvRows reads a release CSV: its header and rows.
func csvRows(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	r := export.NewRecordReader(bytes.NewReader(data))
	var rows [][]string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatal("a CSV file without a header row")
	}
	return rows[0], rows[1:]
}

func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(specsDir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Data Package profiles not found at %s", specsDir)
	}
	c := jsonschema.NewCompiler()
	// The profiles' patterns are ECMAScript's (with lookaheads), which
	// Go's regexp lacks.
	c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) {
		re, err := regexp2.Compile(s, regexp2.ECMAScript)
		return ecmaRegexp{re}, err
	})
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return sch
}

// descriptor is the part of datapackage.json the tests read.
type descriptor struct {
	Name, Title, Version, Created, Citation string
	Licenses                                []struct{ Name string }
	Resources                               []struct {
		Name, Path, Hash string
		Bytes            int64
		Schema           struct {
			Fields []struct {
				Name, Type, Delimiter string
				Constraints           struct {
					Required bool
					Enum     []string
					Pattern  string
				}
			}
			PrimaryKey  []string
			ForeignKeys []struct {
				Fields    []string
				Reference struct {
					Resource string
					Fields   []string
				}
			}
		}
	}
}

func TestReleaseIsAValidDataPackageWhoseFilesMatchIt(t *testing.T) {
	st, _ := seededStore(t)
	rel := publish(t, st, "v2026.12")
	raw := releaseFile(t, st, rel, "datapackage.json")

	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t, "datapackage.json").Validate(inst); err != nil {
		t.Fatalf("datapackage.json is not a valid Data Package v2:\n%v", err)
	}
	var pkg descriptor
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "parley-v2026.12" || pkg.Version != "v2026.12" || pkg.Title == "" || pkg.Created == "" || len(pkg.Licenses) == 0 {
		t.Errorf("name %q, version %q, title %q, created %q, licenses %v: want the release named throughout", pkg.Name, pkg.Version, pkg.Title, pkg.Created, pkg.Licenses)
	}
	if !strings.Contains(pkg.Citation, "release v2026.12") || !strings.Contains(pkg.Citation, "https://parley.example.org/releases#v2026.12") {
		t.Errorf("citation %q does not name the release and where it is", pkg.Citation)
	}
	var names []string
	rows := map[string][][]string{}
	for _, res := range pkg.Resources {
		names = append(names, res.Name)
		data := releaseFile(t, st, rel, res.Path)
		sum := sha256.Sum256(data)
		if want := "sha256:" + hex.EncodeToString(sum[:]); res.Hash != want || res.Bytes != int64(len(data)) {
			t.Errorf("%s: datapackage.json says %s, %d bytes; the file is %s, %d bytes", res.Path, res.Hash, res.Bytes, want, len(data))
		}
		if !bytes.HasSuffix(data, []byte("\r\n")) || bytes.Count(data, []byte("\r\n")) < 2 {
			t.Errorf("%s: want CRLF line ends and at least one record", res.Path)
		}
		header, rs := csvRows(t, data)
		var fields []string
		for i, f := range res.Schema.Fields {
			fields = append(fields, f.Name)
			var pattern *regexp.Regexp
			if f.Constraints.Pattern != "" {
				pattern = regexp.MustCompile("^(?:" + f.Constraints.Pattern + ")$")
			}
			for _, row := range rs {
				if pattern != nil && !pattern.MatchString(row[i]) {
					t.Errorf("%s: %s %q does not match its pattern %s", res.Path, f.Name, row[i], f.Constraints.Pattern)
				}
				if f.Constraints.Required && row[i] == "" {
					t.Errorf("%s: a row without the required %s: %q", res.Path, f.Name, row)
				}
				if f.Constraints.Enum != nil && !slices.Contains(f.Constraints.Enum, row[i]) {
					t.Errorf("%s: %s %q is not one of %v", res.Path, f.Name, row[i], f.Constraints.Enum)
				}
			}
		}
		if !slices.Equal(header, fields) {
			t.Errorf("%s: header %v, schema fields %v", res.Path, header, fields)
		}
		rows[res.Name] = rs
	}
	if want := []string{"sides", "regions", "actors", "demands", "sources", "statements", "reports", "positions"}; !slices.Equal(names, want) {
		t.Errorf("resources %v, want %v", names, want)
	}
	// Primary keys are unique and foreign keys resolve, in the files.
	col := func(res, field string) int {
		for _, r := range pkg.Resources {
			if r.Name == res {
				for i, f := range r.Schema.Fields {
					if f.Name == field {
						return i
					}
				}
			}
		}
		t.Fatalf("no field %s.%s", res, field)
		return -1
	}
	for _, res := range pkg.Resources {
		keys := map[string]bool{}
		for _, row := range rows[res.Name] {
			var k []string
			for _, f := range res.Schema.PrimaryKey {
				k = append(k, row[col(res.Name, f)])
			}
			if keys[strings.Join(k, "\x00")] {
				t.Errorf("%s: primary key %v twice", res.Name, k)
			}
			keys[strings.Join(k, "\x00")] = true
		}
		for _, fk := range res.Schema.ForeignKeys {
			target := fk.Reference.Resource
			if target == "" {
				target = res.Name
			}
			have := map[string]bool{}
			for _, row := range rows[target] {
				have[row[col(target, fk.Reference.Fields[0])]] = true
			}
			for _, row := range rows[res.Name] {
				if v := row[col(res.Name, fk.Fields[0])]; v != "" && !have[v] {
					t.Errorf("%s.%s = %q names no %s", res.Name, fk.Fields[0], v, target)
				}
			}
		}
	}
	if got := len(rows["statements"]); got < 50 {
		t.Errorf("%d statements in the release, want the seed's", got)
	}
	if !slices.ContainsFunc(rows["positions"], func(r []string) bool { return strings.Contains(r[3], ":") }) {
		t.Error("no position carries its conditions")
	}
	if !slices.ContainsFunc(rows["demands"], func(r []string) bool { return r[6] != "" }) {
		t.Error("no demand names its converse")
	}
	want := "The first release: "
	if got := rel.Changelog.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, " statements") {
		t.Errorf("changelog %q, want it to start %q and count the statements", got, want)
	}
}

type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return ok && err == nil
}

func (r ecmaRegexp) String() string { return r.re.String() }

// normalize turns typed records into what they read back as from JSON.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// releaseRecords reads every resource of rel as typed records, by
// resource and primary key.
func releaseRecords(t *testing.T, st *store.Store, rel parley.Release) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, res := range parley.ReleaseResources {
		_, rows := csvRows(t, releaseFile(t, st, rel, res.Path()))
		m := map[string]any{}
		for _, row := range rows {
			k, _ := json.Marshal(normalize(t, res.Key(row)))
			m[string(k)] = normalize(t, res.Record(row))
		}
		out[res.Name] = m
	}
	return out
}

// applyDelta applies delta.json to records, checking that every change
// starts from what records hold.
func applyDelta(t *testing.T, records map[string]map[string]any, delta []byte) {
	t.Helper()
	var d struct {
		Resources map[string]struct {
			PrimaryKey []string `json:"primaryKey"`
			Added      []map[string]any
			Modified   []struct {
				Key     map[string]any
				Changes map[string]struct{ Before, After any }
			}
			Deleted []map[string]any
		}
	}
	if err := json.Unmarshal(delta, &d); err != nil {
		t.Fatalf("delta.json: %v", err)
	}
	if len(d.Resources) != len(parley.ReleaseResources) {
		t.Errorf("delta.json has %d resources, want %d", len(d.Resources), len(parley.ReleaseResources))
	}
	keyOf := func(pk []string, rec map[string]any) string {
		k := map[string]any{}
		for _, f := range pk {
			k[f] = rec[f]
		}
		b, _ := json.Marshal(k)
		return string(b)
	}
	for name, rd := range d.Resources {
		m := records[name]
		for _, rec := range rd.Deleted {
			k := keyOf(rd.PrimaryKey, rec)
			if diff := cmp.Diff(m[k], any(rec)); diff != "" {
				t.Errorf("%s: deleted %s is not the record as it was (-was +delta):\n%s", name, k, diff)
			}
			delete(m, k)
		}
		for _, mod := range rd.Modified {
			b, _ := json.Marshal(mod.Key)
			rec, ok := m[string(b)].(map[string]any)
			if !ok {
				t.Errorf("%s: modified %s was not in the release before", name, b)
				continue
			}
			for f, c := range mod.Changes {
				if diff := cmp.Diff(rec[f], c.Before); diff != "" {
					t.Errorf("%s %s: %s before is not what the release held:\n%s", name, b, f, diff)
				}
				rec[f] = c.After
			}
		}
		for _, rec := range rd.Added {
			k := keyOf(rd.PrimaryKey, rec)
			if _, ok := m[k]; ok {
				t.Errorf("%s: added %s was there already", name, k)
			}
			m[k] = any(rec)
		}
	}
}

func TestReleaseDeltaAppliedToPreviousGivesNext(t *testing.T) {
	ctx := context.Background()
	st, pool := seededStore(t)
	// Enough sources that text order of their ids (10 before 9) is not
	// number order.
	if _, err := pool.Exec(ctx, `INSERT INTO sources (outlet) SELECT 'Outlet ' || i FROM generate_series(1, 12) i`); err != nil {
		t.Fatal(err)
	}
	v1 := publish(t, st, "v1")
	by := parley.Editor{}

	var ru, ua string
	for side, slug := range map[string]*string{"russia": &ru, "ukraine": &ua} {
		if err := pool.QueryRow(ctx, `SELECT slug FROM actors WHERE side = $1 AND kind = 'person' ORDER BY slug LIMIT 1`, side).Scan(slug); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateDemand(ctx, by, parley.DemandInput{Slug: "test-talks-venue", Title: "Talks in a neutral venue", Side: "russia", Category: "process"}); err != nil {
		t.Fatal(err)
	}
	day := mustDate(t, "2025-05-02")
	for _, in := range []parley.StatementInput{
		{Actor: ru, Date: day, Summary: "Insists on a neutral venue", Attribution: parley.OnRecord, Regions: []string{"donetsk"},
			Quote:     "=1+1, \"quoted\"\r\nand a second line",
			Positions: []parley.PositionInput{{Demand: "test-talks-venue", Stance: parley.Insists}}},
		{Actor: ua, Date: day, Summary: "Rejects a neutral venue", Attribution: parley.OnRecord,
			Positions: []parley.PositionInput{{Demand: "test-talks-venue", Stance: parley.Rejects}}},
	} {
		if _, err := st.CreateStatement(ctx, by, in); err != nil {
			t.Fatal(err)
		}
	}
	var edited, deleted int64
	if err := pool.QueryRow(ctx, `SELECT min(id), max(id) FROM statements WHERE seed_key IS NOT NULL`).Scan(&edited, &deleted); err != nil {
		t.Fatal(err)
	}
	s, err := st.GetStatement(ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	in := parley.InputOf(s)
	in.Summary = "A corrected summary"
	if _, err := st.UpdateStatement(ctx, by, edited, s.Version, in); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteStatement(ctx, by, deleted); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE regions SET name = name || ' Oblast', kind = 'other', version = version + 1 WHERE slug = 'kherson'`); err != nil {
		t.Fatal(err)
	}
	v2 := publish(t, st, "v2")

	// Cells are data, byte for byte: no formula neutralising.
	_, rows := csvRows(t, releaseFile(t, st, v2, "statements.csv"))
	i := slices.IndexFunc(rows, func(r []string) bool { return r[6] == "Insists on a neutral venue" })
	if i < 0 || rows[i][5] != "=1+1, \"quoted\"\nand a second line" || rows[i][8] != "donetsk" {
		t.Errorf("the new statement's row in v2: %q", rows[max(i, 0)])
	}

	records := releaseRecords(t, st, v1)
	applyDelta(t, records, releaseFile(t, st, v2, "delta.json"))
	if diff := cmp.Diff(releaseRecords(t, st, v2), records); diff != "" {
		t.Errorf("v1's records with v2's delta applied differ from v2's (-v2 +v1 with delta):\n%s", diff)
	}

	got := v2.Changelog.Sentences()
	for _, want := range []string{"2 statements added, 1 corrected, 1 withdrawn", "1 demand added", "1 region changed",
		"the gap on Talks in a neutral venue not measurable → 4"} {
		if !slices.Contains(got, want) {
			t.Errorf("changelog %q lacks %q", got, want)
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, " positions changed") }) {
		t.Errorf("changelog %q does not count the positions changed", got)
	}
	if v2.Previous != "v1" {
		t.Errorf("v2's previous release is %q, want v1", v2.Previous)
	}
	// The first release's delta adds every record: applied to nothing it
	// gives v1.
	empty := map[string]map[string]any{}
	for _, res := range parley.ReleaseResources {
		empty[res.Name] = map[string]any{}
	}
	applyDelta(t, empty, releaseFile(t, st, v1, "delta.json"))
	if diff := cmp.Diff(releaseRecords(t, st, v1), empty); diff != "" {
		t.Errorf("v1's delta applied to nothing differs from v1:\n%s", diff)
	}
}

func TestReleaseNeverChanges(t *testing.T) {
	ctx := context.Background()
	st, pool := seededStore(t)
	v1 := publish(t, st, "v1")
	before := map[string][]byte{}
	for _, f := range v1.Files {
		before[f.Path] = releaseFile(t, st, v1, f.Path)
	}
	zipBefore := releaseZip(t, st, v1)

	// Later edits and deletes of the records, and a later release.
	var id int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM statements`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteStatement(ctx, parley.Editor{}, id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE actors SET name = name || ' (renamed)', version = version + 1`); err != nil {
		t.Fatal(err)
	}
	publish(t, st, "v2")
	// Nor can anyone change the stored release behind Parley's back.
	for _, sql := range []string{
		`UPDATE releases SET notes = 'changed'`,
		`DELETE FROM releases`,
		`UPDATE release_files SET sha256 = repeat('0', 64)`,
		`DELETE FROM release_chunks`,
		`UPDATE release_chunks SET data = ''`,
		`TRUNCATE release_chunks`,
	} {
		if _, err := pool.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "releases never change") {
			t.Errorf("%s: err = %v, want it refused", sql, err)
		}
	}

	again, err := st.GetRelease(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v1, again); diff != "" {
		t.Errorf("v1's record changed (-published +now):\n%s", diff)
	}
	for _, f := range again.Files {
		if got := releaseFile(t, st, again, f.Path); !bytes.Equal(got, before[f.Path]) {
			t.Errorf("%s of v1 changed after later edits", f.Path)
		}
		sum := sha256.Sum256(before[f.Path])
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(before[f.Path])) != f.Bytes {
			t.Errorf("%s: stored hash or size does not match the file", f.Path)
		}
	}
	if got := releaseZip(t, st, again); !bytes.Equal(got, zipBefore) {
		t.Error("v1's zip changed after later edits")
	}
	// The zip holds the package: datapackage.json and the CSV files, each
	// the same bytes as its own download.
	zr, err := zip.NewReader(bytes.NewReader(zipBefore), int64(len(zipBefore)))
	if err != nil {
		t.Fatalf("the zip does not open: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !bytes.Equal(data, before[strings.TrimPrefix(f.Name, "parley-v1/")]) {
			t.Errorf("%s in the zip differs from its download", f.Name)
		}
	}
	want := []string{"parley-v1/datapackage.json"}
	for _, res := range parley.ReleaseResources {
		want = append(want, "parley-v1/"+res.Path())
	}
	if !slices.Equal(names, want) {
		t.Errorf("zip members %v, want %v", names, want)
	}
}

func TestReleaseNameIsASlugUsedOnce(t *testing.T) {
	ctx := context.Background()
	st, pool := seededStore(t)
	publish(t, st, "v2026.12")
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM releases) + (SELECT count(*) FROM release_files)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stored := count()
	for _, name := range []string{"", "V1", "v1 beta", "v1/../x", "-v1", "v1.", "v..1", strings.Repeat("a", 101)} {
		_, err := st.PublishRelease(ctx, parley.ReleaseInput{Name: name}, "")
		var ve *parley.ValidationError
		if !errors.As(err, &ve) || ve.Fields["name"] == "" {
			t.Errorf("PublishRelease(%q) = %v, want a message on the name", name, err)
		}
	}
	if _, err := st.PublishRelease(ctx, parley.ReleaseInput{Name: "v2026.12"}, ""); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("publishing v2026.12 twice: %v, want ErrConflict", err)
	}
	if got := count(); got != stored {
		t.Errorf("refused releases stored something: %d rows, want %d", got, stored)
	}
}
