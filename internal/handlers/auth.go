package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"parley"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"parley/internal/auth"
	"parley/views"
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
// sign-in, idle and absolute expiry, HttpOnly SameSite=Lax cookies. Over
// HTTPS (secure) the cookie's name carries the __Host- prefix, which
// browsers accept only when it is Secure, for Path=/ and without a Domain,
// so neither a subdomain nor a plain-HTTP page can plant or overwrite it.
func newSessions(st scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.IdleTimeout = 2 * time.Hour
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "parley_session"
	if secure {
		sm.Cookie.Name = "__Host-parley_session"
	}
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
	BeginLoginAttempt(ctx context.Context, email, ip, client, device string) (int64, time.Duration, error)
	FinishLoginAttempt(ctx context.Context, id int64, success bool) error
	RememberLoginDevice(ctx context.Context, userID int64, old, token string) error
}

// handleLoginForm shows the sign-in form.
func handleLoginForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, views.LoginPage(page(r, "Sign in"), views.LoginForm{Next: safeNext(r.URL.Query().Get("next"))}))
	}
}

// handleLogin signs a user in. Unknown email, wrong password and disabled
// account get the same answer in the same time; repeated failures per
// account or per client make the next attempt wait (429 with Retry-After);
// every attempt is logged. A browser that signed in is known to the
// account from then on (dc). An account whose password an admin chose goes
// to choose its own first.
func handleLogin(log *slog.Logger, sm *scs.SessionManager, st loginStore, trusted []netip.Prefix, dc deviceCookie) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		email := strings.TrimSpace(r.PostForm.Get("email"))
		form := views.LoginForm{Email: email, Next: safeNext(r.PostForm.Get("next"))}
		if len(email) > parley.MaxEmailLen {
			// Refused before any database work: no ledger row, no lock.
			form.Email = ""
			form.Error = fmt.Sprintf("An email address has at most %d characters. Check the address and try again.", parley.MaxEmailLen)
			return renderStatus(w, r, http.StatusUnprocessableEntity, views.LoginPage(page(r, "Sign in"), form))
		}
		device := dc.read(r)
		u, ok, wait, err := checkPassword(ctx, log, st, clientAddr(r, trusted), device, email, r.PostForm.Get("password"))
		if err != nil {
			return err
		}
		if wait > 0 {
			setRetryAfter(w, wait)
			form.Error = "Too many failed sign-ins for this account or from your network. Try again in " + waitText(wait) + "."
			return renderStatus(w, r, http.StatusTooManyRequests, views.LoginPage(page(r, "Sign in"), form))
		}
		if !ok {
			form.Error = "That email and password do not match an active account."
			return renderStatus(w, r, http.StatusUnauthorized, views.LoginPage(page(r, "Sign in"), form))
		}
		// A fresh session id at sign-in: a token planted before cannot ride along.
		if err := sm.RenewToken(ctx); err != nil {
			return err
		}
		sm.Put(ctx, "user_id", u.ID)
		if err := st.RememberLoginDevice(ctx, u.ID, device, dc.set(w)); err != nil {
			return err
		}
		next := form.Next
		switch {
		case u.MustChangePassword:
			next = accountPasswordPath
		case next == "":
			next = "/"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

// checkPassword is one throttled password check on the account email, from
// client, in the browser that presents device (a device cookie's token, or
// ""): the attempt is recorded before the password is checked, so
// parallel attempts cannot slip past the count. It returns the account and
// whether the password is right and the account active, or how long the
// caller must wait before trying again (nothing was checked).
func checkPassword(ctx context.Context, log *slog.Logger, st loginStore, client netip.Addr, device, email, pw string) (parley.User, bool, time.Duration, error) {
	ip := client.String()
	id, wait, err := st.BeginLoginAttempt(ctx, email, ip, throttleKey(client), device)
	if err != nil {
		return parley.User{}, false, 0, err
	}
	if wait > 0 {
		log.WarnContext(ctx, "sign-in throttled", "email", email, "ip", ip, "wait", wait)
		return parley.User{}, false, wait, nil
	}
	if len(pw) > auth.MaxPasswordLen {
		pw = "" // never checked, never truncated: simply wrong
	}
	u, err := st.GetUserByEmail(ctx, email)
	ok := false
	switch {
	case errors.Is(err, parley.ErrNotFound):
		if err := verifyPassword(ctx, dummyHash, pw); errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return parley.User{}, false, 0, err
		}
	case err != nil:
		return parley.User{}, false, 0, err
	default:
		perr := verifyPassword(ctx, u.PasswordHash, pw)
		if errors.Is(perr, context.DeadlineExceeded) || errors.Is(perr, context.Canceled) {
			return parley.User{}, false, 0, perr
		}
		ok = perr == nil && !u.Disabled && pw != ""
	}
	// Recorded even if the client has gone: an attempt left pending
	// counts as a failure.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := st.FinishLoginAttempt(fctx, id, ok); err != nil {
		return parley.User{}, false, 0, err
	}
	log.InfoContext(ctx, "sign-in attempt", "email", email, "ip", ip, "success", ok)
	return u, ok, 0, nil
}

// setRetryAfter tells the client, in whole seconds, when to try again.
func setRetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
}

// waitText says a wait in words, rounded up: "40 seconds", "3 minutes".
func waitText(d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	switch {
	case secs <= 1:
		return "1 second"
	case secs < 60:
		return strconv.Itoa(secs) + " seconds"
	case secs <= 60:
		return "1 minute"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
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
