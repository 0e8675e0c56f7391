package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is an editor or admin account.
type User struct {
	ID           int64
	Email        string
	PasswordHash string
	Role         string
	CreatedAt    time.Time
	Disabled     bool
}

const userCols = `id, email, password_hash, role, created_at, disabled_at IS NOT NULL`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &u.CreatedAt, &u.Disabled)
	return u, err
}

// CreateUser stores a new account. The password must already be hashed.
// It returns a *ValidationError for a bad email or role and ErrConflict
// when the email is taken (case-insensitively).
func (s *Store) CreateUser(ctx context.Context, email, passwordHash, role string) (User, error) {
	email = strings.TrimSpace(email)
	p := Problems{}
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 || strings.Count(email, "@") != 1 ||
		strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		p.Add("email", "Enter an email address like name@example.org.")
	}
	if !slices.Contains(Roles, role) {
		p.Add("role", "Choose editor or admin.")
	}
	if passwordHash == "" {
		p.Add("password", "A password is required.")
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING `+userCols,
		email, passwordHash, role))
	return u, wrap(err, "create user %q", email)
}

// GetUserByEmail returns the account with email (case-insensitively);
// ErrNotFound if there is none.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1)`, strings.TrimSpace(email)))
	return u, wrap(err, "get user %q", email)
}
