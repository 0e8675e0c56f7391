package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/alexedwards/scs/v2"

	"parley/internal/auth"
	"parley/views"
)

const accountPasswordPath = "/account/password"

type accountStore interface {
	loginStore
	ChangePassword(ctx context.Context, id int64, passwordHash string) error
}

// handleAccountPasswordForm shows the form to change one's own password.
func handleAccountPasswordForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return showAccountPassword(w, r, http.StatusOK, map[string]string{})
	}
}

func showAccountPassword(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	u, _ := currentUser(r)
	return renderStatus(w, r, status, views.AccountPasswordPage(page(r, "Change your password"),
		views.PasswordForm{Errors: errs, Required: u.MustChangePassword}))
}

// handleAccountPassword changes the signed-in user's password: the current
// one is required (and checked as a sign-in is, throttled), the new one
// must meet the password policy. Every other session of the account ends;
// this one continues under a fresh id.
func handleAccountPassword(log *slog.Logger, sm *scs.SessionManager, st accountStore, trusted []netip.Prefix, dc deviceCookie) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		me, _ := currentUser(r)
		current, next, confirm := r.PostForm.Get("current_password"), r.PostForm.Get("new_password"), r.PostForm.Get("confirm_password")
		errs := map[string]string{}
		if msg := auth.CheckPasswordPolicy(next); msg != "" {
			errs["new_password"] = msg
		} else if next == current {
			errs["new_password"] = "Choose a password different from your current one."
		}
		if confirm != next {
			errs["confirm_password"] = "This does not match the new password. Type it again."
		}
		if current == "" {
			errs["current_password"] = "Enter your current password."
		} else {
			_, ok, wait, err := checkPassword(ctx, log, st, clientAddr(r, trusted), dc.read(r), me.Email, current)
			switch {
			case err != nil:
				return err
			case wait > 0:
				setRetryAfter(w, wait)
				errs["current_password"] = "Too many wrong passwords for this account. Try again in " + waitText(wait) + "."
				return showAccountPassword(w, r, http.StatusTooManyRequests, errs)
			case !ok:
				errs["current_password"] = "That is not your current password."
			}
		}
		if len(errs) > 0 {
			return showAccountPassword(w, r, http.StatusUnprocessableEntity, errs)
		}
		hash, err := auth.HashPassword(next)
		if err != nil {
			return err
		}
		if err := st.ChangePassword(ctx, me.ID, hash); err != nil {
			return err
		}
		// A fresh id for this session first, so ending the account's
		// sessions in the store leaves this one (saved after the handler).
		if err := sm.RenewToken(ctx); err != nil {
			return err
		}
		if err := endUserSessions(ctx, sm, me.ID); err != nil {
			return err
		}
		log.InfoContext(ctx, "password changed", "user_id", me.ID, "email", me.Email)
		setFlash(sm, r, "Your password has been changed. Any other place you were signed in has been signed out.", "")
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
}

// endUserSessions deletes every stored session of account id, at once, on
// the server.
func endUserSessions(ctx context.Context, sm *scs.SessionManager, id int64) error {
	return sm.Iterate(ctx, func(ctx context.Context) error {
		if sm.GetInt64(ctx, "user_id") == id {
			// Inside Iterate the token is the stored (hashed) one:
			// delete it directly, as Destroy would hash it again.
			return sm.Store.Delete(sm.Token(ctx))
		}
		return nil
	})
}

// requirePasswordChange sends a signed-in user who still has an initial
// password an admin chose to choose their own, from every page but that
// form and signing out.
func requirePasswordChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := currentUser(r); ok && u.MustChangePassword {
			switch r.URL.Path {
			case accountPasswordPath, "/logout", "/login":
			default:
				http.Redirect(w, r, accountPasswordPath, http.StatusSeeOther)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
