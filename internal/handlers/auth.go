package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"parley"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"parley/internal/auth"
	"parley/views"
)

// Sign-in throttling: this many failures within the window, per account or
// per client address, refuse further attempts until the window passes.
const (
	maxLoginFailures = 5
	loginWindow      = 5 * time.Minute
)

// hashing bounds concurrent password checks: each argon2id check takes
// 19 MiB, so a flood of sign-ins must queue rather than exhaust memory.
var hashing = make(chan struct{}, 4)

func verifyPassword(ctx context.Context, hash, pw string) error {
	select {
	case hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-hashing }()
	return auth.VerifyPassword(hash, pw)
}

// dummyHash is checked against when the email is unknown, so an unknown
// email and a wrong password take the same time.
var dummyHash, _ = auth.HashPassword("parley timing equaliser")

// newSessions configures server-side sessions in store: a fresh token at
// sign-in, idle and absolute expiry, HttpOnly SameSite=Lax cookies.
func newSessions(st scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.IdleTimeout = 2 * time.Hour
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "parley_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.HashTokenInStore = true
	return sm
}

type userStore interface {
	GetUser(ctx context.Context, id int64) (parley.User, error)
}

const flashKey ctxKey = 100

// loadUser puts the signed-in user (if any, and not disabled) and any flash
// message into the request context. Signed-in responses are never cached.
func loadUser(sm *scs.SessionManager, st userStore, e errorRenderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if id := sm.GetInt64(ctx, "user_id"); id != 0 {
				u, err := st.GetUser(ctx, id)
				switch {
				case err == nil && !u.Disabled:
					ctx = context.WithValue(ctx, userKey, u)
					w.Header().Set("Cache-Control", "no-store")
				case err == nil || errors.Is(err, parley.ErrNotFound):
					_ = sm.Destroy(ctx) // disabled or removed: the session ends
				default:
					e.render(w, r, err)
					return
				}
			}
			if msg := sm.PopString(ctx, "flash"); msg != "" {
				ctx = context.WithValue(ctx, flashKey, flashMsg{Text: msg, Undo: sm.PopString(ctx, "flash_undo")})
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func currentUser(r *http.Request) (parley.User, bool) {
	u, ok := r.Context().Value(userKey).(parley.User)
	return u, ok
}

// editor is who signs a change: the signed-in user.
func editor(r *http.Request) parley.Editor {
	u, _ := currentUser(r)
	return parley.Editor{ID: u.ID, Email: u.Email}
}

// flashMsg is a one-time message shown after a change, with the address
// an Undo button posts to when the change can be undone.
type flashMsg struct {
	Text, Undo string
}

// setFlash shows msg on the next page the user sees.
func setFlash(sm *scs.SessionManager, r *http.Request, msg, undo string) {
	sm.Put(r.Context(), "flash", msg)
	if undo != "" {
		sm.Put(r.Context(), "flash_undo", undo)
	}
}

// requireRole lets signed-in users with one of roles through. Others are
// sent to sign in (reads) or refused (writes).
func requireRole(e errorRenderer, roles ...parley.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := currentUser(r)
			if !ok {
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				e.render(w, r, &HTTPError{Status: http.StatusForbidden, Message: "Sign in as an editor to make changes."})
				return
			}
			if len(roles) > 0 && !slices.Contains(roles, u.Role) {
				e.render(w, r, &HTTPError{Status: http.StatusForbidden, Message: "Your account may not do this: it needs the " + list(roles, " or ") + " role."})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type loginStore interface {
	GetUserByEmail(ctx context.Context, email string) (parley.User, error)
	RecordLoginAttempt(ctx context.Context, email, ip string, success bool) error
	RecentLoginFailures(ctx context.Context, email, ip string, since time.Time) (int, int, error)
}

// handleLoginForm shows the sign-in form.
func handleLoginForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, views.LoginPage(page(r, "Sign in"), views.LoginForm{Next: safeNext(r.URL.Query().Get("next"))}))
	}
}

// handleLogin signs a user in. Unknown email, wrong password and disabled
// account get the same answer in the same time; repeated failures per
// account or per client are throttled; every attempt is logged.
func handleLogin(log *slog.Logger, sm *scs.SessionManager, st loginStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		email := strings.TrimSpace(r.PostForm.Get("email"))
		pw := r.PostForm.Get("password")
		form := views.LoginForm{Email: email, Next: safeNext(r.PostForm.Get("next"))}
		ip := clientIP(r)
		byEmail, byIP, err := st.RecentLoginFailures(ctx, email, ip, time.Now().Add(-loginWindow))
		if err != nil {
			return err
		}
		if byEmail >= maxLoginFailures || byIP >= maxLoginFailures {
			log.WarnContext(ctx, "sign-in throttled", "email", email, "ip", ip)
			form.Error = "Too many failed sign-ins. Wait five minutes, then try again."
			return renderStatus(w, r, http.StatusTooManyRequests, views.LoginPage(page(r, "Sign in"), form))
		}
		if len(pw) > auth.MaxPasswordLen {
			pw = "" // never checked, never truncated: simply wrong
		}
		u, err := st.GetUserByEmail(ctx, email)
		ok := false
		switch {
		case errors.Is(err, parley.ErrNotFound):
			if err := verifyPassword(ctx, dummyHash, pw); errors.Is(err, context.DeadlineExceeded) {
				return err
			}
		case err != nil:
			return err
		default:
			perr := verifyPassword(ctx, u.PasswordHash, pw)
			if errors.Is(perr, context.DeadlineExceeded) || errors.Is(perr, context.Canceled) {
				return perr
			}
			ok = perr == nil && !u.Disabled && pw != ""
		}
		if err := st.RecordLoginAttempt(ctx, email, ip, ok); err != nil {
			return err
		}
		log.InfoContext(ctx, "sign-in attempt", "email", email, "ip", ip, "success", ok)
		if !ok {
			form.Error = "That email and password do not match an active account."
			return renderStatus(w, r, http.StatusUnauthorized, views.LoginPage(page(r, "Sign in"), form))
		}
		// A fresh session id at sign-in: a token planted before cannot ride along.
		if err := sm.RenewToken(ctx); err != nil {
			return err
		}
		sm.Put(ctx, "user_id", u.ID)
		next := form.Next
		if next == "" {
			next = "/"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

// handleLogout ends the session on the server.
func handleLogout(sm *scs.SessionManager) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := sm.Destroy(r.Context()); err != nil {
			return err
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
}

// safeNext keeps a post-sign-in destination only if it is a path on this site.
func safeNext(next string) string {
	// Browsers ignore tabs and newlines in URLs and read \ as /, so
	// "/\t/evil.example" would leave the site: allow none of them.
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return ""
	}
	return next
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
