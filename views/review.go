package views

import (
	"parley"
	"time"
)

// ReviewData is the review page: the candidates waiting, most
// consequential first, and the viewer's own decided ones.
type ReviewData struct {
	Pending []CandidateView
	Mine    []CandidateView
}

// CandidateView is one candidate as the review pages show it.
type CandidateView struct {
	parley.Candidate
	Own         bool // the viewer proposed it or edited it last: they cannot approve it
	NeedsAdmin  bool // a side's change, and the viewer is no admin
	Changes     []FieldChange
	Statements  []parley.Statement // an import's statements
	Conflict    string             // why the approval or rejection just tried did nothing
	Typed       string             // the rejection reason as typed, shown again with ReasonError
	ReasonError string
}

// PendingMark tells an editor on a record's page that a change to it waits
// for review.
type PendingMark struct {
	ID        int64
	Label     string
	Author    string
	Own       bool
	CreatedAt time.Time
}
