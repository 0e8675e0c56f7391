package parley

import "time"

// User is an editor or admin account.
type User struct {
	ID           int64
	Email        string
	PasswordHash string
	Role         Role
	CreatedAt    time.Time
	Disabled     bool
}
