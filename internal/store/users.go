package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"parley"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const userCols = `id, email, password_hash, role, created_at, disabled_at IS NOT NULL, must_change_password`

func scanUser(row pgx.Row) (parley.User, error) {
	var u parley.User
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &u.CreatedAt, &u.Disabled, &u.MustChangePassword)
	return u, err
}

// CreateUser stores a new account whose holder chose the password. The
// password must already be hashed. It returns a *ValidationError for a bad
// email or role and ErrConflict when the email is taken
// (case-insensitively).
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string, role parley.Role) (parley.User, error) {
	return s.createUser(ctx, email, passwordHash, role, false)
}

// CreateUserWithInitialPassword is CreateUser for a password someone else
// (an admin) chose: the account must change it at its first sign-in.
func (s *Store) CreateUserWithInitialPassword(ctx context.Context, email, passwordHash string, role parley.Role) (parley.User, error) {
	return s.createUser(ctx, email, passwordHash, role, true)
}

func (s *Store) createUser(ctx context.Context, email, passwordHash string, role parley.Role, mustChange bool) (parley.User, error) {
	email = strings.TrimSpace(email)
	p := parley.Problems{}
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 || strings.Count(email, "@") != 1 ||
		strings.ContainsAny(email, " \t\r\n") || len(email) > parley.MaxEmailLen {
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
		INSERT INTO users (email, password_hash, role, must_change_password) VALUES ($1, $2, $3, $4) RETURNING `+userCols,
		email, passwordHash, role, mustChange))
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

// ChangePassword replaces the password of account id (already hashed)
// and clears MustChangePassword. It returns ErrNotFound when there is no
// such account.
func (s *Store) ChangePassword(ctx context.Context, id int64, passwordHash string) error {
	if passwordHash == "" {
		return parley.Problems{"new_password": "A password is required."}.Err()
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, id, passwordHash)
	if err == nil && tag.RowsAffected() == 0 {
		err = parley.ErrNotFound
	}
	return wrap(err, "change password of user %d", id)
}

// adminsLock serialises changes to roles and disabling, so two of them
// cannot each see another admin left and together remove the last one.
const adminsLock = `SELECT pg_advisory_xact_lock(1884, 1)`

// changeAdmins runs update (an UPDATE of user id, $1, with args from $2)
// under adminsLock. When the change takes an account out of the active
// admins (removesAdmin) and it is the last one, it refuses with
// ErrLastAdmin. ErrNotFound when there is no account id.
func (s *Store) changeAdmins(ctx context.Context, id int64, removesAdmin bool, update string, args ...any) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, adminsLock); err != nil {
			return err
		}
		if removesAdmin {
			var isAdmin bool
			var others int
			err := tx.QueryRow(ctx, `
				SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND disabled_at IS NULL),
					(SELECT count(*) FROM users WHERE id <> $1 AND role = 'admin' AND disabled_at IS NULL)`, id).
				Scan(&isAdmin, &others)
			if err != nil {
				return err
			}
			if isAdmin && others == 0 {
				return parley.ErrLastAdmin
			}
		}
		tag, err := tx.Exec(ctx, update, append([]any{id}, args...)...)
		if err == nil && tag.RowsAffected() == 0 {
			err = parley.ErrNotFound
		}
		return err
	})
}

// SetUserRole changes an account's role. It returns ErrLastAdmin when that
// would leave no active admin, ErrNotFound when there is no such account.
func (s *Store) SetUserRole(ctx context.Context, id int64, role parley.Role) error {
	if !role.Valid() {
		return parley.Problems{"role": "Choose editor or admin."}.Err()
	}
	err := s.changeAdmins(ctx, id, role != parley.RoleAdmin, `UPDATE users SET role = $2 WHERE id = $1`, role)
	return wrap(err, "set user %d role", id)
}

// SetUserDisabled disables or re-enables an account. A disabled account
// cannot sign in, and its sessions end at their next request. It returns
// ErrLastAdmin when that would leave no active admin, ErrNotFound when
// there is no such account.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	err := s.changeAdmins(ctx, id, disabled, `UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1`, disabled)
	return wrap(err, "set user %d disabled", id)
}

// loginLock takes a transaction lock per throttling key, so attempts on
// one account (or from one client) are counted and recorded one at a time.
const loginLock = `SELECT pg_advisory_xact_lock(1884, hashtext($1))`

// BeginLoginAttempt records a sign-in attempt on email from address ip,
// counted for throttling under client (the address, or an IPv6 address's
// /64), from the browser that holds device (a token RememberLoginDevice
// stored, or ""). Under a lock on the account and one on the client, it
// counts their earlier failures (attempts still being checked count as
// failures) and records this attempt as pending, or as throttled when it
// must wait. An attempt from a browser the account has signed in from
// before is counted on that browser's failures alone, so failures
// elsewhere never hold the holder up there. It returns the attempt's id,
// for FinishLoginAttempt, and how long it must wait (0: check the
// password now).
func (s *Store) BeginLoginAttempt(ctx context.Context, email, ip, client, device string) (id int64, wait time.Duration, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	err = s.transact(ctx, func(tx pgx.Tx) error {
		// Always the account first, then the client: never a deadlock.
		if _, err := tx.Exec(ctx, loginLock, "account:"+email); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, loginLock, "client:"+client); err != nil {
			return err
		}
		var deviceID *int64
		if device != "" {
			err := tx.QueryRow(ctx, `
				SELECT d.id FROM login_devices d JOIN users u ON u.id = d.user_id
				WHERE d.token_hash = $1 AND lower(u.email) = $2 AND d.created_at > now() - $3::interval`,
				hashToken(device), email, loginDeviceLifetime).Scan(&deviceID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		// clock_timestamp, not now(): the transaction may have started
		// long before it got the locks.
		var now time.Time
		var account, byClient parley.LoginFailures
		var accountLast, clientLast *time.Time
		err := tx.QueryRow(ctx, `
			WITH since AS (
				SELECT clock_timestamp() AS now,
					-- GREATEST ignores the NULL of an account never signed in to.
					greatest(clock_timestamp() - $3::interval, (SELECT max(created_at) FROM login_attempts
						WHERE lower(email) = $1 AND outcome = 'success')) AS account_from),
			account AS (
				SELECT count(*) AS n, max(created_at) AS last FROM login_attempts, since
				WHERE lower(email) = $1 AND outcome IN ('pending', 'failure') AND created_at > since.account_from
					AND device_id IS NOT DISTINCT FROM $5::bigint),
			client AS (
				SELECT count(*) AS n, max(created_at) AS last FROM login_attempts, since
				WHERE $5::bigint IS NULL AND client = $2 AND device_id IS NULL
					AND outcome IN ('pending', 'failure') AND created_at > since.now - $4::interval)
			SELECT since.now, account.n, account.last, client.n, client.last
			FROM since, account, client`,
			email, client, parley.AccountLoginWindow, parley.ClientLoginWindow, deviceID).
			Scan(&now, &account.Count, &accountLast, &byClient.Count, &clientLast)
		if err != nil {
			return err
		}
		if accountLast != nil {
			account.Last = *accountLast
		}
		if clientLast != nil {
			byClient.Last = *clientLast
		}
		wait = parley.LoginWait(now, account, byClient)
		outcome := "pending"
		if wait > 0 {
			outcome = "throttled"
		}
		return tx.QueryRow(ctx, `
			INSERT INTO login_attempts (email, ip, client, outcome, device_id, created_at)
			VALUES ($1, $2, $3, $4, $5, clock_timestamp()) RETURNING id`,
			email, ip, client, outcome, deviceID).Scan(&id)
	})
	return id, wait, wrap(err, "begin login attempt")
}

// loginDeviceLifetime is how long a browser stays known after the sign-in
// that made it known (its cookie lasts as long).
const loginDeviceLifetime = 365 * 24 * time.Hour

// RememberLoginDevice makes token (a random value kept in a cookie) stand
// for a browser account userID has just signed in from, in place of old
// (the token it presented, if any), which stops counting.
func (s *Store) RememberLoginDevice(ctx context.Context, userID int64, old, token string) error {
	err := s.transact(ctx, func(tx pgx.Tx) error {
		if old != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM login_devices WHERE token_hash = $1`, hashToken(old)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO login_devices (user_id, token_hash) VALUES ($1, $2)`, userID, hashToken(token))
		return err
	})
	return wrap(err, "remember login device of user %d", userID)
}

// hashToken is how device tokens are stored: a leaked table gives no
// cookie away.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FinishLoginAttempt records whether attempt id, begun by
// BeginLoginAttempt, succeeded. An attempt never finished (the server
// stopped meanwhile) keeps counting as a failure.
func (s *Store) FinishLoginAttempt(ctx context.Context, id int64, success bool) error {
	outcome := "failure"
	if success {
		outcome = "success"
	}
	_, err := s.pool.Exec(ctx, `UPDATE login_attempts SET outcome = $2 WHERE id = $1 AND outcome = 'pending'`, id, outcome)
	return wrap(err, "finish login attempt")
}

// DeleteExpiredSessions removes sessions past their expiry, known browsers
// older than a year, and sign-in attempts older than 90 days (kept that
// long for audit).
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < now()`); err != nil {
		return wrap(err, "delete expired sessions")
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_devices WHERE created_at < now() - $1::interval`, loginDeviceLifetime); err != nil {
		return wrap(err, "delete old login devices")
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE created_at < now() - interval '90 days'`)
	return wrap(err, "delete old login attempts")
}
