package store_test

import (
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
