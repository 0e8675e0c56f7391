package store

import (
	"context"
	"parley"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const userCols = `id, email, password_hash, role, created_at, disabled_at IS NOT NULL`

func scanUser(row pgx.Row) (parley.User, error) {
	var u parley.User
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &u.CreatedAt, &u.Disabled)
	return u, err
}

// CreateUser stores a new account. The password must already be hashed.
// It returns a *ValidationError for a bad email or role and ErrConflict
// when the email is taken (case-insensitively).
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string, role parley.Role) (parley.User, error) {
	email = strings.TrimSpace(email)
	p := parley.Problems{}
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 || strings.Count(email, "@") != 1 ||
		strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		p.Add("email", "Enter an email address like name@example.org.")
	}
	if !role.Valid() {
		p.Add("role", "Choose editor or admin.")
	}
	if passwordHash == "" {
		p.Add("password", "A password is required.")
	}
	if err := p.Err(); err != nil {
		return parley.User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING `+userCols,
		email, passwordHash, role))
	return u, wrap(err, "create user %q", email)
}

// GetUserByEmail returns the account with email (case-insensitively);
// ErrNotFound if there is none.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (parley.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1)`, strings.TrimSpace(email)))
	return u, wrap(err, "get user %q", email)
}

// GetUser returns the account with id; ErrNotFound if there is none.
func (s *Store) GetUser(ctx context.Context, id int64) (parley.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	return u, wrap(err, "get user %d", id)
}

// ListUsers returns every account by email.
func (s *Store) ListUsers(ctx context.Context) ([]parley.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY lower(email)`)
	if err != nil {
		return nil, wrap(err, "list users")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.User, error) { return scanUser(r) })
	return out, wrap(err, "list users")
}

// SetUserRole changes an account's role.
func (s *Store) SetUserRole(ctx context.Context, id int64, role parley.Role) error {
	if !role.Valid() {
		return parley.Problems{"role": "Choose editor or admin."}.Err()
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET role = $2 WHERE id = $1`, id, role)
	if err == nil && tag.RowsAffected() == 0 {
		err = parley.ErrNotFound
	}
	return wrap(err, "set user %d role", id)
}

// SetUserDisabled disables or re-enables an account. A disabled account
// cannot sign in, and its sessions end at their next request.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1`, id, disabled)
	if err == nil && tag.RowsAffected() == 0 {
		err = parley.ErrNotFound
	}
	return wrap(err, "set user %d disabled", id)
}

// RecordLoginAttempt logs a sign-in attempt for throttling and audit.
func (s *Store) RecordLoginAttempt(ctx context.Context, email, ip string, success bool) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_attempts (email, ip, success) VALUES ($1, $2, $3)`,
		strings.ToLower(strings.TrimSpace(email)), ip, success)
	return wrap(err, "record login attempt")
}

// RecentLoginFailures counts failed sign-ins since since, for the account
// and for the client address.
func (s *Store) RecentLoginFailures(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE lower(email) = lower($1)), count(*) FILTER (WHERE ip = $2)
		FROM login_attempts
		WHERE NOT success AND created_at >= $3 AND (lower(email) = lower($1) OR ip = $2)`,
		strings.TrimSpace(email), ip, since).Scan(&byEmail, &byIP)
	return byEmail, byIP, wrap(err, "count login failures")
}

// DeleteExpiredSessions removes sessions past their expiry, and sign-in
// attempts older than 90 days (kept that long for audit).
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < now()`); err != nil {
		return wrap(err, "delete expired sessions")
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE created_at < now() - interval '90 days'`)
	return wrap(err, "delete old login attempts")
}
