// Package views renders Parley's HTML pages with templ. Views receive plain
// view models and never touch the database.
package views

// Page is what the layout needs from every page.
type Page struct {
	Title     string
	UserEmail string // signed-in user, or empty
	UserRole  string // editor or admin, or empty
	Flash     string // one-time message after a change
	FlashUndo string // where an "Undo" button posts, if the change can be undone
	// Pending are the changes to the page's record waiting for review
	// (editors only).
	Pending []PendingMark
}

// CanEdit reports whether the viewer may change records.
func (p Page) CanEdit() bool { return p.UserRole == "editor" || p.UserRole == "admin" }

// IsAdmin reports whether the viewer manages accounts.
func (p Page) IsAdmin() bool { return p.UserRole == "admin" }
