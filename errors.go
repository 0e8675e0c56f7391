package parley

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ConflictError is returned when a write names a version of a record of
// type T that is no longer the newest: Current holds the record as it now
// stands. It matches ErrConflict with errors.Is; errors.As finds it by its
// record type (*ConflictError[Statement]).
type ConflictError[T any] struct {
	Current T
}

func (e *ConflictError[T]) Error() string { return "parley: the record changed since it was loaded" }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError[T]) Unwrap() error { return ErrConflict }

// InUseError is returned when deleting an actor or demand that statements
// still use.
type InUseError struct {
	What       string
	Statements []StatementRef
}

// StatementRef names a statement briefly.
type StatementRef struct {
	ID      int64
	Actor   string // the actor's name, where the reader fills it
	Summary string
	Date    Date
}

func (e *InUseError) Error() string {
	ids := make([]string, len(e.Statements))
	for i, s := range e.Statements {
		ids[i] = fmt.Sprint(s.ID)
	}
	return fmt.Sprintf("parley: %s is used by statements %s", e.What, strings.Join(ids, ", "))
}

var (
	// ErrNotFound means the record does not exist (or is deleted, where the
	// method says so).
	ErrNotFound = errors.New("parley: not found")
	// ErrConflict means the write clashes with what is stored: a duplicate
	// slug, or a version that is no longer the newest.
	ErrConflict = errors.New("parley: conflict")
	// ErrUnavailable means the database cannot be reached right now (down,
	// restarting, or out of time): trying again later may succeed, and
	// nothing was written.
	ErrUnavailable = errors.New("parley: database unavailable")
)

// ValidationError lists what is wrong with an input, by field name, in
// words meant for the person who typed it.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "parley: invalid input: " + strings.Join(parts, "; ")
}

// Problems collects field messages; Err returns nil when there are none.
type Problems map[string]string

// Add records msg for field unless the field already has a message.
func (p Problems) Add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Err returns a *ValidationError, or nil when p is empty.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: p}
}
