package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"parley"
	"strings"
	"unicode/utf8"

	"parley/views"
)

type lookupStore interface {
	FindActors(ctx context.Context, q string, limit int) ([]parley.Actor, error)
	FindSources(ctx context.Context, q string, limit int) ([]parley.Source, error)
}

// suggestion is one match a search field offers as the editor types.
type suggestion struct {
	Value string `json:"value"` // what the field then holds, which the server resolves
	Label string `json:"label"`
}

// handleSuggest answers a search field's typeahead (static/suggest.js)
// with up to ten matches of q: ?q= at least two characters.
func handleSuggest(find func(ctx context.Context, q string) ([]suggestion, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if utf8.RuneCountInString(q) > 300 {
			return badRequest("q: at most 300 characters.")
		}
		out := []suggestion{}
		if utf8.RuneCountInString(q) >= 2 {
			var err error
			if out, err = find(r.Context(), q); err != nil {
				return err
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-store")
		return json.NewEncoder(w).Encode(out)
	}
}

func suggestActors(st lookupStore) handlerFunc {
	return handleSuggest(func(ctx context.Context, q string) ([]suggestion, error) {
		actors, err := st.FindActors(ctx, q, lookupLimit)
		out := make([]suggestion, 0, len(actors))
		for _, a := range actors {
			out = append(out, suggestion{Value: a.Slug, Label: a.Name + " (" + views.SideLabel(a.Side) + ")"})
		}
		return out, err
	})
}

func suggestSources(st lookupStore) handlerFunc {
	return handleSuggest(func(ctx context.Context, q string) ([]suggestion, error) {
		srcs, err := st.FindSources(ctx, q, lookupLimit)
		out := make([]suggestion, 0, len(srcs))
		for _, s := range srcs {
			out = append(out, suggestion{Value: sourceEntry(s), Label: views.SourceLine(s)})
		}
		return out, err
	})
}
