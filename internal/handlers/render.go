package handlers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
)

// render writes c with status 200.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	return renderStatus(w, r, http.StatusOK, c)
}

// renderStatus renders c into a buffer first, so a failed render never
// sends half a page, then writes it with status.
func renderStatus(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := c.Render(r.Context(), buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// buffers keeps render buffers between requests: a dashboard is a few
// hundred kilobytes, and growing a fresh buffer to that for every request
// was a tenth of its CPU time.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps one unusually large page from pinning its buffer.
const maxPooledBuffer = 4 << 20
