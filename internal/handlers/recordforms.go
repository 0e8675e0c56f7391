package handlers

import (
	"context"
	"errors"
	"net/http"
	"parley"
	"slices"
	"strconv"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"parley/views"
)

// recordForm is one editable record type's form: its fields, how to read
// them, and how to save.
type recordForm struct {
	kind   parley.Kind
	fields func(ctx context.Context, v map[string]string, errs map[string]string, editing bool) ([]views.FormField, error)
	load   func(ctx context.Context, key string) (values map[string]string, version int, err error)
	create func(ctx context.Context, by parley.Editor, v map[string]string) (key string, err error)
	update func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error
	// conflict summarises the other editor's version in a conflict error,
	// for the conflict page.
	conflict func(err error) ([]views.KV, bool)
	names    []string // form field names
	multi    []string // names that take several values (joined by "\n")
}

func (rf recordForm) read(r *http.Request) (map[string]string, int, error) {
	if err := parseForm(r); err != nil {
		return nil, 0, err
	}
	v := map[string]string{}
	for _, n := range rf.names {
		if slices.Contains(rf.multi, n) {
			v[n] = strings.Join(r.PostForm[n], "\n")
		} else {
			v[n] = strings.TrimSpace(r.PostForm.Get(n))
		}
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	return v, version, nil
}

func (rf recordForm) show(w http.ResponseWriter, r *http.Request, status int, f views.SimpleForm, v map[string]string, editing bool) error {
	fields, err := rf.fields(r.Context(), v, f.Errors, editing)
	if err != nil {
		return err
	}
	f.Fields = fields
	return renderStatus(w, r, status, views.SimpleFormPage(page(r, f.Heading), f))
}

func validationFields(err error) (map[string]string, bool) {
	var ve *parley.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields, true
	}
	return nil, false
}

// handleRecordNew shows an empty form.
func handleRecordNew(rf recordForm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := views.SimpleForm{Action: rf.kind.Index() + "/new", Heading: "New " + string(rf.kind), Submit: "Save " + string(rf.kind), Errors: map[string]string{}}
		return rf.show(w, r, http.StatusOK, f, map[string]string{}, false)
	}
}

// handleRecordCreate saves a new record, or shows the form again (422)
// with what was typed and what is wrong.
func handleRecordCreate(sm *scs.SessionManager, rf recordForm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, _, err := rf.read(r)
		if err != nil {
			return err
		}
		f := views.SimpleForm{Action: rf.kind.Index() + "/new", Heading: "New " + string(rf.kind), Submit: "Save " + string(rf.kind), Errors: map[string]string{}}
		key, err := rf.create(r.Context(), editor(r), v)
		if errors.Is(err, parley.ErrConflict) {
			f.Errors["slug"] = "That slug is taken. Choose another."
			return rf.show(w, r, http.StatusUnprocessableEntity, f, v, false)
		}
		if fe, ok := validationFields(err); ok {
			f.Errors = fe
			return rf.show(w, r, http.StatusUnprocessableEntity, f, v, false)
		}
		if err != nil {
			return err
		}
		setFlash(sm, r, "Saved the new "+string(rf.kind)+".", "")
		http.Redirect(w, r, rf.kind.Path(key), http.StatusSeeOther)
		return nil
	}
}

// handleRecordEdit shows the form filled with the stored record.
func handleRecordEdit(rf recordForm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := chi.URLParam(r, rf.kind.Param())
		v, version, err := rf.load(r.Context(), key)
		if err != nil {
			return err
		}
		f := views.SimpleForm{Action: rf.kind.Path(key) + "/edit", Heading: "Edit " + string(rf.kind), Submit: "Save changes", Version: version, Errors: map[string]string{}}
		return rf.show(w, r, http.StatusOK, f, v, true)
	}
}

// handleRecordUpdate saves an edit; a newer version saved meanwhile gets
// the conflict page with both versions.
func handleRecordUpdate(sm *scs.SessionManager, rf recordForm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := chi.URLParam(r, rf.kind.Param())
		v, version, err := rf.read(r)
		if err != nil {
			return err
		}
		f := views.SimpleForm{Action: rf.kind.Path(key) + "/edit", Heading: "Edit " + string(rf.kind), Submit: "Save changes", Version: version, Errors: map[string]string{}}
		if version < 1 {
			f.Errors["form"] = "This form is missing its version. Reload the page and make the change again."
			return rf.show(w, r, http.StatusUnprocessableEntity, f, v, true)
		}
		err = rf.update(r.Context(), editor(r), key, version, v)
		if current, ok := rf.conflict(err); ok {
			f.Conflict = current
			_, f.ConflictVersion, _ = rf.load(r.Context(), key)
			f.Version = f.ConflictVersion
			return rf.show(w, r, http.StatusConflict, f, v, true)
		}
		if fe, ok := validationFields(err); ok {
			f.Errors = fe
			return rf.show(w, r, http.StatusUnprocessableEntity, f, v, true)
		}
		if err != nil {
			return err
		}
		setFlash(sm, r, "Changes saved.", "")
		http.Redirect(w, r, rf.kind.Path(key), http.StatusSeeOther)
		return nil
	}
}

func opts[T ~string](values []T, label func(T) string) []views.Option {
	out := make([]views.Option, len(values))
	for i, v := range values {
		out[i] = views.Option{Value: string(v), Label: label(v)}
	}
	return out
}

func ident[T ~string](s T) string { return string(s) }

// list joins values with sep, for messages that name them.
func list[T ~string](values []T, sep string) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, sep)
}

func text(name, label string, v, errs map[string]string, hint string, attrs map[string]any) views.FormField {
	return views.FormField{Field: views.Field{Name: name, Label: label, Value: v[name], Error: errs[name], Hint: hint}, Kind: "text", Attrs: attrs}
}

func slugField(v, errs map[string]string, editing bool, example string) views.FormField {
	if editing {
		return views.FormField{Field: views.Field{Name: "slug", Label: "Slug", Value: v["slug"], Hint: "Slugs are stable once published, so links keep working."}, Kind: "readonly"}
	}
	return text("slug", "Slug", v, errs, "Lowercase words joined by hyphens, e.g. "+example+"; it never changes later.", map[string]any{"required": true, "maxlength": "100"})
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// recordForms defines the forms of actors, demands, regions and sources.
// recordFormsStore is what the record forms read and write.
type recordFormsStore interface {
	ListRegions(ctx context.Context) ([]parley.Region, error)
	GetRegion(ctx context.Context, slug string) (parley.Region, error)
	CreateRegion(ctx context.Context, by parley.Editor, in parley.RegionInput) (parley.Region, error)
	UpdateRegion(ctx context.Context, by parley.Editor, slug string, version int, in parley.RegionInput) (parley.Region, error)
	ListActors(ctx context.Context) ([]parley.Actor, error)
	GetActor(ctx context.Context, slug string) (parley.Actor, error)
	CreateActor(ctx context.Context, by parley.Editor, in parley.ActorInput) (parley.Actor, error)
	UpdateActor(ctx context.Context, by parley.Editor, slug string, version int, in parley.ActorInput) (parley.Actor, error)
	GetDemand(ctx context.Context, slug string) (parley.Demand, error)
	CreateDemand(ctx context.Context, by parley.Editor, in parley.DemandInput) (parley.Demand, error)
	UpdateDemand(ctx context.Context, by parley.Editor, slug string, version int, in parley.DemandInput) (parley.Demand, error)
	GetSource(ctx context.Context, id int64) (parley.Source, error)
	CreateSource(ctx context.Context, by parley.Editor, in parley.SourceInput) (parley.Source, error)
	UpdateSource(ctx context.Context, by parley.Editor, id int64, version int, in parley.SourceInput) (parley.Source, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
	GetSide(ctx context.Context, slug string) (parley.Side, error)
	CreateSide(ctx context.Context, by parley.Editor, in parley.SideInput) (parley.Side, error)
	UpdateSide(ctx context.Context, by parley.Editor, slug string, version int, in parley.SideInput) (parley.Side, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
}

func recordForms(st recordFormsStore) map[parley.Kind]recordForm {
	regionOptions := func(ctx context.Context) ([]views.Option, error) {
		regions, err := st.ListRegions(ctx)
		var out []views.Option
		for _, r := range regions {
			out = append(out, views.Option{Value: r.Slug, Label: r.Name})
		}
		return out, err
	}
	return map[parley.Kind]recordForm{
		parley.KindRegion: {
			kind: parley.KindRegion, names: []string{"slug", "name", "country", "kind"},
			fields: func(ctx context.Context, v, errs map[string]string, editing bool) ([]views.FormField, error) {
				return []views.FormField{
					slugField(v, errs, editing, "kharkiv"),
					text("name", "Name", v, errs, "", map[string]any{"required": true, "maxlength": "200"}),
					text("country", "Country", v, errs, "", map[string]any{"required": true, "maxlength": "100"}),
					{Field: views.Field{Name: "kind", Label: "Kind", Value: v["kind"], Error: errs["kind"]}, Kind: "select", Options: opts(parley.RegionKinds, ident[parley.RegionKind]), Blank: "Choose"},
				}, nil
			},
			load: func(ctx context.Context, key string) (map[string]string, int, error) {
				x, err := st.GetRegion(ctx, key)
				return map[string]string{"slug": x.Slug, "name": x.Name, "country": x.Country, "kind": string(x.Kind)}, x.Version, err
			},
			create: func(ctx context.Context, by parley.Editor, v map[string]string) (string, error) {
				x, err := st.CreateRegion(ctx, by, parley.RegionInput{Slug: v["slug"], Name: v["name"], Country: v["country"], Kind: parley.RegionKind(v["kind"])})
				return x.Slug, err
			},
			update: func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error {
				_, err := st.UpdateRegion(ctx, by, key, version, parley.RegionInput{Name: v["name"], Country: v["country"], Kind: parley.RegionKind(v["kind"])})
				return err
			},
			conflict: conflictWith(func(x parley.Region) []views.KV {
				return []views.KV{kv("Name", x.Name), kv("Country", x.Country), kv("Kind", string(x.Kind))}
			}),
		},
		parley.KindActor: {
			kind: parley.KindActor, names: []string{"slug", "name", "aliases", "kind", "side", "role", "parent"},
			fields: func(ctx context.Context, v, errs map[string]string, editing bool) ([]views.FormField, error) {
				actors, err := st.ListActors(ctx)
				if err != nil {
					return nil, err
				}
				sides, err := st.ListSides(ctx)
				var parents []views.Option
				for _, a := range actors {
					if a.Slug != v["slug"] {
						parents = append(parents, views.Option{Value: a.Slug, Label: a.Name})
					}
				}
				return []views.FormField{
					slugField(v, errs, editing, "vladimir-putin"),
					text("name", "Canonical name", v, errs, "", map[string]any{"required": true, "maxlength": "200"}),
					{Field: views.Field{Name: "aliases", Label: "Other spellings (one per line)", Value: v["aliases"], Error: errs["aliases"], Hint: "Transliterations and short forms that search should find, e.g. Peskow."}, Kind: "textarea"},
					{Field: views.Field{Name: "kind", Label: "Kind", Value: v["kind"], Error: errs["kind"]}, Kind: "select", Options: opts(parley.ActorKinds, ident[parley.ActorKind]), Blank: "Choose"},
					sideField(sides, v, errs, "Side"),
					text("role", "Role or title", v, errs, "", map[string]any{"maxlength": "300"}),
					{Field: views.Field{Name: "parent", Label: "Part of", Value: v["parent"], Error: errs["parent"]}, Kind: "select", Options: parents, Blank: "Nothing"},
				}, err
			},
			load: func(ctx context.Context, key string) (map[string]string, int, error) {
				x, err := st.GetActor(ctx, key)
				return map[string]string{"slug": x.Slug, "name": x.Name, "aliases": strings.Join(x.Aliases, "\n"), "kind": string(x.Kind),
					"side": x.Side, "role": x.Role, "parent": x.ParentSlug}, x.Version, err
			},
			create: func(ctx context.Context, by parley.Editor, v map[string]string) (string, error) {
				x, err := st.CreateActor(ctx, by, parley.ActorInput{Slug: v["slug"], Name: v["name"], Aliases: splitLines(v["aliases"]),
					Kind: parley.ActorKind(v["kind"]), Side: v["side"], Role: v["role"], Parent: v["parent"]})
				return x.Slug, err
			},
			update: func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error {
				_, err := st.UpdateActor(ctx, by, key, version, parley.ActorInput{Name: v["name"], Aliases: splitLines(v["aliases"]),
					Kind: parley.ActorKind(v["kind"]), Side: v["side"], Role: v["role"], Parent: v["parent"]})
				return err
			},
			conflict: conflictWith(func(x parley.Actor) []views.KV {
				return []views.KV{kv("Name", x.Name), kv("Other spellings", strings.Join(x.Aliases, ", ")), kv("Kind", string(x.Kind)),
					kv("Side", x.Side), kv("Role", x.Role), kv("Part of", x.ParentName)}
			}),
		},
		parley.KindDemand: {
			kind: parley.KindDemand, names: []string{"slug", "title", "description", "side", "category", "regions", "converse", "keywords"}, multi: []string{"regions"},
			fields: func(ctx context.Context, v, errs map[string]string, editing bool) ([]views.FormField, error) {
				regions, err := regionOptions(ctx)
				if err != nil {
					return nil, err
				}
				sides, err := st.ListSides(ctx)
				if err != nil {
					return nil, err
				}
				demands, err := st.ListDemands(ctx)
				var others []views.Option
				for _, d := range demands {
					if d.Slug != v["slug"] && (d.Converse == "" || d.Converse == v["slug"]) {
						others = append(others, views.Option{Value: d.Slug, Label: d.Title})
					}
				}
				checked := map[string]bool{}
				for _, r := range splitLines(v["regions"]) {
					checked[r] = true
				}
				return []views.FormField{
					slugField(v, errs, editing, "ukraine-neutrality"),
					text("title", "Title", v, errs, "", map[string]any{"required": true, "maxlength": "300"}),
					{Field: views.Field{Name: "description", Label: "What it means", Value: v["description"], Error: errs["description"]}, Kind: "textarea"},
					sideField(sides, v, errs, "Raised by (side)"),
					{Field: views.Field{Name: "category", Label: "Category", Value: v["category"], Error: errs["category"]}, Kind: "select", Options: opts(parley.Categories, views.CategoryLabel), Blank: "Choose"},
					{Field: views.Field{Name: "regions", Label: "Regions it concerns", Error: errs["regions"]}, Kind: "checks", Options: regions, Checked: checked},
					{Field: views.Field{Name: "converse", Label: "Converse (the demand that says the opposite)", Value: v["converse"], Error: errs["converse"],
						Hint: "A stance on one reads as the mirrored stance on the other (insists ⟷ rejects), e.g. Ukraine's neutrality ⟷ its NATO membership."},
						Kind: "select", Options: others, Blank: "None"},
					{Field: views.Field{Name: "keywords", Label: "Keywords (one per line)", Value: v["keywords"], Error: errs["keywords"],
						Hint: "Words and phrases by which the intake assistant recognises this demand in an article besides its title, e.g. NATO, neutral, non-aligned."},
						Kind: "textarea"},
				}, err
			},
			load: func(ctx context.Context, key string) (map[string]string, int, error) {
				x, err := st.GetDemand(ctx, key)
				return map[string]string{"slug": x.Slug, "title": x.Title, "description": x.Description, "side": x.Side,
					"category": string(x.Category), "regions": strings.Join(x.Regions, "\n"), "converse": x.Converse,
					"keywords": strings.Join(x.Keywords, "\n")}, x.Version, err
			},
			create: func(ctx context.Context, by parley.Editor, v map[string]string) (string, error) {
				x, err := st.CreateDemand(ctx, by, parley.DemandInput{Slug: v["slug"], Title: v["title"], Description: v["description"],
					Side: v["side"], Category: parley.Category(v["category"]), Regions: splitLines(v["regions"]), Converse: v["converse"],
					Keywords: splitLines(v["keywords"])})
				return x.Slug, err
			},
			update: func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error {
				_, err := st.UpdateDemand(ctx, by, key, version, parley.DemandInput{Title: v["title"], Description: v["description"],
					Side: v["side"], Category: parley.Category(v["category"]), Regions: splitLines(v["regions"]), Converse: v["converse"],
					Keywords: splitLines(v["keywords"])})
				return err
			},
			conflict: conflictWith(func(x parley.Demand) []views.KV {
				return []views.KV{kv("Title", x.Title), kv("What it means", x.Description), kv("Raised by", x.Side),
					kv("Category", string(x.Category)), kv("Regions", strings.Join(x.Regions, ", ")), kv("Converse", x.ConverseTitle),
					kv("Keywords", strings.Join(x.Keywords, ", "))}
			}),
		},
		parley.KindSide: {
			kind: parley.KindSide, names: []string{"slug", "name", "role"},
			fields: func(ctx context.Context, v, errs map[string]string, editing bool) ([]views.FormField, error) {
				return []views.FormField{
					slugField(v, errs, editing, "united-states"),
					text("name", "Name", v, errs, "", map[string]any{"required": true, "maxlength": "200"}),
					{Field: views.Field{Name: "role", Label: "Role", Value: v["role"], Error: errs["role"],
						Hint: "Parties are at the table (the gap is measured between them); stakeholders have a say (shown beside the gap); observers only comment (never counted)."},
						Kind: "select", Options: opts(parley.SideRoles, ident[parley.SideRole]), Blank: "Choose"},
				}, nil
			},
			load: func(ctx context.Context, key string) (map[string]string, int, error) {
				x, err := st.GetSide(ctx, key)
				return map[string]string{"slug": x.Slug, "name": x.Name, "role": string(x.Role)}, x.Version, err
			},
			create: func(ctx context.Context, by parley.Editor, v map[string]string) (string, error) {
				x, err := st.CreateSide(ctx, by, parley.SideInput{Slug: v["slug"], Name: v["name"], Role: parley.SideRole(v["role"])})
				return x.Slug, err
			},
			update: func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error {
				_, err := st.UpdateSide(ctx, by, key, version, parley.SideInput{Name: v["name"], Role: parley.SideRole(v["role"])})
				return err
			},
			conflict: conflictWith(func(x parley.Side) []views.KV {
				return []views.KV{kv("Name", x.Name), kv("Role", string(x.Role))}
			}),
		},
		parley.KindSource: {
			kind: parley.KindSource, names: []string{"outlet", "title", "url", "published", "via"},
			fields: func(ctx context.Context, v, errs map[string]string, editing bool) ([]views.FormField, error) {
				return []views.FormField{
					text("outlet", "Outlet", v, errs, "", map[string]any{"required": true, "maxlength": "200"}),
					text("title", "Headline", v, errs, "", map[string]any{"maxlength": "500"}),
					text("url", "Web address", v, errs, "http:// or https:// only", map[string]any{"type": "url", "maxlength": "2000"}),
					text("published", "Published", v, errs, "YYYY-MM-DD, YYYY-MM or YYYY", map[string]any{"maxlength": "10"}),
					text("via", "Via", v, errs, "e.g. Reuters", map[string]any{"maxlength": "300"}),
				}, nil
			},
			load: func(ctx context.Context, key string) (map[string]string, int, error) {
				id, err := parley.ParseID(key)
				if err != nil {
					return nil, 0, err
				}
				x, err := st.GetSource(ctx, id)
				return map[string]string{"outlet": x.Outlet, "title": x.Title, "url": x.URL, "published": x.Published.Input(), "via": x.Via}, x.Version, err
			},
			create: func(ctx context.Context, by parley.Editor, v map[string]string) (string, error) {
				in, err := sourceInput(v)
				if err != nil {
					return "", err
				}
				x, err := st.CreateSource(ctx, by, in)
				return strconv.FormatInt(x.ID, 10), err
			},
			update: func(ctx context.Context, by parley.Editor, key string, version int, v map[string]string) error {
				id, err := parley.ParseID(key)
				if err != nil {
					return err
				}
				in, err := sourceInput(v)
				if err != nil {
					return err
				}
				_, err = st.UpdateSource(ctx, by, id, version, in)
				return err
			},
			conflict: conflictWith(func(x parley.Source) []views.KV {
				return []views.KV{kv("Outlet", x.Outlet), kv("Headline", x.Title), kv("Address", x.URL), kv("Published", x.Published.String()), kv("Via", x.Via)}
			}),
		},
	}
}

// sideField is a choice among the sides, keeping a value that names none
// of them (it shows as typed, and the store says it does not exist).
func sideField(sides []parley.Side, v, errs map[string]string, label string) views.FormField {
	var options []views.Option
	for _, s := range sides {
		options = append(options, views.Option{Value: s.Slug, Label: s.Name + " (" + string(s.Role) + ")"})
	}
	if v["side"] != "" && !slices.ContainsFunc(sides, func(s parley.Side) bool { return s.Slug == v["side"] }) {
		options = append(options, views.Option{Value: v["side"], Label: v["side"]})
	}
	return views.FormField{Field: views.Field{Name: "side", Label: label, Value: v["side"], Error: errs["side"]}, Kind: "select", Options: options, Blank: "Choose"}
}

func sourceInput(v map[string]string) (parley.SourceInput, error) {
	in := parley.SourceInput{Outlet: v["outlet"], Title: v["title"], URL: v["url"], Via: v["via"]}
	if v["published"] != "" {
		d, err := parley.ParseDate(v["published"])
		if err != nil {
			return in, parley.Problems{"published": "Enter the date as YYYY-MM-DD, YYYY-MM or YYYY."}.Err()
		}
		in.Published = d
	}
	return in, nil
}

func kv(label, value string) views.KV { return views.KV{Label: label, Value: value} }

// conflictWith finds a *parley.ConflictError over records of type T in an
// error and summarises the record it holds.
func conflictWith[T any](summary func(T) []views.KV) func(error) ([]views.KV, bool) {
	return func(err error) ([]views.KV, bool) {
		var ce *parley.ConflictError[T]
		if errors.As(err, &ce) {
			return summary(ce.Current), true
		}
		return nil, false
	}
}
