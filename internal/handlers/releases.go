package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"parley"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"parley/views"
)

type releasesStore interface {
	ListReleases(ctx context.Context) ([]parley.Release, error)
	GetRelease(ctx context.Context, name string) (parley.Release, error)
	WriteReleaseFile(ctx context.Context, rel parley.Release, path string, w io.Writer) error
	WriteReleaseZip(ctx context.Context, rel parley.Release, w io.Writer) error
}

type releasePublisher interface {
	releasesStore
	PublishRelease(ctx context.Context, in parley.ReleaseInput, site string) (parley.Release, error)
}

// publishTime bounds building a release over HTTP: at a million statements
// it takes under a minute, far beyond a page's deadline.
const publishTime = 15 * time.Minute

// handleReleasesIndex lists the releases, newest first, with their
// changelogs, files and how to cite them.
func handleReleasesIndex(site siteURL, st releasesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rels, err := st.ListReleases(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, views.ReleasesPage(page(r, "Releases"), views.NewReleases(rels, site(r))))
	}
}

func releaseForm(v, errs map[string]string) views.SimpleForm {
	return views.SimpleForm{Action: "/admin/releases", Submit: "Publish release", Errors: errs, Fields: []views.FormField{
		text("name", "Name", v, errs, "Lowercase letters and digits joined by hyphens or dots, e.g. v2026.12. A release never changes, so a name is used once.",
			map[string]any{"required": true, "maxlength": "100", "pattern": `[a-z0-9]+([.\-][a-z0-9]+)*`}),
		{Field: views.Field{Name: "notes", Label: "Notes (optional)", Value: v["notes"], Error: errs["notes"], Hint: "What this release is for; shown with its changelog."}, Kind: "textarea"},
	}}
}

func showAdminReleases(w http.ResponseWriter, r *http.Request, site siteURL, st releasesStore, status int, f views.SimpleForm) error {
	rels, err := st.ListReleases(r.Context())
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, views.AdminReleasesPage(page(r, "Publish a release"), views.AdminReleasesData{Form: f, Releases: views.NewReleases(rels, site(r))}))
}

// handleAdminReleases shows the form to publish a release.
func handleAdminReleases(site siteURL, st releasesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return showAdminReleases(w, r, site, st, http.StatusOK, releaseForm(map[string]string{}, map[string]string{}))
	}
}

// handleReleaseCreate publishes a release of every vetted record.
func handleReleaseCreate(log *slog.Logger, site siteURL, sm *scs.SessionManager, st releasePublisher) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		v := map[string]string{"name": strings.TrimSpace(r.PostForm.Get("name")), "notes": parley.CleanText(r.PostForm.Get("notes"))}
		// The page deadline does not apply here (see deadline); this one does.
		ctx, cancel := context.WithTimeout(r.Context(), publishTime)
		defer cancel()
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(publishTime + time.Minute))
		start := time.Now()
		rel, err := st.PublishRelease(ctx, parley.ReleaseInput{Name: v["name"], Notes: v["notes"], By: editor(r).Email}, site(r))
		errs := map[string]string{}
		if fe, ok := validationFields(err); ok {
			errs = fe
		} else if errors.Is(err, parley.ErrConflict) {
			errs["name"] = "A release called " + v["name"] + " exists already, and releases never change: choose another name."
		} else if err != nil {
			return err
		}
		if len(errs) > 0 {
			return showAdminReleases(w, r, site, st, http.StatusUnprocessableEntity, releaseForm(v, errs))
		}
		log.InfoContext(r.Context(), "release published", "name", rel.Name, "by", editor(r).Email, "took", time.Since(start).Round(time.Millisecond))
		setFlash(sm, r, "Published release "+rel.Name+".", "")
		http.Redirect(w, r, "/releases#"+rel.Name, http.StatusSeeOther)
		return nil
	}
}

// handleReleaseFile serves one stored file of a release
// (/releases/{name}/{file}), byte for byte as published.
func handleReleaseFile(x exportLimits, st releasesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		file := chi.URLParam(r, "file")
		if !slices.Contains(parley.ReleaseFileNames(), file) {
			return parley.ErrNotFound
		}
		rel, err := st.GetRelease(r.Context(), chi.URLParam(r, "name"))
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rel.Files, func(f parley.ReleaseFile) bool { return f.Path == file })
		if i < 0 {
			return parley.ErrNotFound
		}
		f := rel.Files[i]
		h := w.Header()
		if strings.HasSuffix(file, ".csv") {
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="parley-`+rel.Name+"-"+file+`"`)
		} else {
			h.Set("Content-Type", "application/json")
		}
		h.Set("Content-Length", strconv.FormatInt(f.Bytes, 10))
		h.Set("ETag", `"sha256:`+f.SHA256+`"`)
		return streamRelease(w, r, newExportPace(w, x.grace, x.minRate), func(out io.Writer) error {
			return st.WriteReleaseFile(r.Context(), rel, file, out)
		})
	}
}

// handleReleaseZip serves /releases/{name}.zip: the package as one file.
func handleReleaseZip(x exportLimits, st releasesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, ok := strings.CutSuffix(chi.URLParam(r, "file"), ".zip")
		if !ok {
			return parley.ErrNotFound
		}
		rel, err := st.GetRelease(r.Context(), name)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", `attachment; filename="parley-`+rel.Name+`.zip"`)
		return streamRelease(w, r, newExportPace(w, x.grace, x.minRate), func(out io.Writer) error {
			return st.WriteReleaseZip(r.Context(), rel, out)
		})
	}
}

// streamRelease writes a download; once bytes have gone out a failure
// aborts the connection, so the file visibly fails instead of ending short.
func streamRelease(w http.ResponseWriter, r *http.Request, out *exportPace, write func(io.Writer) error) error {
	err := write(paced{out})
	if err != nil && out.started {
		panic(http.ErrAbortHandler)
	}
	if err != nil { // nothing sent: the error page goes out instead of the file
		for _, k := range []string{"Content-Length", "Content-Disposition", "ETag"} {
			w.Header().Del(k)
		}
	}
	if err == nil {
		err = out.Flush()
	}
	return err
}

// paced flushes the pace's deadline forward with every write.
type paced struct{ p *exportPace }

func (p paced) Write(b []byte) (int, error) {
	n, err := p.p.Write(b)
	if err == nil {
		p.p.extend()
	}
	return n, err
}
