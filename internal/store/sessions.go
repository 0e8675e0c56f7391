package store

import (
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions keeps signed-in sessions in the sessions table (scs's session
// store), with database errors translated like every other store error,
// so a session lookup during an outage answers 503, not 500.
type Sessions struct {
	pg *pgxstore.PostgresStore
}

// NewSessions returns a session store over pool. It sweeps nothing by
// itself (pgxstore's sweeper races with its own stop, scs issue #231):
// DeleteExpiredSessions does that.
func NewSessions(pool *pgxpool.Pool) *Sessions {
	return &Sessions{pg: pgxstore.NewWithCleanupInterval(pool, 0)}
}

// Find returns the data of the session with token, and whether it exists.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	b, ok, err := s.pg.Find(token)
	return b, ok, wrap(err, "find session")
}

// Commit saves the session's data until expiry.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return wrap(s.pg.Commit(token, b, expiry), "save session")
}

// Delete removes the session.
func (s *Sessions) Delete(token string) error {
	return wrap(s.pg.Delete(token), "delete session")
}

// All returns every unexpired session's data by token, so a user's sessions
// can be found and ended (disabling an account, changing a password).
func (s *Sessions) All() (map[string][]byte, error) {
	m, err := s.pg.All()
	return m, wrap(err, "list sessions")
}
