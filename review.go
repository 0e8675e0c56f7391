package parley

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Op is what a candidate does to a record.
type Op string

const (
	OpCreate  Op = "create"
	OpUpdate  Op = "update"
	OpDelete  Op = "delete"
	OpRestore Op = "restore" // undo a delete
	OpRevert  Op = "revert"  // make a record read as in an earlier revision
	OpImport  Op = "import"  // a whole CSV import, approved as one
)

// KindImport names an import's candidate, which changes many records.
const KindImport Kind = "import"

// Proposal is one change an editor proposes, as the input the write takes:
// approving it runs that write, so a candidate is validated exactly as a
// direct save is.
type Proposal struct {
	Kind     Kind   `json:"kind"`
	Op       Op     `json:"op"`
	Key      string `json:"key,omitempty"`      // the record's slug or id; empty for create and import
	Version  int    `json:"version,omitempty"`  // the vetted version the change was made against
	Revision int64  `json:"revision,omitempty"` // OpRevert: the revision to restore
	// Batch: one of an article's drafts (intake), saved as the batch
	// saves them (one source per article, ReportOf).
	Batch bool `json:"batch,omitempty"`

	Statement *StatementInput   `json:"statement,omitempty"`
	Actor     *ActorInput       `json:"actor,omitempty"`
	Demand    *DemandInput      `json:"demand,omitempty"`
	Region    *RegionInput      `json:"region,omitempty"`
	Source    *SourceInput      `json:"source,omitempty"`
	Side      *SideInput        `json:"side,omitempty"`
	Import    []ImportStatement `json:"import,omitempty"`
}

// Proposed is what a write answers under two-person review: the change is
// stored as candidate ID and waits for a second editor; nothing is
// published yet.
type Proposed struct {
	ID int64
	// IDs are all the candidates of a batch (intake's drafts), ID the first.
	IDs []int64
	// Again: the same form was already proposed (a resubmission).
	Again bool
}

func (p *Proposed) Error() string {
	return "parley: saved as candidate " + strconv.FormatInt(p.ID, 10) + ", awaiting review"
}

// CandidateStatus is where a candidate stands in review.
type CandidateStatus string

const (
	CandidatePending  CandidateStatus = "pending"
	CandidateApproved CandidateStatus = "approved"
	CandidateRejected CandidateStatus = "rejected"
)

// Snapshot is a record as a change would store it (or as it is stored),
// in the form its revisions keep.
type Snapshot struct {
	Kind Kind            `json:"kind"`
	ID   int64           `json:"id"`
	Data json.RawMessage `json:"data"`
}

// Candidate is a proposed change waiting for (or past) review.
type Candidate struct {
	ID         int64
	Proposal   Proposal
	Summary    string // one line naming the change
	Author     Editor
	LastEditor Editor
	Status     CandidateStatus
	Reason     string // why it was rejected
	DecidedBy  string
	DecidedAt  time.Time
	ResultKey  string // the record the approval created or changed
	Version    int
	CreatedAt  time.Time
	// Before is the vetted record the change applies to (nil for a
	// creation or an import); After is what the change would store.
	Before *Snapshot
	After  []Snapshot
	Impact Impact
}

// Path is the candidate's page.
func (c Candidate) Path() string { return CandidatePath(c.ID) }

// CandidatePath is the page of candidate id.
func CandidatePath(id int64) string { return "/review/" + strconv.FormatInt(id, 10) }

// RecordPath is the page of the record the candidate changes ("" for a
// creation not yet approved, and for an import).
func (c Candidate) RecordPath() string {
	key := c.Proposal.Key
	if c.ResultKey != "" {
		key = c.ResultKey
	}
	if key == "" || !c.Proposal.Kind.Valid() {
		return ""
	}
	return c.Proposal.Kind.Path(key)
}

// Impact grades what approving a candidate would change in the figures
// analysts read, so review takes the most consequential first.
type Impact struct {
	Level ImpactLevel
	Notes []string // in plain words: "Russia's position on neutrality: insists → open"
}

// ImpactLevel orders candidates on /review.
type ImpactLevel int

const (
	ImpactNone   ImpactLevel = iota // no figure changes
	ImpactMatrix                    // a matrix cell changes
	ImpactGap                       // a party's position changes: the gap and the bargaining space
)

// String names the level as the review page does.
func (l ImpactLevel) String() string {
	switch l {
	case ImpactGap:
		return "changes a party's position (gap, bargaining space)"
	case ImpactMatrix:
		return "changes a matrix cell"
	}
	return "changes no figure"
}

// Label says in a few words what the candidate does: "update statement 12".
func (p Proposal) Label() string {
	what := string(p.Kind)
	if p.Op == OpImport {
		return "import of " + strconv.Itoa(len(p.Import)) + " statements"
	}
	verb := map[Op]string{OpCreate: "new", OpUpdate: "edit of", OpDelete: "deletion of",
		OpRestore: "restoring of", OpRevert: "return to an earlier version of"}[p.Op]
	if p.Key != "" {
		return verb + " " + what + " " + p.Key
	}
	return verb + " " + what
}

// ErrOwnCandidate means an editor tried to approve a change they proposed,
// or were the last to edit: review needs a second pair of eyes.
var ErrOwnCandidate = errors.New("parley: an editor cannot approve their own change")

// StaleCandidateError means a candidate no longer applies as proposed:
// its record, or a record it refers to, changed since. Nothing is
// approved; the candidate waits, to be rejected or proposed anew.
type StaleCandidateError struct{ Reason string }

func (e *StaleCandidateError) Error() string { return "parley: candidate is stale: " + e.Reason }

// CandidateFilter selects candidates for the review page: the pending
// ones, and with Author set that editor's decided ones too.
type CandidateFilter struct {
	Author int64
	Limit  int
}
