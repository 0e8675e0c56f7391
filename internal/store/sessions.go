package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions keeps signed-in sessions in the sessions table (scs's session
// store, with the table pgxstore uses), with database errors translated
// like every other store error, so a session lookup during an outage
// answers 503, not 500. scs calls the Ctx methods with the request's
// context, so a session read or write that waits on the database (a lock,
// a synchronous standby that is down) ends with the request's deadline
// instead of holding the request forever.
type Sessions struct {
	pool *pgxpool.Pool
}

// NewSessions returns a session store over pool. It sweeps nothing by
// itself: DeleteExpiredSessions does that.
func NewSessions(pool *pgxpool.Pool) *Sessions {
	return &Sessions{pool: pool}
}

// FindCtx returns the data of the unexpired session with token, and whether
// it exists.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap(err, "find session")
	}
	return b, true, nil
}

// CommitCtx saves the session's data until expiry.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
	return wrap(err, "save session")
}

// DeleteCtx removes the session.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return wrap(err, "delete session")
}

// Find is FindCtx without a deadline.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a deadline.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a deadline.
func (s *Sessions) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// All returns every unexpired session's data by token, so a user's sessions
// can be found and ended (disabling an account, changing a password).
func (s *Sessions) All() (map[string][]byte, error) {
	return s.AllCtx(context.Background())
}

// AllCtx is All with the request's deadline.
func (s *Sessions) AllCtx(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT token, data FROM sessions WHERE current_timestamp < expiry`)
	if err != nil {
		return nil, wrap(err, "list sessions")
	}
	m := map[string][]byte{}
	var token string
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&token, &data}, func() error {
		m[token] = data
		return nil
	})
	return m, wrap(err, "list sessions")
}
