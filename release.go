package parley

import (
	"regexp"
	"strings"
	"time"
)

// Release is a named, immutable snapshot of every vetted record, published
// as a Frictionless Data Package with a changelog and a delta from the
// release before it.
type Release struct {
	ID        int64
	Name      string // a slug; dots are allowed too, for version numbers (v2026.12)
	Title     string
	Notes     string
	Previous  string // the release before it, or ""
	CreatedAt time.Time
	CreatedBy string // the publisher's email, or "" from the command line
	Changelog Changelog
	Files     []ReleaseFile
}

// ReleaseFile is one stored file of a release.
type ReleaseFile struct {
	Path   string // datapackage.json, statements.csv, …, delta.json
	SHA256 string // hex
	Bytes  int64
}

// ReleaseInput is what an admin gives to publish a release.
type ReleaseInput struct {
	Name  string
	Notes string
	By    string // the publisher's email; "" for the command line
}

var releaseNameRE = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*$`)

// Validate checks the name is a slug (lowercase letters and digits joined
// by hyphens or dots, as in v2026.12) and the notes are text.
func (in ReleaseInput) Validate() error {
	p := Problems{}
	if !releaseNameRE.MatchString(in.Name) || len(in.Name) > 100 {
		p.Add("name", "Use lowercase letters and digits joined by hyphens or dots, for example v2026.12 (at most 100 characters).")
	}
	if len(in.Notes) > 5000 {
		p.Add("notes", "Keep the notes under 5,000 characters.")
	}
	p.CheckText(map[string]string{"name": in.Name, "notes": in.Notes})
	return p.Err()
}

// ReleaseFileNames lists a release's files in the order pages offer them:
// the package descriptor, one CSV per resource, the delta.
func ReleaseFileNames() []string {
	out := []string{"datapackage.json"}
	for _, r := range ReleaseResources {
		out = append(out, r.Path())
	}
	return append(out, "delta.json")
}

// ReleasePath is the address of a release's file.
func ReleasePath(name, file string) string { return "/releases/" + name + "/" + file }

// ReleaseZipPath is the address of a release's package as one zip file.
func ReleaseZipPath(name string) string { return "/releases/" + name + ".zip" }

// Citation is how to cite the release (also in its datapackage.json).
func (r Release) Citation(site string) string {
	c := "Parley: negotiation positions in the Russia–Ukraine war, release " + r.Name +
		" (" + r.CreatedAt.UTC().Format("2 January 2006") + ")."
	if site != "" {
		c += " " + strings.TrimRight(site, "/") + "/releases#" + r.Name
	}
	return c
}

// ReleaseTitle titles a release for pages and its datapackage.json.
func ReleaseTitle(name string) string { return "Parley release " + name }
