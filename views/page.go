// Package views renders Parley's HTML pages with templ. Views receive plain
// view models and never touch the database.
package views

// Page is what the layout needs from every page.
type Page struct {
	Title     string
	UserEmail string // signed-in editor, or empty
}
