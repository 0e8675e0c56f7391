package views

import "parley/internal/store"

// StanceSymbol is a mark for each step of the stance scale, so the scale
// reads without colour.
func StanceSymbol(stance string) string {
	switch stance {
	case "insists":
		return "▲▲"
	case "supports":
		return "▲"
	case "open":
		return "◆"
	case "opposes":
		return "▼"
	case "rejects":
		return "▼▼"
	}
	return "·"
}

// SourceLine names a source in one line: outlet, "via", headline.
func SourceLine(s store.Source) string {
	out := s.Outlet
	if s.Via != "" {
		out += " (via " + s.Via + ")"
	}
	if s.Title != "" {
		out += ": “" + s.Title + "”"
	}
	if d := s.Published.String(); d != "" {
		out += ", " + d
	}
	return out
}
