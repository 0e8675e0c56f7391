package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"parley"
	"strconv"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"parley/internal/auth"
	"parley/views"
)

type usersStore interface {
	ListUsers(ctx context.Context) ([]parley.User, error)
	CreateUserWithInitialPassword(ctx context.Context, email, passwordHash string, role parley.Role) (parley.User, error)
	SetUserRole(ctx context.Context, id int64, role parley.Role) error
	SetUserDisabled(ctx context.Context, id int64, disabled bool) error
}

func userForm(v, errs map[string]string) views.SimpleForm {
	return views.SimpleForm{Action: "/admin/users", Submit: "Add user", Errors: errs, Fields: []views.FormField{
		text("email", "Email", v, errs, "", map[string]any{"type": "email", "required": true, "maxlength": "254"}),
		{Field: views.Field{Name: "role", Label: "Role", Value: v["role"], Error: errs["role"]}, Kind: "select", Options: opts(parley.Roles, ident)},
		text("password", "Initial password", map[string]string{}, errs, "At least 8 characters, not a common password; share it privately. The user must choose their own at first sign-in.", map[string]any{"type": "password", "autocomplete": "new-password", "required": true}),
	}}
}

// lastAdminMsg explains why the last active admin keeps the role.
const lastAdminMsg = "That is the last active admin: someone must be able to manage accounts. Make another account an admin first."

// showUsers renders the users page with the add-user form f and, when a
// change was refused, msg.
func showUsers(w http.ResponseWriter, r *http.Request, st usersStore, status int, f views.SimpleForm, msg string) error {
	users, err := st.ListUsers(r.Context())
	if err != nil {
		return err
	}
	u, _ := currentUser(r)
	return renderStatus(w, r, status, views.UsersPage(page(r, "Users"), views.UsersData{Users: users, Form: f, Self: u.ID, Error: msg}))
}

// handleUsers lists accounts with the form to add one.
func handleUsers(st usersStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return showUsers(w, r, st, http.StatusOK, userForm(map[string]string{"role": "editor"}, map[string]string{}), "")
	}
}

// handleUserCreate adds an account, whose holder must replace the initial
// password at first sign-in.
func handleUserCreate(log *slog.Logger, sm *scs.SessionManager, st usersStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		v := map[string]string{"email": strings.TrimSpace(r.PostForm.Get("email")), "role": r.PostForm.Get("role")}
		pw := r.PostForm.Get("password")
		errs := map[string]string{}
		if msg := auth.CheckPasswordPolicy(pw); msg != "" {
			errs["password"] = msg
		}
		if len(errs) == 0 {
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			_, err = st.CreateUserWithInitialPassword(r.Context(), v["email"], hash, parley.Role(v["role"]))
			if fe, ok := validationFields(err); ok {
				errs = fe
			} else if errors.Is(err, parley.ErrConflict) {
				errs["email"] = "An account with this email already exists."
			} else if err != nil {
				return err
			}
		}
		if len(errs) > 0 {
			return showUsers(w, r, st, http.StatusUnprocessableEntity, userForm(v, errs), "")
		}
		log.InfoContext(r.Context(), "user created", "email", v["email"], "role", v["role"], "by", editor(r).Email)
		setFlash(sm, r, "Added "+v["email"]+".", "")
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	}
}

func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, parley.ErrNotFound
	}
	return id, nil
}

// handleUserRole changes an account's role.
func handleUserRole(log *slog.Logger, sm *scs.SessionManager, st usersStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := userID(r)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		role := parley.Role(r.PostForm.Get("role"))
		if err := st.SetUserRole(r.Context(), id, role); err != nil {
			if _, ok := validationFields(err); ok {
				return badRequest("role: choose editor or admin.")
			}
			if errors.Is(err, parley.ErrLastAdmin) {
				return showUsers(w, r, st, http.StatusConflict, userForm(map[string]string{"role": "editor"}, map[string]string{}), lastAdminMsg)
			}
			return err
		}
		log.InfoContext(r.Context(), "user role changed", "user_id", id, "role", role, "by", editor(r).Email)
		setFlash(sm, r, "Role changed.", "")
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	}
}

// handleUserDisable disables (ending every session of the account at once)
// or re-enables an account.
func handleUserDisable(log *slog.Logger, sm *scs.SessionManager, st usersStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := userID(r)
		if err != nil {
			return err
		}
		if id == editor(r).ID {
			return badRequest("You cannot disable your own account.")
		}
		if err := parseForm(r); err != nil {
			return err
		}
		disabled := r.PostForm.Get("disabled") != "0"
		if err := st.SetUserDisabled(r.Context(), id, disabled); err != nil {
			if errors.Is(err, parley.ErrLastAdmin) {
				return showUsers(w, r, st, http.StatusConflict, userForm(map[string]string{"role": "editor"}, map[string]string{}), lastAdminMsg)
			}
			return err
		}
		if disabled {
			// End the account's sessions on the server now, not at their next request.
			if err := endUserSessions(r.Context(), sm, id); err != nil {
				return err
			}
		}
		log.InfoContext(r.Context(), "user disabled", "user_id", id, "disabled", disabled, "by", editor(r).Email)
		setFlash(sm, r, map[bool]string{true: "Account disabled; its sessions have ended.", false: "Account enabled."}[disabled], "")
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	}
}

type sourcesStore interface {
	ListSources(ctx context.Context) ([]parley.Source, error)
	GetSource(ctx context.Context, id int64) (parley.Source, error)
	ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// handleSourcesIndex lists sources.
func handleSourcesIndex(st sourcesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sources, err := st.ListSources(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, views.SourcesPage(page(r, "Sources"), views.SourcesData{Sources: sources}))
	}
}

// handleSourceShow shows a source and the statements citing it.
func handleSourceShow(st sourcesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
		if err != nil || id < 1 {
			return parley.ErrNotFound
		}
		src, err := st.GetSource(r.Context(), id)
		if err != nil {
			return err
		}
		statements, err := st.ListStatements(r.Context(), parley.StatementFilter{SourceID: id, Limit: 500})
		if err != nil {
			return err
		}
		revs, err := st.ListRevisions(r.Context(), "source", id)
		if err != nil {
			return err
		}
		return render(w, r, views.SourcePage(page(r, src.Outlet), views.SourceData{Source: src, Statements: statements, Revisions: diffRevisions(revs)}))
	}
}
