package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"parley"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"

	"parley/internal/intake"
	"parley/views"
)

// maxIntakeChars bounds a pasted article.
const maxIntakeChars = 100000

// maxIntakeBytes bounds an intake request: the article (up to four bytes a
// character, percent-encoded) and the drafts that carry it along.
const maxIntakeBytes = 4 << 20

// intakeStore is what the intake assistant reads and writes.
type intakeStore interface {
	ListActors(ctx context.Context) ([]parley.Actor, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	ListRegions(ctx context.Context) ([]parley.Region, error)
	FindSimilarStatements(ctx context.Context, actor string, date time.Time, summary, quote string) ([]parley.Statement, error)
	CreateStatements(ctx context.Context, by parley.Editor, ins []parley.StatementInput) ([]parley.Statement, error)
}

// handleIntakeForm shows the empty intake form.
func handleIntakeForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, views.IntakePage(page(r, "Intake"), views.IntakeData{Errors: map[string]string{}}))
	}
}

// intakeCatalog reads what the analysis recognises, with the names the
// page shows.
type intakeCatalog struct {
	intake.Catalog
	demandTitles map[string]string
}

func loadIntakeCatalog(ctx context.Context, st intakeStore) (intakeCatalog, error) {
	var c intakeCatalog
	var err error
	if c.Actors, err = st.ListActors(ctx); err != nil {
		return c, err
	}
	if c.Demands, err = st.ListDemands(ctx); err != nil {
		return c, err
	}
	if c.Regions, err = st.ListRegions(ctx); err != nil {
		return c, err
	}
	c.demandTitles = map[string]string{}
	for _, d := range c.Demands {
		c.demandTitles[d.Slug] = d.Title
	}
	return c, nil
}

// parseIntakeArticle reads the article fields, checking each: the text is
// there, not too long, and text (not binary, valid UTF-8); the published
// date is a date, not in the future, and matches its precision; the source
// fields are as a source needs them.
func parseIntakeArticle(r *http.Request) (views.IntakeArticle, intake.Article, parley.SourceInput, parley.Problems) {
	v := r.PostForm
	a := views.IntakeArticle{Text: v.Get("text"), Outlet: strings.TrimSpace(v.Get("outlet")), Title: strings.TrimSpace(v.Get("title")),
		URL: strings.TrimSpace(v.Get("url")), Published: strings.TrimSpace(v.Get("published")),
		Precision: strings.TrimSpace(v.Get("published_precision")), Via: strings.TrimSpace(v.Get("via"))}
	p := parley.Problems{}
	text := strings.ReplaceAll(a.Text, "\r\n", "\n")
	switch {
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0) || binary(text):
		p.Add("text", "This is not plain text (binary data, or a broken character encoding). Copy the article's text from the page and paste it again.")
		// Shown back as the browser would show it, never as raw bytes.
		a.Text = strings.ToValidUTF8(strings.ReplaceAll(a.Text, "\x00", "\uFFFD"), "\uFFFD")
	case strings.TrimSpace(text) == "":
		p.Add("text", "Paste the article's text.")
	case utf8.RuneCountInString(text) > maxIntakeChars:
		p.Add("text", fmt.Sprintf("The text is %s characters long; Parley reads at most %s at once. Paste the part that reports the statements.",
			thousands(utf8.RuneCountInString(text)), thousands(maxIntakeChars)))
	}
	src := parley.SourceInput{Outlet: a.Outlet, Title: a.Title, URL: a.URL, Via: a.Via}
	var pub parley.Date
	switch d, err := parley.ParseDate(a.Published); {
	case a.Published == "":
		p.Add("published", "Enter the date the article was published: Parley counts “Tuesday” or “last week” back from it.")
	case err != nil:
		p.Add("published", "“"+a.Published+"” is not a date. Enter it as YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known.")
	case a.Precision != "" && parley.Precision(a.Precision) != d.Precision:
		want := map[string]string{"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[a.Precision]
		if want == "" {
			p.Add("published_precision", "Choose day, month or year.")
		} else {
			p.Add("published_precision", "The date "+a.Published+" does not match "+a.Precision+" precision: enter it as "+want+", or change the precision.")
		}
	case d.Time.After(time.Now().UTC().Add(14 * time.Hour)): // today somewhere on Earth
		p.Add("published", "The published date "+a.Published+" is in the future.")
	case d.Time.Year() < 1900:
		p.Add("published", "The published date is too far in the past.")
	default:
		pub, src.Published = d, d
		a.Precision = string(d.Precision)
	}
	var ve *parley.ValidationError
	if err := src.Validate(); errors.As(err, &ve) {
		for k, m := range ve.Fields {
			if k != "published" {
				p.Add(k, m)
			}
		}
	}
	return a, intake.Article{Text: text, Published: pub}, src, p
}

// binary reports whether text holds control characters no article has
// (anything but tabs and line breaks).
func binary(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && (unicode.IsControl(r) || r == utf8.RuneError)
	}) >= 0
}

// thousands writes n with commas: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// handleIntake analyses a pasted article (nothing is written) or, with
// action=save, saves the kept drafts through CreateStatements.
func handleIntake(sm *scs.SessionManager, st intakeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		a, art, src, p := parseIntakeArticle(r)
		d := views.IntakeData{Article: a, Errors: map[string]string(p)}
		if len(p) > 0 {
			return renderStatus(w, r, http.StatusUnprocessableEntity, views.IntakePage(page(r, "Intake"), d))
		}
		c, err := loadIntakeCatalog(r.Context(), st)
		if err != nil {
			return err
		}
		res := intake.New(c.Catalog).Analyze(art)
		fillIntakeFindings(&d, c, art.Text, res)
		if r.PostForm.Get("action") != "save" {
			for i, dr := range res.Drafts {
				vd, err := draftView(r.Context(), st, c, i, dr)
				if err != nil {
					return err
				}
				d.Drafts = append(d.Drafts, vd)
			}
			return render(w, r, views.IntakePage(page(r, "Intake: "+a.Outlet), d))
		}
		return saveIntake(w, r, sm, st, c, d, src)
	}
}

// resolveIntakeActor reads a draft's actor field (a search field, as on
// the statement form): a slug, or a name or alias in any case, among
// actors; msg says why it names no single one.
func resolveIntakeActor(actors []parley.Actor, entry string) (slug, msg string) {
	if entry == "" {
		return "", ""
	}
	var found []string
	for _, a := range actors {
		if a.Slug == entry {
			return a.Slug, ""
		}
		if strings.EqualFold(a.Name, entry) || slices.ContainsFunc(a.Aliases, func(x string) bool { return strings.EqualFold(x, entry) }) {
			found = append(found, a.Slug)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return "", "No actor matches “" + entry + "”: type a name, alias or slug (matches are suggested), or add the actor first."
	}
	return "", "Several actors are called “" + entry + "”: type one's slug (" + strings.Join(found[:min(len(found), 5)], ", ") + ")."
}

// fillIntakeFindings puts the marked text and the pickers into d.
func fillIntakeFindings(d *views.IntakeData, c intakeCatalog, text string, res intake.Result) {
	d.Analysed, d.Unknown = true, res.Unknown
	names := map[string]string{}
	for _, x := range c.Actors {
		names["actor:"+x.Slug] = x.Name
	}
	for _, x := range c.Regions {
		names["region:"+x.Slug] = x.Name
		d.Regions = append(d.Regions, views.Option{Value: x.Slug, Label: x.Name})
	}
	for _, x := range c.Demands {
		names["demand:"+x.Slug] = x.Title
	}
	for _, s := range parley.Stances {
		d.Stances = append(d.Stances, views.Option{Value: string(s), Label: string(s)})
	}
	for _, f := range res.Findings {
		if f.Kind == intake.KindQuote {
			d.Quotes++
		}
	}
	for _, s := range intake.Segments(text, res.Findings) {
		label := names[s.Kind+":"+s.Slug]
		switch s.Kind {
		case intake.KindDate:
			label = s.Note
		case intake.KindUnknown:
			label = "Not a known actor"
		}
		if s.Kind == intake.KindActor && s.Note != "" {
			label += " (" + s.Note + ")"
		}
		d.Segments = append(d.Segments, views.IntakeSegment{Text: s.Text, Kind: s.Kind, Label: label, InQuote: s.InQuote, Break: s.Break})
	}
}

// draftView turns a draft into the form's row, with a statement already
// recorded that it may be.
func draftView(ctx context.Context, st intakeStore, c intakeCatalog, i int, dr intake.Draft) (views.IntakeDraft, error) {
	v := views.IntakeDraft{Index: i, Keep: true, Key: parley.NewUUID(), Actor: dr.Actor, ActorText: dr.ActorText,
		Attribution: string(dr.Attribution), DateText: dr.DateText, Quote: dr.Quote, Summary: summaryOf(dr.Sentence),
		Sentence: dr.Sentence, Regions: map[string]bool{}, Errors: map[string]string{}}
	if !dr.Date.Time.IsZero() {
		v.Date, v.Precision = dr.Date.Input(), string(dr.Date.Precision)
	}
	for _, r := range dr.Regions {
		v.Regions[r] = true
	}
	guessed := map[string]parley.Stance{}
	for _, g := range dr.Guesses {
		guessed[g.Demand] = g.Stance
	}
	for _, dm := range dr.Demands {
		v.Positions = append(v.Positions, views.IntakePosition{Demand: dm, Title: c.demandTitles[dm], Stance: string(guessed[dm]), Guess: guessed[dm] != ""})
	}
	if dr.Actor != "" && !dr.Date.Time.IsZero() {
		similar, err := st.FindSimilarStatements(ctx, dr.Actor, dr.Date.Time, v.Summary, dr.Quote)
		if err != nil {
			return v, err
		}
		if len(similar) > 0 {
			v.Match = &similar[0]
		}
	}
	return v, nil
}

// summaryOf is the sentence as a first summary, within the summary's limit.
func summaryOf(sentence string) string {
	if r := []rune(sentence); len(r) > 2000 {
		return string(r[:1999]) + "…"
	}
	return sentence
}

// saveIntake reads the drafts as corrected, and saves the kept ones in one
// go (CreateStatements: all or nothing), each with the article as its
// report; 422 with everything kept when anything is wrong.
func saveIntake(w http.ResponseWriter, r *http.Request, sm *scs.SessionManager, st intakeStore, c intakeCatalog, d views.IntakeData, src parley.SourceInput) error {
	v := r.PostForm
	n, err := strconv.Atoi(v.Get("drafts"))
	if err != nil || n < 0 || n > 10000 {
		return badRequest("The drafts could not be read. Find the statements again.")
	}
	var ins []parley.StatementInput
	var kept []int // draft index of each input
	now := time.Now()
	for i := range n {
		get := func(k string) string { return strings.TrimSpace(v.Get("d" + strconv.Itoa(i) + "." + k)) }
		dr := views.IntakeDraft{Index: i, Keep: get("keep") != "", Key: get("key"), Actor: get("actor"), ActorText: get("actor_text"),
			Attribution: get("attribution"), Date: get("date"), Precision: get("date_precision"), DateText: get("date_text"),
			Quote: parley.CleanText(v.Get("d" + strconv.Itoa(i) + ".quote")), Summary: parley.CleanText(v.Get("d" + strconv.Itoa(i) + ".summary")),
			Occasion: get("occasion"), Sentence: get("sentence"), Regions: map[string]bool{}, Errors: map[string]string{}}
		for _, reg := range v["d"+strconv.Itoa(i)+".regions"] {
			dr.Regions[reg] = true
		}
		demands, stances := v["d"+strconv.Itoa(i)+".demand"], v["d"+strconv.Itoa(i)+".stance"]
		in := parley.StatementInput{Actor: dr.Actor, Quote: dr.Quote, Summary: dr.Summary, Occasion: dr.Occasion,
			Attribution: parley.Attribution(dr.Attribution), IdempotencyKey: dr.Key}
		for j, dm := range demands {
			pos := views.IntakePosition{Demand: dm, Title: c.demandTitles[dm], Stance: at(stances, j)}
			dr.Positions = append(dr.Positions, pos)
			if pos.Stance != "" {
				in.Positions = append(in.Positions, parley.PositionInput{Demand: dm, Stance: parley.Stance(pos.Stance)})
			}
		}
		in.Regions = append(in.Regions, v["d"+strconv.Itoa(i)+".regions"]...)
		if id, err := strconv.ParseInt(get("match"), 10, 64); err == nil && id > 0 {
			dr.Match = &parley.Statement{ID: id} // offered when the article was analysed
			if get("report_of") != "" {
				dr.ReportOf, in.ReportOf = true, id
			}
		}
		d.Drafts = append(d.Drafts, dr)
		if !dr.Keep {
			continue
		}
		p := parley.Problems{}
		if slug, msg := resolveIntakeActor(c.Actors, dr.Actor); msg != "" {
			p.Add("actor", msg)
		} else {
			in.Actor, d.Drafts[len(d.Drafts)-1].Actor = slug, slug
		}
		in.Date, p = parseFormDate(dr.Date, dr.Precision, "date", "date_precision", p)
		art := src
		in.NewSource = &art
		var ve *parley.ValidationError
		if err := in.Validate(now); errors.As(err, &ve) {
			for k, m := range ve.Fields {
				p.Add(k, m)
			}
		}
		for k, m := range p {
			d.Drafts[i].Errors[draftField(k)] = m
		}
		ins, kept = append(ins, in), append(kept, i)
	}
	if len(ins) == 0 {
		d.Errors["form"] = "Every draft is unticked: keep at least one to save, or leave the page to save nothing."
	}
	for _, dr := range d.Drafts {
		if len(dr.Errors) > 0 {
			d.Errors["form"] = "Some drafts need correcting (marked below). Nothing was saved."
		}
	}
	if len(d.Errors) > 0 {
		return renderStatus(w, r, http.StatusUnprocessableEntity, views.IntakePage(page(r, "Intake: "+src.Outlet), d))
	}
	saved, err := st.CreateStatements(r.Context(), editor(r), ins)
	var ve *parley.ValidationError
	if errors.As(err, &ve) || errors.Is(err, parley.ErrNotFound) {
		if ve != nil {
			for k, m := range ve.Fields {
				var j int
				var field string
				if _, serr := fmt.Sscanf(k, "statements.%d.%s", &j, &field); serr == nil && j < len(kept) {
					d.Drafts[kept[j]].Errors[draftField(field)] = m
				} else {
					d.Errors["form"] = m
				}
			}
		} else {
			d.Errors["form"] = "A statement a draft was to be added to no longer exists. Untick “add as another report” there and save again."
		}
		if d.Errors["form"] == "" {
			d.Errors["form"] = "Some drafts need correcting (marked below). Nothing was saved."
		}
		return renderStatus(w, r, http.StatusUnprocessableEntity, views.IntakePage(page(r, "Intake: "+src.Outlet), d))
	}
	if err != nil {
		return err
	}
	setFlash(sm, r, "Saved "+strconv.Itoa(len(saved))+" "+pluralWord(len(saved), "statement")+" from "+src.Outlet+".", "")
	http.Redirect(w, r, intakeSavedPath(saved, src), http.StatusSeeOther)
	return nil
}

// draftField maps a validation field to the draft field that shows it.
func draftField(k string) string {
	switch {
	case strings.HasPrefix(k, "positions"), strings.HasPrefix(k, "conditions"):
		return "positions"
	case strings.HasPrefix(k, "source_"), strings.HasPrefix(k, "reports"), k == "source_id", k == "report_of":
		return "form"
	}
	return k
}

// intakeSavedPath is where the editor lands after saving: the article's
// source page, which lists what it reports.
func intakeSavedPath(saved []parley.Statement, src parley.SourceInput) string {
	for _, s := range saved {
		for _, rp := range s.Reports {
			if rp.Source.Outlet == strings.TrimSpace(src.Outlet) && rp.Source.Title == strings.TrimSpace(src.Title) &&
				rp.Source.URL == strings.TrimSpace(src.URL) {
				return parley.SourcePath(rp.Source.ID)
			}
		}
	}
	return "/statements"
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// intakeJSON is POST /intake.json's answer (DESIGN fixes the fields).
type intakeJSON struct {
	Source intakeSourceJSON  `json:"source"`
	Drafts []intakeDraftJSON `json:"drafts"`
}

type intakeSourceJSON struct {
	Outlet             string `json:"outlet"`
	Title              string `json:"title"`
	URL                string `json:"url"`
	Published          string `json:"published"`
	PublishedPrecision string `json:"published_precision"`
	Via                string `json:"via"`
}

type intakeDraftJSON struct {
	Actor         *string  `json:"actor"`
	ActorText     string   `json:"actor_text"`
	Attribution   string   `json:"attribution"`
	Date          *string  `json:"date"`
	DatePrecision *string  `json:"date_precision"`
	DateText      string   `json:"date_text"`
	Quote         string   `json:"quote"`
	Sentence      string   `json:"sentence"`
	Regions       []string `json:"regions"`
	Demands       []string `json:"demands"`
}

// handleIntakeJSON answers the analysis as data; it writes nothing.
func handleIntakeJSON(st intakeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		_, art, src, p := parseIntakeArticle(r)
		if len(p) > 0 {
			keys := make([]string, 0, len(p))
			for k := range p {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			msgs := make([]string, len(keys))
			for i, k := range keys {
				msgs[i] = k + ": " + p[k]
			}
			return &HTTPError{Status: http.StatusUnprocessableEntity, Message: strings.Join(msgs, " ")}
		}
		c, err := loadIntakeCatalog(r.Context(), st)
		if err != nil {
			return err
		}
		res := intake.New(c.Catalog).Analyze(art)
		out := intakeJSON{Source: intakeSourceJSON{Outlet: strings.TrimSpace(src.Outlet), Title: strings.TrimSpace(src.Title),
			URL: strings.TrimSpace(src.URL), Published: src.Published.ISO(), PublishedPrecision: string(src.Published.Precision),
			Via: strings.TrimSpace(src.Via)}, Drafts: []intakeDraftJSON{}}
		for _, d := range res.Drafts {
			j := intakeDraftJSON{ActorText: d.ActorText, Attribution: string(d.Attribution), DateText: d.DateText, Quote: d.Quote,
				Sentence: d.Sentence, Regions: append([]string{}, d.Regions...), Demands: append([]string{}, d.Demands...)}
			if d.Actor != "" {
				j.Actor = &d.Actor
			}
			if !d.Date.Time.IsZero() {
				iso, prec := d.Date.ISO(), string(d.Date.Precision)
				j.Date, j.DatePrecision = &iso, &prec
			}
			out.Drafts = append(out.Drafts, j)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
}
