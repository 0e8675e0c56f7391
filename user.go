package parley

import (
	"errors"
	"time"
)

// User is an editor or admin account.
type User struct {
	ID           int64
	Email        string
	PasswordHash string
	Role         Role
	CreatedAt    time.Time
	Disabled     bool
	// MustChangePassword is set while the account still has the initial
	// password an admin chose: its holder must choose their own first.
	MustChangePassword bool
}

// MaxEmailLen is the longest email address an account may have (RFC 5321's
// limit on a forward path).
const MaxEmailLen = 254

// ErrLastAdmin means the change would leave no active admin to manage
// accounts.
var ErrLastAdmin = errors.New("parley: the last active admin cannot be demoted or disabled")
