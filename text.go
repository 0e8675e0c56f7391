package parley

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is lowercase ASCII words joined by hyphens
// and not a word the site's addresses use themselves (/actors/new).
func ValidSlug(s string) bool { return len(s) <= 100 && slugRE.MatchString(s) && s != "new" }

// CheckText reports text that cannot be stored (a NUL byte, or bytes that
// are not UTF-8) for each named field.
func (p Problems) CheckText(fields map[string]string) {
	for name, v := range fields {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			p.Add(name, "This contains characters that are not text (a NUL byte or broken encoding). Retype it.")
		}
	}
}

// CleanText trims text and turns CRLF line breaks (from browsers' textareas)
// into LF, so text reads back exactly as it is exported and imported.
func CleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID in its canonical text form.
func ValidUUID(s string) bool { return uuidRE.MatchString(s) }

// NewUUID returns a random (version 4) UUID, as idempotency keys use.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
