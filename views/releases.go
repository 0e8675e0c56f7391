package views

import (
	"fmt"
	"parley"
)

// ReleaseView is a release as the pages show it.
type ReleaseView struct {
	Name, Created, CreatedBy, Notes, Previous string
	Changelog                                 []string
	Files                                     []ReleaseFileView
	Zip, Delta, Package                       string
	Citation                                  string
}

// ReleaseFileView is one downloadable file of a release.
type ReleaseFileView struct {
	Name, Href, Size, SHA256 string
}

// AdminReleasesData is the publish form with the releases so far.
type AdminReleasesData struct {
	Form     SimpleForm
	Releases []ReleaseView
}

// NewReleases makes the view of rels; site is the public address the
// citations name.
func NewReleases(rels []parley.Release, site string) []ReleaseView {
	out := make([]ReleaseView, len(rels))
	for i, r := range rels {
		v := ReleaseView{Name: r.Name, Created: r.CreatedAt.UTC().Format("2 January 2006, 15:04 UTC"), CreatedBy: r.CreatedBy,
			Notes: r.Notes, Previous: r.Previous, Changelog: r.Changelog.Sentences(),
			Zip: parley.ReleaseZipPath(r.Name), Delta: parley.ReleasePath(r.Name, "delta.json"),
			Package: parley.ReleasePath(r.Name, "datapackage.json"), Citation: r.Citation(site)}
		for _, f := range r.Files {
			v.Files = append(v.Files, ReleaseFileView{Name: f.Path, Href: parley.ReleasePath(r.Name, f.Path), Size: byteSize(f.Bytes), SHA256: f.SHA256})
		}
		out[i] = v
	}
	return out
}

// byteSize is a file size in words people read: 812 bytes, 3.4 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}
