package handlers

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
)

// render writes c with status 200.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	return renderStatus(w, r, http.StatusOK, c)
}

// renderStatus renders c into a buffer first, so a failed render never
// sends half a page, then writes it with status.
func renderStatus(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
