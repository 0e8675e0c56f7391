package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"parley"
	"sort"
	"strconv"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"parley/views"
)

// kind wires one kind of record to the store for the shared delete,
// restore and history handlers.
type kind struct {
	parley.Kind
	del     func(ctx context.Context, by parley.Editor, key string) error
	restore func(ctx context.Context, by parley.Editor, key string) error
}

func (k kind) key(r *http.Request) string { return chi.URLParam(r, k.Param()) }

// kinds wires each kind of record to the store.
// deleteStore is what the shared delete and restore handlers write.
type deleteStore interface {
	DeleteStatement(ctx context.Context, by parley.Editor, id int64) error
	RestoreStatement(ctx context.Context, by parley.Editor, id int64) error
	DeleteSource(ctx context.Context, by parley.Editor, id int64) error
	RestoreSource(ctx context.Context, by parley.Editor, id int64) error
	DeleteActor(ctx context.Context, by parley.Editor, slug string) error
	RestoreActor(ctx context.Context, by parley.Editor, slug string) error
	DeleteDemand(ctx context.Context, by parley.Editor, slug string) error
	RestoreDemand(ctx context.Context, by parley.Editor, slug string) error
	DeleteRegion(ctx context.Context, by parley.Editor, slug string) error
	RestoreRegion(ctx context.Context, by parley.Editor, slug string) error
	DeleteSide(ctx context.Context, by parley.Editor, slug string) error
	RestoreSide(ctx context.Context, by parley.Editor, slug string) error
}

func kinds(st deleteStore) map[parley.Kind]kind {
	byID := func(f func(context.Context, parley.Editor, int64) error) func(context.Context, parley.Editor, string) error {
		return func(ctx context.Context, by parley.Editor, key string) error {
			id, err := parley.ParseID(key)
			if err != nil {
				return err
			}
			return f(ctx, by, id)
		}
	}
	return map[parley.Kind]kind{
		parley.KindStatement: {parley.KindStatement, byID(st.DeleteStatement), byID(st.RestoreStatement)},
		parley.KindSource:    {parley.KindSource, byID(st.DeleteSource), byID(st.RestoreSource)},
		parley.KindActor:     {parley.KindActor, st.DeleteActor, st.RestoreActor},
		parley.KindDemand:    {parley.KindDemand, st.DeleteDemand, st.RestoreDemand},
		parley.KindRegion:    {parley.KindRegion, st.DeleteRegion, st.RestoreRegion},
		parley.KindSide:      {parley.KindSide, st.DeleteSide, st.RestoreSide},
	}
}

// handleDelete soft-deletes a record and offers to undo it.
func handleDelete(sm *scs.SessionManager, k kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := k.key(r)
		err := k.del(r.Context(), editor(r), key)
		var inUse *parley.InUseError
		if errors.As(err, &inUse) {
			d := views.InUseData{What: "this " + string(k.Kind), Statements: inUse.Statements, Truncated: len(inUse.Statements) >= 20}
			return renderStatus(w, r, http.StatusConflict, views.InUsePage(page(r, "Cannot delete"), d))
		}
		if err != nil {
			return err
		}
		setFlash(sm, r, "Deleted the "+string(k.Kind)+". It stays in the history and can be restored.", k.Path(key)+"/restore")
		http.Redirect(w, r, k.Index(), http.StatusSeeOther)
		return nil
	}
}

// handleRestore undoes a delete.
func handleRestore(sm *scs.SessionManager, k kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := k.key(r)
		if err := k.restore(r.Context(), editor(r), key); err != nil {
			return err
		}
		setFlash(sm, r, "Restored the "+string(k.Kind)+".", "")
		http.Redirect(w, r, k.Path(key), http.StatusSeeOther)
		return nil
	}
}

type historyStore interface {
	FindRecord(ctx context.Context, k parley.Kind, key string) (parley.RecordInfo, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// handleHistory shows a record's revisions field by field (deleted records
// included, with a restore button).
func handleHistory(st historyStore, k kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := k.key(r)
		rec, err := st.FindRecord(r.Context(), k.Kind, key)
		if err != nil {
			return err
		}
		revs, err := st.ListRevisions(r.Context(), k.Kind, rec.ID)
		if err != nil {
			return err
		}
		d := views.HistoryData{Kind: k.Kind, Label: rec.Label, RecordURL: k.Path(key), Revisions: diffRevisions(revs)}
		if rec.Deleted {
			d.RestoreURL = k.Path(key) + "/restore"
		}
		return render(w, r, views.HistoryPage(page(r, "History"), d))
	}
}

// ignoredFields change with every revision and say nothing to a reader.
var ignoredFields = []string{"version", "updated_at", "created_at", "id"}

// diffRevisions pairs each revision (newest first) with what changed since
// the one before it.
func diffRevisions(revs []parley.Revision) []views.RevisionView {
	out := make([]views.RevisionView, len(revs))
	for i, rev := range revs {
		out[i].Revision = rev
		if i+1 >= len(revs) {
			continue
		}
		out[i].Changes = diffSnapshots(revs[i+1].Data, rev.Data)
	}
	return out
}

// show renders a snapshot value for people: strings as they are,
// anything else as compact JSON.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		if t, ok := x["Time"].(string); ok && len(t) >= 10 { // a parley.Date
			return fmt.Sprintf("%s (%v)", t[:10], x["Precision"])
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type revisionStore interface {
	GetRevision(ctx context.Context, id int64) (parley.Revision, error)
	RestoreRevision(ctx context.Context, by parley.Editor, revID int64) (parley.Kind, string, error)
}

// handleRevisionRestore makes a record read as in an earlier revision.
func handleRevisionRestore(sm *scs.SessionManager, st revisionStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parley.ParseID(chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		rev, err := st.GetRevision(r.Context(), id)
		if err != nil {
			return err
		}
		if u, _ := currentUser(r); rev.EntityType == parley.KindSide && u.Role != parley.RoleAdmin {
			return &HTTPError{Status: http.StatusForbidden, Message: "Only admins change sides: a side's role decides what counts in the gaps."}
		}
		k, key, err := st.RestoreRevision(r.Context(), editor(r), id)
		var ve *parley.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, 0, len(ve.Fields))
			for _, m := range ve.Fields {
				msgs = append(msgs, m)
			}
			sort.Strings(msgs)
			return &HTTPError{Status: http.StatusConflict, Message: "That version cannot be restored as it is: " + strings.Join(msgs, " ") +
				" Edit the record instead."}
		}
		if err != nil {
			return err
		}
		setFlash(sm, r, "Restored the earlier version; the restore is itself a new version in the history.", "")
		http.Redirect(w, r, k.Path(key), http.StatusSeeOther)
		return nil
	}
}

type changesStore interface {
	ListChanges(ctx context.Context, f parley.ChangeFilter) ([]parley.Change, error)
	ListEditors(ctx context.Context) ([]string, error)
}

// handleChanges is the change log across the dataset.
func handleChanges(st changesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := parley.ChangeFilter{Editor: q.Get("editor"), Kind: parley.Kind(q.Get("type")), Limit: 200}
		if f.Kind != "" && !f.Kind.Valid() {
			return badRequest("type: " + strconv.Quote(string(f.Kind)) + " is not a record type. Use " + list(parley.Kinds, ", ") + ".")
		}
		editors, err := st.ListEditors(r.Context())
		if err != nil {
			return err
		}
		changes, err := st.ListChanges(r.Context(), f)
		if err != nil {
			return err
		}
		d := views.ChangesData{Editor: f.Editor, Type: string(f.Kind), Changes: changes}
		for _, e := range editors {
			d.Editors = append(d.Editors, views.Option{Value: e, Label: e})
		}
		return render(w, r, views.ChangesPage(page(r, "Changes"), d))
	}
}
