package handlers

import (
	"context"
	"errors"
	"fmt"
	"maps"
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

type statementEditStore interface {
	catalog
	FindActors(ctx context.Context, q string, limit int) ([]parley.Actor, error)
	FindSources(ctx context.Context, q string, limit int) ([]parley.Source, error)
	GetStatement(ctx context.Context, id int64) (parley.Statement, error)
	CreateStatement(ctx context.Context, by parley.Editor, in parley.StatementInput) (parley.Statement, error)
	UpdateStatement(ctx context.Context, by parley.Editor, id int64, version int, in parley.StatementInput) (parley.Statement, error)
	FindSimilarStatements(ctx context.Context, actor string, date time.Time, summary, quote string) ([]parley.Statement, error)
	StatementByIdempotencyKey(ctx context.Context, key string) (int64, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
}

const emptyPositionRows = 3

// statementChoices fills the form's pickers.
func statementChoices(ctx context.Context, st statementEditStore, f *views.StatementForm) error {
	// Actors and sources are search fields (resolveLookups): no list of
	// them is loaded.
	demands, err := st.ListDemands(ctx)
	if err != nil {
		return err
	}
	regions, err := st.ListRegions(ctx)
	if err != nil {
		return err
	}
	sides, err := st.ListSides(ctx)
	if err != nil {
		return err
	}
	for _, s := range sides {
		f.Sides = append(f.Sides, views.Option{Value: s.Slug, Label: s.Name})
	}
	for _, d := range demands {
		f.Demands = append(f.Demands, views.Option{Value: d.Slug, Label: d.Title})
	}
	for _, r := range regions {
		f.RegionOpts = append(f.RegionOpts, views.Option{Value: r.Slug, Label: r.Name})
	}
	return nil
}

// sourceEntry is how a source field names a source: its number, which is
// what the server reads back, and its description for the editor.
func sourceEntry(src parley.Source) string {
	return "#" + strconv.FormatInt(src.ID, 10) + " " + views.SourceLine(src)
}

// lookupLimit bounds the matches an ambiguous entry lists.
const lookupLimit = 10

// resolveLookups turns what was typed into the actor and source fields
// into the actor's slug and the sources' ids, or says on the form what
// matched nothing, or what matched several (listed to choose from).
func (h statementFormHandler) resolveLookups(ctx context.Context, f *views.StatementForm, in *parley.StatementInput, p parley.Problems) error {
	if f.Actor != "" {
		actors, err := h.st.FindActors(ctx, f.Actor, lookupLimit+1)
		if err != nil {
			return err
		}
		switch len(actors) {
		case 0:
			p.Add("actor", "No actor matches “"+f.Actor+"”. Check the spelling, or add the actor first.")
		case 1:
			f.Actor, in.Actor = actors[0].Slug, actors[0].Slug
			f.ActorLabel = actors[0].Name + " (" + views.SideLabel(actors[0].Side) + ")"
		default:
			p.Add("actor", "Several actors match “"+f.Actor+"”: choose one below, or type more of the name.")
			for _, a := range actors[:min(len(actors), lookupLimit)] {
				f.ActorPicks = append(f.ActorPicks, views.Option{Value: a.Slug, Label: a.Name + " (" + views.SideLabel(a.Side) + ")"})
			}
		}
	}
	source := func(entry string) (parley.Source, []parley.Source, string, error) {
		srcs, err := h.st.FindSources(ctx, entry, lookupLimit+1)
		if err != nil {
			return parley.Source{}, nil, "", err
		}
		switch len(srcs) {
		case 0:
			return parley.Source{}, nil, "No source matches “" + entry + "”: give its number (#12), its web address or words of its headline, or add it as a new source.", nil
		case 1:
			return srcs[0], nil, "", nil
		}
		return parley.Source{}, srcs[:min(len(srcs), lookupLimit)], "Several sources match “" + entry + "”", nil
	}
	if f.SourceID != "" {
		src, several, msg, err := source(f.SourceID)
		if err != nil {
			return err
		}
		switch {
		case several != nil:
			p.Add("source_id", msg+": choose one below, or type more of its headline.")
			for _, s := range several {
				f.SourcePicks = append(f.SourcePicks, views.Option{Value: sourceEntry(s), Label: sourceEntry(s)})
			}
		case msg != "":
			p.Add("source_id", msg)
		default:
			f.SourceID, in.SourceID = sourceEntry(src), src.ID
		}
	}
	for i := range f.Reports {
		row := &f.Reports[i]
		if row.Source == "" {
			continue
		}
		src, several, msg, err := source(row.Source)
		if err != nil {
			return err
		}
		switch {
		case several != nil:
			var names []string
			for _, s := range several[:min(len(several), 5)] {
				names = append(names, sourceEntry(s))
			}
			row.Error = msg + ", for instance: " + strings.Join(names, "; ") + ". Give its number (#12)."
		case msg != "":
			row.Error = msg
		default:
			row.Source, in.Reports[i].SourceID = sourceEntry(src), src.ID
		}
		if row.Error != "" {
			p.Add("reports", "A report's source needs another look: see the row marked below.")
		}
	}
	return nil
}

// handleStatementNew shows an empty statement form.
func handleStatementNew(st statementEditStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := views.StatementForm{Action: "/statements/new", Heading: "New statement", Submit: "Save statement",
			IdemKey: parley.NewUUID(), Precision: "day", Regions: map[string]bool{}, Errors: map[string]string{},
			Positions: make([]views.PositionRow, emptyPositionRows)}
		return statementFormHandler{st: st}.show(w, r, http.StatusOK, f)
	}
}

// parseStatementForm reads the posted form into what the editor typed (to
// show again) and the store input, with problems found while parsing.
func parseStatementForm(r *http.Request) (views.StatementForm, parley.StatementInput, parley.Problems, error) {
	var f views.StatementForm
	var in parley.StatementInput
	p := parley.Problems{}
	if err := parseForm(r); err != nil {
		return f, in, p, err
	}
	v := r.PostForm
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	// A match chosen from an ambiguous entry's list wins over the text.
	pick := func(k, choice string) string {
		if c := get(choice); c != "" {
			return c
		}
		return get(k)
	}
	f = views.StatementForm{
		IdemKey: get("idempotency_key"), Actor: pick("actor", "actor_pick"), Date: get("date"), Precision: get("date_precision"),
		Quote: strings.TrimSpace(strings.ReplaceAll(v.Get("quote"), "\r\n", "\n")), Summary: get("summary"),
		Occasion: get("occasion"), Attribution: get("attribution"), SourceID: pick("source_id", "source_pick"),
		SourceQuote: strings.TrimSpace(strings.ReplaceAll(v.Get("source_quote"), "\r\n", "\n")),
		NewSource: views.SourceFields{Outlet: get("source_outlet"), Title: get("source_title"), URL: get("source_url"),
			Published: get("source_published"), Via: get("source_via")},
		Regions: map[string]bool{}, Errors: map[string]string{},
	}
	f.Version, _ = strconv.Atoi(get("version"))
	in = parley.StatementInput{Actor: f.Actor, Quote: f.Quote, Summary: f.Summary, Occasion: f.Occasion,
		Attribution: parley.Attribution(f.Attribution), IdempotencyKey: f.IdemKey, SourceQuote: f.SourceQuote}
	in.Date, p = parseFormDate(f.Date, f.Precision, "date", "date_precision", p)
	if f.NewSource != (views.SourceFields{}) {
		if f.SourceID != "" {
			p.Add("source_id", "Choose an existing source or add a new one, not both.")
		}
		src := parley.SourceInput{Outlet: f.NewSource.Outlet, Title: f.NewSource.Title, URL: f.NewSource.URL, Via: f.NewSource.Via}
		if f.NewSource.Published != "" {
			d, err := parley.ParseDate(f.NewSource.Published)
			if err != nil {
				p.Add("source_published", "Enter the date as YYYY-MM-DD, YYYY-MM or YYYY.")
			}
			src.Published = d
		}
		in.NewSource = &src
	}
	for _, slug := range v["regions"] {
		f.Regions[slug] = true
		in.Regions = append(in.Regions, slug)
	}
	demands, stances := v["demand"], v["stance"]
	for i := 0; i < max(len(demands), len(stances)); i++ {
		row := views.PositionRow{}
		if i < len(demands) {
			row.Demand = demands[i]
		}
		if i < len(stances) {
			row.Stance = stances[i]
		}
		if row.Demand == "" && row.Stance == "" {
			continue
		}
		f.Positions = append(f.Positions, row)
		in.Positions = append(in.Positions, parley.PositionInput{Demand: row.Demand, Stance: parley.Stance(row.Stance)})
	}
	sources, quotes := v["report_source"], v["report_quote"]
	for i := 0; i < max(len(sources), len(quotes)); i++ {
		row := views.ReportRow{Source: at(sources, i), Quote: strings.TrimSpace(strings.ReplaceAll(at(quotes, i), "\r\n", "\n"))}
		if row.Source == "" && row.Quote == "" {
			continue
		}
		if row.Source == "" {
			row.Error = "Give the source of this report."
			p.Add("reports", "Each report needs its source: give one, or clear the row.")
		}
		f.Reports = append(f.Reports, row)
		in.Reports = append(in.Reports, parley.ReportInput{Quote: row.Quote}) // the source: resolveLookups
	}
	of, sides, cdemands, cstances := v["cond_of"], v["cond_side"], v["cond_demand"], v["cond_stance"]
	for i := 0; i < max(len(of), len(sides), len(cdemands), len(cstances)); i++ {
		row := views.ConditionRow{Of: at(of, i), Side: at(sides, i), Demand: at(cdemands, i), Stance: at(cstances, i)}
		if row == (views.ConditionRow{}) {
			continue
		}
		j := slices.IndexFunc(in.Positions, func(p parley.PositionInput) bool { return p.Demand == row.Of })
		if j < 0 {
			row.Error = "Choose one of the statement's positions (above) that this condition governs."
			p.Add("conditions", "A condition governs one of the statement's positions: choose it in “The position on”.")
		} else {
			in.Positions[j].Conditions = append(in.Positions[j].Conditions,
				parley.Condition{Side: row.Side, Demand: row.Demand, Stance: parley.Stance(row.Stance)})
		}
		f.Conditions = append(f.Conditions, row)
	}
	return f, in, p, nil
}

// at is the i-th of a form's repeated values, or "".
func at(values []string, i int) string {
	if i < len(values) {
		return strings.TrimSpace(values[i])
	}
	return ""
}

// parseFormDate reads a date typed as YYYY-MM-DD, YYYY-MM or YYYY with its
// chosen precision, which must agree.
func parseFormDate(s, precision, dateField, precField string, p parley.Problems) (parley.Date, parley.Problems) {
	if s == "" {
		p.Add(dateField, "Enter the date it was said.")
		return parley.Date{}, p
	}
	d, err := parley.ParseDate(s)
	if err != nil {
		if len(s) == 10 {
			p.Add(dateField, "That date does not exist. Use YYYY-MM-DD, for example 2024-06-14.")
		} else {
			p.Add(dateField, "Enter the date as YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known.")
		}
		return parley.Date{}, p
	}
	switch {
	case precision == "":
		precision = string(d.Precision)
	case parley.Precision(precision) != d.Precision:
		want := map[string]string{"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[precision]
		if want == "" {
			p.Add(precField, "Choose day, month or year.")
		} else {
			p.Add(precField, "The date "+s+" does not match "+precision+" precision: enter it as "+want+", or change the precision.")
		}
	}
	d.Precision = parley.Precision(precision)
	return d, p
}

// formErrors merges parse problems and a store *ValidationError into the
// form, per field and per position row. Other errors are returned.
func (h statementFormHandler) formErrors(f *views.StatementForm, p parley.Problems, err error) error {
	var ve *parley.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	for k, v := range p {
		f.Errors[k] = v
	}
	if ve != nil {
		for k, v := range ve.Fields {
			if rest, ok := strings.CutPrefix(k, "positions."); ok {
				if i, err := strconv.Atoi(rest); err == nil && i < len(f.Positions) {
					f.Positions[i].Error = v
				}
			}
			if rest, ok := strings.CutPrefix(k, "reports."); ok {
				if i, err := strconv.Atoi(rest); err == nil && i < len(f.Reports) {
					f.Reports[i].Error = v
				}
				k = "reports"
			}
			if rest, ok := strings.CutPrefix(k, "conditions."); ok {
				// conditions.<position>.<condition>: the row of that condition.
				var pi, ci int
				if _, err := fmt.Sscanf(rest, "%d.%d", &pi, &ci); err == nil && pi < len(f.Positions) {
					n := 0
					for r := range f.Conditions {
						if f.Conditions[r].Of == f.Positions[pi].Demand {
							if n == ci {
								f.Conditions[r].Error = v
							}
							n++
						}
					}
				}
				k = "conditions"
			}
			if _, taken := f.Errors[k]; !taken {
				f.Errors[k] = v // a parse problem on the same field says more
			}
		}
	}
	return nil
}

type statementFormHandler struct {
	st statementEditStore
}

// addRow answers the form's "add another" buttons: the same form with one
// more empty row of positions, reports or conditions, nothing saved.
func (h statementFormHandler) addRow(w http.ResponseWriter, r *http.Request, f *views.StatementForm) (bool, error) {
	switch {
	case r.PostForm.Get("add_position") != "":
		f.Positions = append(f.Positions, views.PositionRow{})
	case r.PostForm.Get("add_report") != "":
		f.Reports = append(f.Reports, views.ReportRow{})
	case r.PostForm.Get("add_condition") != "":
		f.Conditions = append(f.Conditions, views.ConditionRow{})
	default:
		return false, nil
	}
	return true, h.show(w, r, http.StatusOK, *f)
}

// show renders the form with status after filling its pickers and padding
// the position rows.
func (h statementFormHandler) show(w http.ResponseWriter, r *http.Request, status int, f views.StatementForm) error {
	if err := statementChoices(r.Context(), h.st, &f); err != nil {
		return err
	}
	for len(f.Positions) < emptyPositionRows {
		f.Positions = append(f.Positions, views.PositionRow{})
	}
	if len(f.Reports) == 0 {
		f.Reports = append(f.Reports, views.ReportRow{})
	}
	if len(f.Conditions) == 0 {
		f.Conditions = append(f.Conditions, views.ConditionRow{})
	}
	return renderStatus(w, r, status, views.StatementFormPage(page(r, f.Heading), f))
}

// handleStatementCreate saves a new statement: 422 with everything kept on
// bad input, a possible-duplicate check the editor confirms, and one
// statement however often the same form is submitted.
func handleStatementCreate(sm *scs.SessionManager, st statementEditStore) handlerFunc {
	h := statementFormHandler{st: st}
	return func(w http.ResponseWriter, r *http.Request) error {
		f, in, p, err := parseStatementForm(r)
		if err != nil {
			return err
		}
		f.Action, f.Heading, f.Submit = "/statements/new", "New statement", "Save statement"
		if f.IdemKey == "" {
			f.IdemKey = parley.NewUUID()
			in.IdempotencyKey = f.IdemKey
		}
		if done, err := h.addRow(w, r, &f); done || err != nil {
			return err
		}
		if err := h.resolveLookups(r.Context(), &f, &in, p); err != nil {
			return err
		}
		err = in.Validate(time.Now())
		if len(p) > 0 || err != nil {
			if err := h.formErrors(&f, p, err); err != nil {
				return err
			}
			return h.show(w, r, http.StatusUnprocessableEntity, f)
		}
		resubmitted := func() (bool, error) {
			prev, err := st.StatementByIdempotencyKey(r.Context(), in.IdempotencyKey)
			if errors.Is(err, parley.ErrNotFound) {
				return false, nil
			} else if err != nil {
				return false, err
			}
			// The same form again (double click, reload): it was saved once.
			setFlash(sm, r, "This form had already been saved; nothing was added twice.", "")
			http.Redirect(w, r, parley.StatementPath(prev), http.StatusSeeOther)
			return true, nil
		}
		if done, err := resubmitted(); done || err != nil {
			return err
		}
		if to := r.PostForm.Get("add_report_to"); to != "" {
			return h.addAsReport(w, r, sm, f, in, to)
		}
		if r.PostForm.Get("confirm_duplicate") == "" {
			dups, err := st.FindSimilarStatements(r.Context(), in.Actor, in.Date.Time, in.Summary, in.Quote)
			if err != nil {
				return err
			}
			// A concurrent submission of this very form may have just
			// saved it: that is not a duplicate to warn about.
			if done, err := resubmitted(); done || err != nil {
				return err
			}
			if len(dups) > 0 {
				f.Duplicates = dups
				return h.show(w, r, http.StatusUnprocessableEntity, f)
			}
		}
		s, err := st.CreateStatement(r.Context(), editor(r), in)
		if err != nil {
			if err := h.formErrors(&f, nil, err); err != nil {
				return err
			}
			return h.show(w, r, http.StatusUnprocessableEntity, f)
		}
		msg := "Statement saved."
		if s.Resubmitted {
			msg = "This form had already been saved; nothing was added twice."
		}
		setFlash(sm, r, msg, "")
		http.Redirect(w, r, parley.StatementPath(s.ID), http.StatusSeeOther)
		return nil
	}
}

// addAsReport records the form's source (picked or new, with its quote)
// as one more report of statement to, which the duplicate warning showed,
// instead of creating a second statement of the same utterance.
func (h statementFormHandler) addAsReport(w http.ResponseWriter, r *http.Request, sm *scs.SessionManager, f views.StatementForm, in parley.StatementInput, to string) error {
	id, err := parley.ParseID(to)
	if err != nil {
		return err
	}
	target, err := h.st.GetStatement(r.Context(), id)
	if err != nil {
		return err
	}
	if in.SourceID == 0 && in.NewSource == nil {
		f.Errors["source_id"] = "Choose the source whose report this is (or add it as a new source), then add it to statement " + to + "."
		return h.show(w, r, http.StatusUnprocessableEntity, f)
	}
	quote := in.SourceQuote
	if quote == "" {
		quote = in.Quote // the quote as this source gives it
	}
	more := parley.InputOf(target)
	if in.NewSource != nil {
		more.NewSource, more.SourceQuote = in.NewSource, quote
	} else {
		more.Reports = append(more.Reports, parley.ReportInput{SourceID: in.SourceID, Quote: quote})
	}
	_, err = h.st.UpdateStatement(r.Context(), editor(r), id, target.Version, more)
	var ve *parley.ValidationError
	if errors.As(err, &ve) || errors.Is(err, parley.ErrConflict) {
		msg := "Statement " + to + " changed meanwhile: look at it again before adding your report."
		if ve != nil {
			msg = "This report cannot be added to statement " + to + ": " + strings.Join(slices.Collect(maps.Values(ve.Fields)), " ")
		}
		f.Errors["form"] = msg
		return h.show(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	setFlash(sm, r, "Added as another report of this statement: nothing was recorded twice.", "")
	http.Redirect(w, r, parley.StatementPath(id), http.StatusSeeOther)
	return nil
}

// statementID reads {id} from the path; a malformed id is simply not found.
func statementID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, parley.ErrNotFound
	}
	return id, nil
}

// statementToForm fills the form from a stored statement.
func statementToForm(s parley.Statement) views.StatementForm {
	f := views.StatementForm{Actor: s.ActorSlug, ActorLabel: s.ActorName + " (" + views.SideLabel(s.ActorSide) + ")", Precision: string(s.Date.Precision), Quote: s.Quote, Summary: s.Summary,
		Occasion: s.Occasion, Attribution: string(s.Attribution), Version: s.Version, Regions: map[string]bool{}, Errors: map[string]string{}}
	f.Date = s.Date.Input()
	for i, rp := range s.Reports {
		if i == 0 { // the primary report, in the source field
			f.SourceID, f.SourceQuote = sourceEntry(rp.Source), rp.Quote
			continue
		}
		f.Reports = append(f.Reports, views.ReportRow{Source: sourceEntry(rp.Source), Quote: rp.Quote})
	}
	if len(s.Reports) == 0 && s.Source != nil {
		f.SourceID = sourceEntry(*s.Source)
	}
	for _, r := range s.Regions {
		f.Regions[r.Slug] = true
	}
	for _, p := range s.Positions {
		f.Positions = append(f.Positions, views.PositionRow{Demand: p.Demand, Stance: string(p.Stance)})
		for _, c := range p.Conditions {
			f.Conditions = append(f.Conditions, views.ConditionRow{Of: p.Demand, Side: c.Side, Demand: c.Demand, Stance: string(c.Stance)})
		}
	}
	return f
}

// handleStatementEdit shows the edit form with the stored statement.
func handleStatementEdit(st statementEditStore) handlerFunc {
	h := statementFormHandler{st: st}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := statementID(r)
		if err != nil {
			return err
		}
		s, err := st.GetStatement(r.Context(), id)
		if err != nil {
			return err
		}
		f := statementToForm(s)
		f.Action, f.Heading, f.Submit = parley.StatementPath(id)+"/edit", "Edit statement", "Save changes"
		return h.show(w, r, http.StatusOK, f)
	}
}

// handleStatementUpdate saves an edit. If someone saved a newer version
// meanwhile, the editor gets the conflict page: their version beside the
// editor's input, ready to merge and save over the newer version.
func handleStatementUpdate(sm *scs.SessionManager, st statementEditStore) handlerFunc {
	h := statementFormHandler{st: st}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := statementID(r)
		if err != nil {
			return err
		}
		f, in, p, err := parseStatementForm(r)
		if err != nil {
			return err
		}
		in.IdempotencyKey, f.IdemKey = "", ""
		f.Action, f.Heading, f.Submit = parley.StatementPath(id)+"/edit", "Edit statement", "Save changes"
		if done, err := h.addRow(w, r, &f); done || err != nil {
			return err
		}
		if f.Version < 1 {
			p.Add("form", "This form is missing its version. Reload the page and make the change again.")
		}
		if err := h.resolveLookups(r.Context(), &f, &in, p); err != nil {
			return err
		}
		if err := in.Validate(time.Now()); len(p) > 0 || err != nil {
			if err := h.formErrors(&f, p, err); err != nil {
				return err
			}
			return h.show(w, r, http.StatusUnprocessableEntity, f)
		}
		_, err = st.UpdateStatement(r.Context(), editor(r), id, f.Version, in)
		var ce *parley.ConflictError[parley.Statement]
		if errors.As(err, &ce) {
			cur := ce.Current
			f.Conflict = &cur
			f.Version = cur.Version // saving again now deliberately replaces their version
			return h.show(w, r, http.StatusConflict, f)
		}
		if err != nil {
			if err := h.formErrors(&f, nil, err); err != nil {
				return err
			}
			return h.show(w, r, http.StatusUnprocessableEntity, f)
		}
		setFlash(sm, r, "Changes saved.", "")
		http.Redirect(w, r, parley.StatementPath(id), http.StatusSeeOther)
		return nil
	}
}
