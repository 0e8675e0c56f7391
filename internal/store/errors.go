package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound means the record does not exist (or is deleted, where the
	// method says so).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means the write clashes with what is stored: a duplicate
	// slug, or a version that is no longer the newest.
	ErrConflict = errors.New("store: conflict")
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
	return "store: invalid input: " + strings.Join(parts, "; ")
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

// wrap translates driver errors into the store's sentinel errors and adds
// what was being done.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("store: %s: %w (%s)", what, ErrConflict, pgErr.ConstraintName)
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return &ValidationError{Fields: map[string]string{"form": "Some text contains characters that are not valid text (a NUL byte or broken encoding). Retype it."}}
		case "23514", "22001": // check_violation, string_data_right_truncation
			// The schema's own rules caught what validation let through:
			// still the user's input, never a server error.
			return &ValidationError{Fields: map[string]string{"form": "A value is outside what Parley accepts (" +
				pgErr.ConstraintName + "). Check lengths and formats."}}
		}
	}
	var ve *ValidationError
	if errors.As(err, &ve) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
