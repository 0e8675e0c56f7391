package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"parley"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"parley/views"
)

// reviewStore is what two-person review reads and writes.
type reviewStore interface {
	Propose(ctx context.Context, by parley.Editor, p parley.Proposal) (*parley.Proposed, error)
	Approve(ctx context.Context, by parley.Editor, id int64, version int) (parley.Candidate, error)
	Reject(ctx context.Context, by parley.Editor, id int64, version int, reason string) (parley.Candidate, error)
	GetCandidate(ctx context.Context, id int64) (parley.Candidate, error)
	ListCandidates(ctx context.Context, f parley.CandidateFilter) (pending, mine []parley.Candidate, err error)
	PendingFor(ctx context.Context, k parley.Kind, key string) ([]parley.Candidate, error)
	ReviseStatement(ctx context.Context, by parley.Editor, id int64, version int, in parley.StatementInput) (*parley.Proposed, error)
	ProposeStatements(ctx context.Context, by parley.Editor, ins []parley.StatementInput) ([]int64, error)
}

// reviewGate is the store as the editing pages see it under two-person
// review (REVIEW=two-person): every write becomes a candidate. Each write
// answers *parley.Proposed instead of its result, which the error adapter
// turns into a redirect to the candidate's page; validation and conflicts
// come back exactly as from the write itself.
type reviewGate struct{ Store }

func (g reviewGate) propose(ctx context.Context, by parley.Editor, p parley.Proposal) error {
	pr, err := g.Propose(ctx, by, p)
	if err != nil {
		return err
	}
	return pr
}

func idKey(id int64) string { return strconv.FormatInt(id, 10) }

func (g reviewGate) CreateStatement(ctx context.Context, by parley.Editor, in parley.StatementInput) (parley.Statement, error) {
	return parley.Statement{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindStatement, Op: parley.OpCreate, Statement: &in})
}

func (g reviewGate) UpdateStatement(ctx context.Context, by parley.Editor, id int64, version int, in parley.StatementInput) (parley.Statement, error) {
	return parley.Statement{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindStatement, Op: parley.OpUpdate, Key: idKey(id), Version: version, Statement: &in})
}

func (g reviewGate) CreateActor(ctx context.Context, by parley.Editor, in parley.ActorInput) (parley.Actor, error) {
	return parley.Actor{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindActor, Op: parley.OpCreate, Actor: &in})
}

func (g reviewGate) UpdateActor(ctx context.Context, by parley.Editor, slug string, version int, in parley.ActorInput) (parley.Actor, error) {
	return parley.Actor{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindActor, Op: parley.OpUpdate, Key: slug, Version: version, Actor: &in})
}

func (g reviewGate) CreateDemand(ctx context.Context, by parley.Editor, in parley.DemandInput) (parley.Demand, error) {
	return parley.Demand{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindDemand, Op: parley.OpCreate, Demand: &in})
}

func (g reviewGate) UpdateDemand(ctx context.Context, by parley.Editor, slug string, version int, in parley.DemandInput) (parley.Demand, error) {
	return parley.Demand{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindDemand, Op: parley.OpUpdate, Key: slug, Version: version, Demand: &in})
}

func (g reviewGate) CreateRegion(ctx context.Context, by parley.Editor, in parley.RegionInput) (parley.Region, error) {
	return parley.Region{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindRegion, Op: parley.OpCreate, Region: &in})
}

func (g reviewGate) UpdateRegion(ctx context.Context, by parley.Editor, slug string, version int, in parley.RegionInput) (parley.Region, error) {
	return parley.Region{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindRegion, Op: parley.OpUpdate, Key: slug, Version: version, Region: &in})
}

func (g reviewGate) CreateSource(ctx context.Context, by parley.Editor, in parley.SourceInput) (parley.Source, error) {
	return parley.Source{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindSource, Op: parley.OpCreate, Source: &in})
}

func (g reviewGate) UpdateSource(ctx context.Context, by parley.Editor, id int64, version int, in parley.SourceInput) (parley.Source, error) {
	return parley.Source{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindSource, Op: parley.OpUpdate, Key: idKey(id), Version: version, Source: &in})
}

func (g reviewGate) CreateSide(ctx context.Context, by parley.Editor, in parley.SideInput) (parley.Side, error) {
	return parley.Side{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindSide, Op: parley.OpCreate, Side: &in})
}

func (g reviewGate) UpdateSide(ctx context.Context, by parley.Editor, slug string, version int, in parley.SideInput) (parley.Side, error) {
	return parley.Side{}, g.propose(ctx, by, parley.Proposal{Kind: parley.KindSide, Op: parley.OpUpdate, Key: slug, Version: version, Side: &in})
}

func (g reviewGate) deleteOrRestore(ctx context.Context, by parley.Editor, k parley.Kind, key string, del bool) error {
	op := parley.OpRestore
	if del {
		op = parley.OpDelete
	}
	return g.propose(ctx, by, parley.Proposal{Kind: k, Op: op, Key: key})
}

func (g reviewGate) DeleteStatement(ctx context.Context, by parley.Editor, id int64) error {
	return g.deleteOrRestore(ctx, by, parley.KindStatement, idKey(id), true)
}

func (g reviewGate) RestoreStatement(ctx context.Context, by parley.Editor, id int64) error {
	return g.deleteOrRestore(ctx, by, parley.KindStatement, idKey(id), false)
}

func (g reviewGate) DeleteSource(ctx context.Context, by parley.Editor, id int64) error {
	return g.deleteOrRestore(ctx, by, parley.KindSource, idKey(id), true)
}

func (g reviewGate) RestoreSource(ctx context.Context, by parley.Editor, id int64) error {
	return g.deleteOrRestore(ctx, by, parley.KindSource, idKey(id), false)
}

func (g reviewGate) DeleteActor(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindActor, slug, true)
}

func (g reviewGate) RestoreActor(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindActor, slug, false)
}

func (g reviewGate) DeleteDemand(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindDemand, slug, true)
}

func (g reviewGate) RestoreDemand(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindDemand, slug, false)
}

func (g reviewGate) DeleteRegion(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindRegion, slug, true)
}

func (g reviewGate) RestoreRegion(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindRegion, slug, false)
}

func (g reviewGate) DeleteSide(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindSide, slug, true)
}

func (g reviewGate) RestoreSide(ctx context.Context, by parley.Editor, slug string) error {
	return g.deleteOrRestore(ctx, by, parley.KindSide, slug, false)
}

// Import previews as usual; applying it proposes the whole file as one
// candidate.
func (g reviewGate) Import(ctx context.Context, by parley.Editor, items []parley.ImportStatement, apply bool) (parley.ImportReport, error) {
	rep, err := g.Store.Import(ctx, by, items, false)
	if err != nil || !apply {
		return rep, err
	}
	return rep, g.propose(ctx, by, parley.Proposal{Kind: parley.KindImport, Op: parley.OpImport, Import: items})
}

// CreateStatements (an article's drafts, from intake) proposes one
// candidate per draft, all or none.
func (g reviewGate) CreateStatements(ctx context.Context, by parley.Editor, ins []parley.StatementInput) ([]parley.Statement, error) {
	ids, err := g.ProposeStatements(ctx, by, ins)
	if err != nil {
		return nil, err
	}
	return nil, &parley.Proposed{ID: ids[0], IDs: ids}
}

func (g reviewGate) RestoreRevision(ctx context.Context, by parley.Editor, revID int64) (parley.Kind, string, error) {
	return "", "", g.propose(ctx, by, parley.Proposal{Op: parley.OpRevert, Revision: revID})
}

// proposedRedirect answers a write that became a candidate: the
// candidate's page, saying what happens next.
func proposedRedirect(sm *scs.SessionManager, w http.ResponseWriter, r *http.Request, p *parley.Proposed) {
	msg := "Saved as candidate " + idKey(p.ID) + ". It is published once another editor approves it."
	if p.Again {
		msg = "This form had already been saved as candidate " + idKey(p.ID) + "; nothing was proposed twice."
	}
	to := parley.CandidatePath(p.ID)
	if len(p.IDs) > 1 {
		msg = "Saved " + strconv.Itoa(len(p.IDs)) + " statements as candidates (" + idKey(p.IDs[0]) + " to " + idKey(p.IDs[len(p.IDs)-1]) +
			"). Each is published once another editor approves it."
		to = "/review"
	}
	setFlash(sm, r, msg, "")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// handleReview lists the candidates waiting, most consequential first,
// and the viewer's own decided ones with the reasons given.
func handleReview(st reviewStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, _ := currentUser(r)
		pending, mine, err := st.ListCandidates(r.Context(), parley.CandidateFilter{Author: u.ID, Limit: 200})
		if err != nil {
			return err
		}
		var d views.ReviewData
		for _, c := range pending {
			d.Pending = append(d.Pending, candidateView(c, u))
		}
		for _, c := range mine {
			d.Mine = append(d.Mine, candidateView(c, u))
		}
		return render(w, r, views.ReviewPage(page(r, "Review"), d))
	}
}

func candidateID(r *http.Request) (int64, error) { return parley.ParseID(chi.URLParam(r, "id")) }

// handleCandidate shows one candidate: what it changes, field by field,
// and the approve and reject forms.
func handleCandidate(st reviewStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := candidateID(r)
		if err != nil {
			return err
		}
		c, err := st.GetCandidate(r.Context(), id)
		if err != nil {
			return err
		}
		u, _ := currentUser(r)
		return render(w, r, views.CandidatePage(page(r, "Candidate "+idKey(id)), candidateView(c, u)))
	}
}

// candidateView is a candidate as the review pages show it to u.
func candidateView(c parley.Candidate, u parley.User) views.CandidateView {
	v := views.CandidateView{Candidate: c, Own: u.ID == c.Author.ID || u.ID == c.LastEditor.ID,
		NeedsAdmin: c.Proposal.Kind == parley.KindSide && u.Role != parley.RoleAdmin}
	if c.Proposal.Op == parley.OpImport {
		for _, sn := range c.After {
			if sn.Kind != parley.KindStatement {
				continue
			}
			var st parley.Statement
			if json.Unmarshal(sn.Data, &st) == nil {
				v.Statements = append(v.Statements, st)
			}
		}
		return v
	}
	var after json.RawMessage
	for _, sn := range c.After {
		if sn.Kind == c.Proposal.Kind || (c.Proposal.Op == parley.OpRevert && sn.ID != 0) {
			after = sn.Data
		}
	}
	var before json.RawMessage
	if c.Before != nil {
		before = c.Before.Data
	}
	if after != nil {
		v.Changes = diffSnapshots(before, after)
	}
	return v
}

// diffSnapshots lists the fields that differ between two snapshots of a
// record (before nil: every field of a new record).
func diffSnapshots(before, after json.RawMessage) []views.FieldChange {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		if !slices.Contains(ignoredFields, k) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []views.FieldChange
	for _, k := range names {
		if bv, av := show(b[k]), show(a[k]); av != bv {
			out = append(out, views.FieldChange{Field: k, Before: bv, After: av})
		}
	}
	return out
}

// handleApprove publishes a candidate. Approving one's own is refused
// (also by the database); a candidate decided or changed since the page
// was shown, or no longer applicable, gets the conflict page.
func handleApprove(sm *scs.SessionManager, st reviewStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, version, err := candidateForm(r)
		if err != nil {
			return err
		}
		c, err := st.GetCandidate(r.Context(), id)
		if err != nil {
			return err
		}
		u, _ := currentUser(r)
		if c.Proposal.Kind == parley.KindSide && u.Role != parley.RoleAdmin {
			return &HTTPError{Status: http.StatusForbidden, Message: "Only admins approve changes to sides: a side's role decides what counts in the gaps."}
		}
		c, err = st.Approve(r.Context(), editor(r), id, version)
		if err != nil {
			return reviewError(w, r, st, id, u, err)
		}
		setFlash(sm, r, "Approved candidate "+idKey(id)+": the change is published.", "")
		to := c.RecordPath()
		switch {
		case c.Proposal.Op == parley.OpDelete:
			to = c.Proposal.Kind.Index() // the record left the published pages
		case to == "":
			to = "/review"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
}

// handleReject closes a candidate with the reason its author will read.
func handleReject(sm *scs.SessionManager, st reviewStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, version, err := candidateForm(r)
		if err != nil {
			return err
		}
		u, _ := currentUser(r)
		_, err = st.Reject(r.Context(), editor(r), id, version, r.PostForm.Get("reason"))
		var ve *parley.ValidationError
		if errors.As(err, &ve) {
			c, gerr := st.GetCandidate(r.Context(), id)
			if gerr != nil {
				return gerr
			}
			v := candidateView(c, u)
			v.ReasonError, v.Typed = ve.Fields["reason"], r.PostForm.Get("reason")
			return renderStatus(w, r, http.StatusUnprocessableEntity, views.CandidatePage(page(r, "Candidate "+idKey(id)), v))
		}
		if err != nil {
			return reviewError(w, r, st, id, u, err)
		}
		setFlash(sm, r, "Rejected candidate "+idKey(id)+"; its author sees your reason.", "")
		http.Redirect(w, r, "/review", http.StatusSeeOther)
		return nil
	}
}

// reviewError explains a refused approval or rejection.
func reviewError(w http.ResponseWriter, r *http.Request, st reviewStore, id int64, u parley.User, err error) error {
	var ce *parley.ConflictError[parley.Candidate]
	var se *parley.StaleCandidateError
	switch {
	case errors.Is(err, parley.ErrOwnCandidate):
		return &HTTPError{Status: http.StatusForbidden, Message: "You proposed this change (or were the last to edit it), so you cannot approve it: " +
			"nothing is published until a second editor has checked it. Ask another editor to review it."}
	case errors.As(err, &ce):
		v := candidateView(ce.Current, u)
		v.Conflict = "This candidate changed since the page was shown (" + string(ce.Current.Status) + " now): nothing was approved or rejected. Look at it again."
		return renderStatus(w, r, http.StatusConflict, views.CandidatePage(page(r, "Candidate changed"), v))
	case errors.As(err, &se):
		fresh, gerr := st.GetCandidate(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		v := candidateView(fresh, u)
		v.Conflict = se.Reason + " Nothing was approved: reject this candidate, and propose the change again from the record as it is now."
		return renderStatus(w, r, http.StatusConflict, views.CandidatePage(page(r, "Candidate no longer applies"), v))
	}
	return err
}

// candidateForm reads a candidate's id from the path and the version the
// page showed from the form.
func candidateForm(r *http.Request) (int64, int, error) {
	id, err := candidateID(r)
	if err != nil {
		return 0, 0, err
	}
	if err := parseForm(r); err != nil {
		return 0, 0, err
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || version < 1 {
		return 0, 0, badRequest("The form is missing the candidate's version. Reload the page and try again.")
	}
	return id, version, nil
}

// pendingMarks returns the candidates waiting on a record, for the editors
// reading its page (nothing for anyone else).
func pendingMarks(r *http.Request, st interface {
	PendingFor(ctx context.Context, k parley.Kind, key string) ([]parley.Candidate, error)
}, k parley.Kind, key string) ([]views.PendingMark, error) {
	u, ok := currentUser(r)
	if !ok || (u.Role != parley.RoleEditor && u.Role != parley.RoleAdmin) {
		return nil, nil
	}
	cs, err := st.PendingFor(r.Context(), k, key)
	var out []views.PendingMark
	for _, c := range cs {
		out = append(out, views.PendingMark{ID: c.ID, Label: strings.TrimSpace(c.Proposal.Label()), Author: c.Author.Email,
			Own: c.Author.ID == u.ID, CreatedAt: c.CreatedAt})
	}
	return out, err
}

type pendingKey struct{}

// markPending finds, for an editor reading a record's page (/actors/{slug},
// /statements/{id}, …), the changes to it that wait for review; page()
// shows them above the record.
func markPending(st reviewStore, e errorRenderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			plural, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			if ok && key != "" && !strings.ContainsAny(key, "/.") {
				for _, k := range parley.Kinds {
					if k.Plural() != plural {
						continue
					}
					marks, err := pendingMarks(r, st, k, key)
					if err != nil {
						e.render(w, r, err)
						return
					}
					if len(marks) > 0 {
						r = r.WithContext(context.WithValue(r.Context(), pendingKey{}, marks))
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// inputToForm fills the statement form with a proposal's input: the first
// report in the source picker (or the new source's fields), the others as
// report rows.
func inputToForm(in parley.StatementInput) views.StatementForm {
	f := views.StatementForm{Actor: in.Actor, Date: in.Date.Input(), Precision: string(in.Date.Precision), Quote: in.Quote,
		Summary: in.Summary, Occasion: in.Occasion, Attribution: string(in.Attribution), SourceQuote: in.SourceQuote,
		Regions: map[string]bool{}, Errors: map[string]string{}}
	reports := in.Reports
	switch {
	case in.NewSource != nil:
		ns := in.NewSource
		f.NewSource = views.SourceFields{Outlet: ns.Outlet, Title: ns.Title, URL: ns.URL, Via: ns.Via}
		if !ns.Published.Time.IsZero() {
			f.NewSource.Published = ns.Published.Input()
		}
	case in.SourceID != 0:
		f.SourceID = idKey(in.SourceID)
	case len(reports) > 0:
		f.SourceID, f.SourceQuote = idKey(reports[0].SourceID), reports[0].Quote
		reports = reports[1:]
	}
	for _, rp := range reports {
		f.Reports = append(f.Reports, views.ReportRow{Source: idKey(rp.SourceID), Quote: rp.Quote})
	}
	for _, r := range in.Regions {
		f.Regions[r] = true
	}
	for _, p := range in.Positions {
		f.Positions = append(f.Positions, views.PositionRow{Demand: p.Demand, Stance: string(p.Stance)})
		for _, c := range p.Conditions {
			f.Conditions = append(f.Conditions, views.ConditionRow{Of: p.Demand, Side: c.Side, Demand: c.Demand, Stance: string(c.Stance)})
		}
	}
	return f
}

// candidateStatementForm is the statement form revising candidate c.
func candidateStatementForm(c parley.Candidate) (views.StatementForm, error) {
	if c.Status != parley.CandidatePending || c.Proposal.Statement == nil {
		return views.StatementForm{}, &HTTPError{Status: http.StatusConflict,
			Message: "Only a waiting candidate for a new or edited statement can be revised. Propose the change again instead."}
	}
	f := inputToForm(*c.Proposal.Statement)
	f.Action, f.Heading, f.Submit = c.Path()+"/edit", "Revise candidate "+idKey(c.ID), "Save the revised candidate"
	f.Version = c.Version
	return f, nil
}

// handleCandidateEdit shows the statement form with a candidate's input,
// for another editor to correct before it is approved.
func handleCandidateEdit(st interface {
	statementEditStore
	reviewStore
}) handlerFunc {
	h := statementFormHandler{st: st}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := candidateID(r)
		if err != nil {
			return err
		}
		c, err := st.GetCandidate(r.Context(), id)
		if err != nil {
			return err
		}
		f, err := candidateStatementForm(c)
		if err != nil {
			return err
		}
		return h.show(w, r, http.StatusOK, f)
	}
}

// handleCandidateRevise saves a revised candidate: its reviser becomes its
// last editor, who cannot approve it either.
func handleCandidateRevise(sm *scs.SessionManager, st interface {
	statementEditStore
	reviewStore
}) handlerFunc {
	h := statementFormHandler{st: st}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := candidateID(r)
		if err != nil {
			return err
		}
		c, err := st.GetCandidate(r.Context(), id)
		if err != nil {
			return err
		}
		if _, err := candidateStatementForm(c); err != nil {
			return err
		}
		f, in, p, err := parseStatementForm(r)
		if err != nil {
			return err
		}
		f.Action, f.Heading, f.Submit = c.Path()+"/edit", "Revise candidate "+idKey(c.ID), "Save the revised candidate"
		f.IdemKey = ""
		if done, err := h.addRow(w, r, &f); done || err != nil {
			return err
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
		_, err = st.ReviseStatement(r.Context(), editor(r), id, f.Version, in)
		var ce *parley.ConflictError[parley.Candidate]
		if errors.As(err, &ce) {
			u, _ := currentUser(r)
			v := candidateView(ce.Current, u)
			v.Conflict = "This candidate changed since you opened the form (" + string(ce.Current.Status) + " now): your revision was not saved."
			return renderStatus(w, r, http.StatusConflict, views.CandidatePage(page(r, "Candidate changed"), v))
		}
		if err != nil {
			if err := h.formErrors(&f, nil, err); err != nil {
				return err
			}
			return h.show(w, r, http.StatusUnprocessableEntity, f)
		}
		setFlash(sm, r, "Revised candidate "+idKey(id)+". A third editor — neither its author nor you — approves it.", "")
		http.Redirect(w, r, c.Path(), http.StatusSeeOther)
		return nil
	}
}
