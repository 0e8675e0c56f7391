package parley

import (
	"encoding/json"
	"time"
)

// Change is one entry of the change log: a revision with what it names.
type Change struct {
	Revision
	Label string // the record's name, title or summary at that revision
}

// ChangeFilter selects the change log.
type ChangeFilter struct {
	Editor string // user email
	Kind   Kind
	Limit  int
}

// RecordInfo names a record of any kind, deleted or not.
type RecordInfo struct {
	ID      int64
	Label   string
	Deleted bool
}

// StatementChange is a statement as it stood after one of its revisions.
type StatementChange struct {
	RevisionID int64
	Action     string
	At         time.Time
	Statement  Statement
}

// Editor is who makes a change; the zero Editor is Parley itself (seed,
// command line).
type Editor struct {
	ID    int64
	Email string
}

// Revision is one entry of a record's history: the full record as it stood
// after the change.
type Revision struct {
	ID         int64
	EntityType Kind
	EntityID   int64
	Version    int
	Action     string
	Data       json.RawMessage
	UserEmail  string
	// ApprovedBy is the editor who approved the version under two-person
	// review (empty when it was published without review).
	ApprovedBy string
	CreatedAt  time.Time
}
