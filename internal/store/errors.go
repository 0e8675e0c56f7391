package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"parley"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// wrap translates driver errors into the domain's errors (ErrNotFound,
// ErrConflict, ErrUnavailable, *ValidationError) and adds what was being
// done.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if unavailable(err) && !errors.Is(err, parley.ErrUnavailable) {
		return fmt.Errorf("store: %s: %w: %w", what, parley.ErrUnavailable, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, parley.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("store: %s: %w (%s)", what, parley.ErrConflict, pgErr.ConstraintName)
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return &parley.ValidationError{Fields: map[string]string{"form": "Some text contains characters that are not valid text (a NUL byte or broken encoding). Retype it."}}
		case "23514", "22001": // check_violation, string_data_right_truncation
			// The schema's own rules caught what validation let through:
			// still the user's input, never a server error. The constraint's
			// name is the schema's business, not the reader's.
			return &parley.ValidationError{Fields: map[string]string{"form": "A value is outside what Parley accepts. Check lengths and formats."}}
		}
	}
	var ve *parley.ValidationError
	if errors.As(err, &ve) || errors.Is(err, parley.ErrNotFound) || errors.Is(err, parley.ErrConflict) ||
		errors.Is(err, parley.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// unavailable reports whether err means the database cannot be reached
// (down, restarting, or the request ran out of time waiting for it).
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: shutting down / cannot connect now.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return pgconn.SafeToRetry(err)
}
