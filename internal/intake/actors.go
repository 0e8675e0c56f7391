package intake

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// titleRE finds titles that may name one actor by role: qualifiers (a
// country, an office) before a title ("the Kremlin spokesman", "Russia's
// foreign minister", "Russian President's Spokesman").
var titleRE = regexp.MustCompile(`(?i)\b((?:(?:russian|russia['’]s|ukrainian|ukraine['’]s|kyiv['’]s|u\.s\.|us|american|kremlin|swiss|belarusian|belarus['’]s|french|british|president['’]s|foreign ministry|ministry) )+)(spokes(?:man|woman|person)|press secretary|president|leader|foreign minister|defen[cs]e secretary|secretary of defen[cs]e|secretary of state|prime minister|governor)\b`)

// titleRoles are the words an actor's role uses for each title.
var titleRoles = map[string][]string{
	"spokesman": {"spokesperson", "spokesman", "spokeswoman", "press secretary"}, "president": {"president"},
	"leader": {"president", "prime minister", "leader"}, "foreign minister": {"foreign minister", "minister of foreign affairs"},
	"defense secretary":  {"secretary of defense", "defense secretary", "defence secretary"},
	"secretary of state": {"secretary of state"}, "prime minister": {"prime minister"}, "governor": {"governor"},
}

// qualifierSides and qualifierWords say what a qualifier asks of an
// actor: to be of the side, or to have the word in its role.
var qualifierSides = map[string]string{
	"russian": "russia", "russia's": "russia", "ukrainian": "ukraine", "ukraine's": "ukraine", "kyiv's": "ukraine",
	"u.s.": "united-states", "us": "united-states", "american": "united-states", "belarusian": "belarus", "belarus's": "belarus",
	"swiss": "switzerland",
}
var qualifierWords = map[string][]string{
	"kremlin": {"kremlin"}, "president's": {"president"}, "foreign ministry": {"foreign ministry"}, "ministry": {"ministry"},
	"french": {"france", "french"}, "british": {"united kingdom", "british"},
}

// findActors finds actors by title, then by name or alias (a title's
// words are not read again as names: "Kremlin" in "the Kremlin spokesman").
func (a *Analyzer) findActors(d doc, sentences []sentence) []Finding {
	var out []Finding
	eachMatch(titleRE, d.text, sentences, func(m []int) {
		quals := strings.Fields(strings.ReplaceAll(d.fold[m[2]:m[3]], "’", "'"))
		// "foreign ministry" is one qualifier.
		for i := 0; i+1 < len(quals); i++ {
			if quals[i] == "foreign" && quals[i+1] == "ministry" {
				quals = append(append(quals[:i:i], "foreign ministry"), quals[i+2:]...)
			}
		}
		title := strings.Join(strings.Fields(d.fold[m[4]:m[5]]), " ")
		switch title {
		case "spokeswoman", "spokesperson", "press secretary":
			title = "spokesman"
		case "defence secretary", "secretary of defense", "secretary of defence":
			title = "defense secretary"
		}
		if slug := a.byTitle(quals, title); slug != "" {
			out = append(out, Finding{Kind: KindActor, Start: m[0], End: m[1], Text: d.text[m[0]:m[1]], Slug: slug, Note: "by title"})
		}
	})
	for _, f := range findPatterns(d, a.names, KindActor) {
		overlaps := false
		for _, t := range out {
			if f.Start < t.End && f.End > t.Start {
				overlaps = true
			}
		}
		// A body's name followed by a capitalised word is part of a longer
		// name: The Washington Post, the Moscow Exchange.
		if !overlaps && !isPerson(a.actors[f.Slug].Kind) && !strings.HasSuffix(f.Text, ".") && capitalNext(d.text[f.End:]) {
			overlaps = true
		}
		if !overlaps {
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

// byTitle returns the one person whose role fits the title and every
// qualifier; a role that begins with the title beats one that only
// mentions it ("President of Russia" over "Press secretary of the
// President of Russia"). "" when no single actor fits.
func (a *Analyzer) byTitle(quals []string, title string) string {
	best, bestRank, tie := "", 0, false
	for _, x := range a.actors {
		if !isPerson(x.Kind) {
			continue
		}
		role := strings.ToLower(x.Role)
		rank := 0
		for _, w := range titleRoles[title] {
			head := strings.TrimPrefix(strings.TrimPrefix(role, "us "), "former ")
			switch {
			case strings.HasPrefix(head, w) || strings.Contains(role, "("+w) || strings.Contains(role, " "+w+")"):
				rank = max(rank, 2)
			case strings.Contains(role, w):
				rank = max(rank, 1)
			}
		}
		if rank == 0 {
			continue
		}
		fits := true
		for _, q := range quals {
			if side, ok := qualifierSides[q]; ok && x.Side != side && !strings.Contains(role, strings.TrimSuffix(q, "'s")) {
				fits = false
			}
			for _, w := range qualifierWords[q] {
				if !strings.Contains(role, w) {
					fits = false
				}
			}
		}
		if !fits {
			continue
		}
		switch {
		case rank > bestRank:
			best, bestRank, tie = x.Slug, rank, false
		case rank == bestRank:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// nameRE finds runs of two or three capitalised words: possible names.
var nameRE = regexp.MustCompile(`\b\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+){1,2}\b`)

// personCue: words before a name that say a person follows ("the new
// ambassador, Alexander Darchiev").
var personCue = regexp.MustCompile(`(?i)\b(ambassador|governor|minister|president|spokes(?:man|woman|person)|analyst|secretary|chancellor|founder|envoy|general|commander|official|ruler|leader|adviser|advisor|aide|mayor|head|chief|negotiator|premier|senator|deputy|director)\b[ ,]*(?:\p{Lu}\p{Ll}+ )?$`)

// notNames are capitalised words that are not parts of a person's name.
var notNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`The A An In On At For And But Of To By From With President Minister Ministry Foreign
		Russian Ukrainian American Western European Kremlin General Staff Security Council Department State Defense Defence
		Secretary News Agency Post Press Photo Office National Assembly North Atlantic Treaty Organization United Nations
		States Kingdom Union Republic People Federation Exchange Group Seven Washington Moscow Kyiv Kiev Europe Russia Ukraine
		January February March April May June July August September October November December Monday Tuesday Wednesday
		Thursday Friday Saturday Sunday Source Details Background Quote More Comments Read Full Story Army West East South
		Sources However Meanwhile Furthermore Earlier Both All One Two Three Four Five Since After Before During This That
		These Those Former Prime Chief Head Swiss Belarus Special Operation Military Armed Forces Peace Talks Summit`) {
		notNames[w] = true
	}
}

// findUnknown lists names that look like people's (a title or a verb of
// saying beside them) and are no known actor's.
func findUnknown(d doc, sentences []sentence, known []Finding) []Finding {
	var out []Finding
	eachMatch(nameRE, d.text, sentences, func(m []int) {
		s, e := m[0], m[1]
		name := d.text[s:e]
		bad := false
		for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' }) {
			if notNames[w] {
				bad = true
			}
		}
		for _, k := range known {
			if s < k.End && e > k.Start {
				bad = true
			}
		}
		if bad {
			return
		}
		before := d.text[max(0, s-40):s]
		after := d.fold[e:min(len(d.fold), e+40)]
		if personCue.MatchString(before) || sayingNext(after) {
			out = append(out, Finding{Kind: KindUnknown, Start: s, End: e, Text: name, Note: "not a known actor"})
		}
	})
	return out
}

// sayingNext reports whether a verb of saying comes first in after
// (", founder of …, said" allowed).
func sayingNext(after string) bool {
	after = strings.TrimLeft(after, " ,")
	for _, v := range []string{"said", "says", "stated", "told", "declared", "announced", "warned", "added", "wrote"} {
		if strings.HasPrefix(after, v+" ") || strings.HasPrefix(after, v+",") || strings.HasPrefix(after, v+".") {
			return true
		}
	}
	return false
}

// capitalNext reports whether rest starts with a space and a capitalised
// word.
func capitalNext(rest string) bool {
	if len(rest) < 2 || rest[0] != ' ' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest[1:])
	return unicode.IsUpper(r)
}
