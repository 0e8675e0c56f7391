package intake

import (
	"parley"
	"regexp"
	"slices"
	"strings"
)

// sayingRE finds verbs of saying (and of taking a position) in folded text.
var sayingRE = regexp.MustCompile(`\b(said|says|say|stated|states|told|tells|declared|declares|announced|warned|warns|added|insisted|insists|demanded|demands|rejected|rejects|reject|ruled out|rule out|rules out|called|calls|described|describes|argued|argues|claimed|claims|noted|emphasi[sz]ed|stressed|indicated|indicates|indicate|proposed|proposes|suggested|reiterated|revealed|asserted|expressed|urged|signall?ed|laid out|accepted|agreed|condemned|critici[sz]ed|estimated|reported|echoed|expects|promised|offered|refused|cited|pointed|according to|quote from|saying|mentioned|maintained|maintains|wrote|explained|confirmed|denied|admitted|threatened|vowed|pledged|acknowledged|justifies|backed|supports|supported|opposed|opposes|speaks|spoke)\b`)

// presentVerbs state a standing position ("Moscow claims"): dated to the
// year, not to a day.
var presentVerbs = map[string]bool{"says": true, "states": true, "tells": true, "declares": true, "warns": true, "insists": true,
	"demands": true, "rejects": true, "rules out": true, "calls": true, "describes": true, "argues": true, "claims": true,
	"indicates": true, "proposes": true, "maintains": true, "expects": true, "justifies": true, "supports": true, "opposes": true}

// perfectRE: "has repeatedly ruled out", "had previously condemned".
var perfectRE = regexp.MustCompile(`\b(?:has|have|had)(?: (?:long|repeatedly|consistently|already|previously|also|often|firmly|recently))* $`)

// anonRE finds second-hand sources: "five current and former Russian
// officials", "a senior source familiar with", "people familiar with".
var anonRE = regexp.MustCompile(`\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|several|many|some|both|all|all those|those|the|a|an|\d+) )?(?:of the )?(?:(?:current and former|current|former|senior|high-ranking|top|unnamed|anonymous|russian|ukrainian|kremlin|western|us|u\.s\.|american|european|government|diplomatic|military|intelligence|security|other) )*(?:sources?|officials?|insiders?|people familiar|person familiar|diplomats?)\b`)

// anonCueRE: words that make a phrase second-hand wherever it stands.
var anonCueRE = regexp.MustCompile(`familiar with|anonymous|anonymity|not authori[sz]ed to|declined to be named`)

var anonSides = map[string]string{"russian": "russia", "kremlin": "russia", "moscow": "russia", "ukrainian": "ukraine",
	"kyiv": "ukraine", "western": "nato", "us": "united-states", "u.s.": "united-states", "american": "united-states",
	"washington": "united-states", "european": "europe"}

// stance verbs that are unambiguous.
var (
	rejectsRE = regexp.MustCompile(`\b(rejected|rejects|rejection|ruled out|rules out|refused|refuses)\b`)
	insistsRE = regexp.MustCompile(`\b(insisted|insists|insistence|demanded|demands)\b`)
	negatedRE = regexp.MustCompile(`\b(not|never|no longer)\b[^.,;]{0,12}$|n't [^.,;]{0,12}$`)
)

var prepositions = map[string]bool{"with": true, "to": true, "of": true, "by": true, "from": true, "against": true, "for": true,
	"on": true, "about": true, "over": true, "between": true, "into": true, "at": true, "in": true, "than": true, "toward": true,
	"towards": true, "under": true, "like": true, "per": true, "and": true, "within": true, "among": true, "before": true, "after": true}

var pronounRE = regexp.MustCompile(`\b(he|she|they)(?: (?:also|then|later|further|again|previously|repeatedly|has|had|have))* $`)
var leadPronounRE = regexp.MustCompile(`^(?:(?:furthermore|however|meanwhile|moreover|also|and|but|then|later|earlier),? )?(he|she|they)\b`)
var relativeRE = regexp.MustCompile(`, (?:which|who|when|where)\b[^,]*`)

// sentenceFacts is what one sentence holds, outside its quotations.
type sentenceFacts struct {
	sentence
	quotes  []Finding
	actors  []Finding // outside quotes
	verbs   [][]int   // outside quotes
	dates   []Finding // outside quotes and relative clauses
	regions []string
	demands []string
}

// drafts proposes one draft per sentence that quotes someone or reports
// what someone said, and adds the anonymous sources it found as actors.
func (a *Analyzer) drafts(d doc, pub parley.Date, sentences []sentence, quotes, actors, regions, demands, dates []Finding) []Draft {
	var out []Draft
	inside := func(pos int, fs []Finding) bool {
		for _, f := range fs {
			if pos >= f.Start && pos < f.End {
				return true
			}
		}
		return false
	}
	// The last speakers named: he or she is the last person, they anyone.
	prevSpeaker, prevPerson := "", ""
	prevAnon := map[string]string{} // side → anonymous actor chosen earlier
	lastAnonSide := ""
	type pending struct {
		i     int // index in out
		tense string
		anon  bool
		actor string
		para  int
	}
	var undated []pending
	// occasion is each speaker's date given relative to publication ("on
	// Friday"): their undated remarks elsewhere in the article are dated by it.
	occasion := map[string]parley.Date{}
	for _, s := range sentences {
		f := sentenceFacts{sentence: s}
		for _, q := range quotes {
			if q.Start >= s.start && q.End <= s.end {
				f.quotes = append(f.quotes, q)
			}
		}
		for _, x := range actors {
			if x.Start >= s.start && x.End <= s.end && !inside(x.Start, f.quotes) {
				f.actors = append(f.actors, x)
			}
		}
		for _, m := range sayingRE.FindAllStringIndex(d.fold[s.start:s.end], -1) {
			if !inside(s.start+m[0], f.quotes) {
				f.verbs = append(f.verbs, []int{s.start + m[0], s.start + m[1]})
			}
		}
		rel := relativeRE.FindAllStringIndex(d.text[s.start:s.end], -1)
		for _, x := range dates {
			if x.Start < s.start || x.End > s.end || inside(x.Start, f.quotes) || x.Date.Time.IsZero() {
				continue
			}
			inRel := false
			for _, r := range rel {
				if x.Start >= s.start+r[0] && x.End <= s.start+r[1] {
					inRel = true
				}
			}
			if !inRel {
				f.dates = append(f.dates, x)
			}
		}
		for _, x := range regions {
			if x.Start >= s.start && x.End <= s.end && !slices.Contains(f.regions, x.Slug) {
				f.regions = append(f.regions, x.Slug)
			}
		}
		for _, x := range demands {
			if x.Start >= s.start && x.End <= s.end && !slices.Contains(f.demands, x.Slug) {
				f.demands = append(f.demands, x.Slug)
			}
		}
		if len(f.quotes) == 0 && len(f.verbs) == 0 {
			continue
		}
		dr := Draft{Sentence: strings.TrimSpace(d.text[s.start:s.end]), Start: s.start, End: s.end,
			Regions: f.regions, Demands: f.demands}
		for _, q := range f.quotes {
			if dr.Quote != "" {
				dr.Quote += " … "
			}
			dr.Quote += q.Text
		}
		verb := -1 // index in f.verbs of the verb the speaker goes with
		anonymous := false
		// 1. A second-hand source: drafted for an anonymous actor of the
		// side it speaks for, never for anyone it names.
		if phrase, ctx, ok := a.anonymousSource(d, f); ok {
			anonymous = true
			side := ""
			for w, sd := range anonSides {
				if containsWord(ctx, w) {
					side = sd
					break
				}
			}
			if side == "" {
				side = lastAnonSide
			}
			if side == "" {
				for _, x := range f.actors {
					if ac, ok := a.actors[x.Slug]; ok && ac.Kind != "anonymous" {
						side = ac.Side
						break
					}
				}
			}
			dr.ActorText, dr.Attribution = d.text[phrase[0]:phrase[1]], parley.Anonymous
			dr.Actor = prevAnon[side]
			if dr.Actor == "" {
				dr.Actor = a.anonymousActor(side, ctx)
			}
			if dr.Actor != "" {
				prevAnon[side] = dr.Actor
			}
			lastAnonSide = side
		}
		// 2. A named speaker beside a verb of saying, or a pronoun there.
		if !anonymous {
			for vi, v := range f.verbs {
				if slug, text := a.speakerAt(d, f, v, prevSpeaker, prevPerson); slug != "" {
					dr.Actor, dr.ActorText, verb = slug, text, vi
					break
				}
			}
		}
		// 3. A sentence that begins with he/she/they continues the last
		// speaker's; a quotation otherwise goes to the sentence's subject,
		// or to the neighbouring sentence's speaker.
		if !anonymous && dr.Actor == "" {
			full := d.fold[s.start:s.end]
			lead := strings.TrimLeft(full, "-–— ")
			off := s.start + len(full) - len(lead)
			if m := leadPronounRE.FindStringSubmatchIndex(lead); m != nil && pronounRef(lead[m[2]:m[3]], prevSpeaker, prevPerson) != "" {
				dr.Actor, dr.ActorText = pronounRef(lead[m[2]:m[3]], prevSpeaker, prevPerson), d.text[off+m[2]:off+m[3]]
			} else if subj := a.subjects(d, f); len(subj) > 0 && len(f.quotes) > 0 {
				dr.Actor, dr.ActorText = subj[0].Slug, subj[0].Text
			} else if len(f.quotes) > 0 && prevSpeaker != "" && len(out) > 0 && sentenceGap(out[len(out)-1], s) {
				dr.Actor, dr.ActorText = prevSpeaker, a.actors[prevSpeaker].Name
			}
		}
		if dr.Actor == "" && !anonymous && len(f.quotes) == 0 {
			continue // a verb with nobody known to say it
		}
		// Attribution and tense.
		tense := ""
		if verb < 0 && len(f.verbs) > 0 {
			verb = 0
		}
		if verb >= 0 {
			v := f.verbs[verb]
			w := d.fold[v[0]:v[1]]
			switch {
			case perfectRE.MatchString(d.fold[s.start:v[0]]):
				tense = "perfect"
			case presentVerbs[w] && len(f.quotes) == 0: // a quotation is one utterance, whatever the verb
				tense = "present"
			}
		}
		if !anonymous {
			ac := a.actors[dr.Actor]
			role := strings.ToLower(ac.Role)
			switch {
			case dr.Actor == "":
				dr.Attribution = parley.Reported
			case ac.Kind == "anonymous":
				dr.Attribution = parley.Anonymous
			case isPerson(ac.Kind) && (strings.Contains(role, "spokes") || strings.Contains(role, "press secretary")):
				dr.Attribution = parley.Spokesperson
			case verb >= 0 && d.fold[f.verbs[verb][0]:f.verbs[verb][1]] == "according to", tense != "", ac.Kind == "government":
				dr.Attribution = parley.Reported
			default:
				dr.Attribution = parley.OnRecord
			}
			if dr.Actor != "" && ac.Kind != "anonymous" {
				prevSpeaker = dr.Actor
				if isPerson(ac.Kind) {
					prevPerson = dr.Actor
				}
			}
		}
		// The date: the expression nearest the verb. An anonymous source
		// speaks when the report says, unless the text says when ("on
		// Tuesday"): its other dates are what it talks about.
		if anonymous {
			f.dates = slices.DeleteFunc(f.dates, func(x Finding) bool { return !relativeDateRE.MatchString(x.Text) })
		}
		if len(f.dates) > 0 {
			best := f.dates[0]
			if verb >= 0 {
				at := f.verbs[verb][0]
				for _, x := range f.dates {
					if abs(x.Start-at) < abs(best.Start-at) {
						best = x
					}
				}
			}
			dr.Date, dr.DateText = best.Date, best.Text
			if relativeDateRE.MatchString(best.Text) && dr.Actor != "" {
				occasion[dr.Actor] = best.Date
			}
		} else {
			undated = append(undated, pending{i: len(out), tense: tense, anon: anonymous || dr.Attribution == parley.Anonymous, actor: dr.Actor, para: s.para})
		}
		dr.Guesses = guesses(d.fold[s.start:s.end], f, dr.Demands)
		out = append(out, dr)
	}
	// Undated drafts: a standing position is the article's year; an
	// anonymous report is dated by the report; otherwise the date of the
	// same speaker's nearest dated remark in the paragraph, or earlier in
	// the article; else the article's month (no day the text does not give).
	paraOf := func(i int) int {
		for _, s := range sentences {
			if s.start == out[i].Start {
				return s.para
			}
		}
		return -1
	}
	for _, p := range undated {
		dr := &out[p.i]
		switch {
		case p.anon:
			dr.Date = pub
		case p.tense != "":
			dr.Date = truncate(pub, parley.Year)
		default:
			found := false
			if p.actor != "" {
				for dist := 1; dist < len(out) && !found; dist++ {
					for _, j := range []int{p.i - dist, p.i + dist} {
						if j >= 0 && j < len(out) && out[j].Actor == p.actor && out[j].DateText != "" && paraOf(j) == p.para {
							dr.Date, found = out[j].Date, true
							break
						}
					}
				}
				if d, ok := occasion[p.actor]; ok && !found {
					dr.Date, found = d, true
				}
			}
			if !found {
				dr.Date = truncate(pub, parley.Month)
			}
		}
	}
	return out
}

// sentenceGap reports whether the last draft's sentence directly precedes
// s in the same paragraph (a quotation continuing it).
func sentenceGap(last Draft, s sentence) bool {
	return last.End <= s.start && s.start-last.End <= 3
}

// anonymousSource finds a second-hand source in the sentence: the phrase,
// and the words from it to its verb (which name the side and the group).
func (a *Analyzer) anonymousSource(d doc, f sentenceFacts) ([]int, string, bool) {
	text := d.fold[f.start:f.end]
	if !strings.Contains(text, "source") && !strings.Contains(text, "official") && !strings.Contains(text, "insider") &&
		!strings.Contains(text, "familiar") && !strings.Contains(text, "diplomat") {
		return nil, "", false // (a quick test: most sentences have no source to find)
	}
	for _, m := range anonRE.FindAllStringIndex(text, -1) {
		s, e := f.start+m[0], f.start+m[1]
		if inQuotes(s, f.quotes) {
			continue
		}
		before := strings.TrimSpace(d.fold[max(f.start, s-20):s])
		cue := anonCueRE.MatchString(d.fold[s:min(f.end, e+60)]) || strings.HasSuffix(before, "according to") ||
			strings.HasSuffix(before, "citing") || strings.HasSuffix(before, "according to three of") ||
			strings.HasSuffix(before, "according to two of")
		if !cue {
			// Followed by a verb of saying, with no named speaker between.
			for _, v := range f.verbs {
				if v[0] < e {
					continue
				}
				named := false
				for _, x := range f.actors {
					if x.Start >= e && x.End <= v[0] && isPerson(a.actors[x.Slug].Kind) && !possessive(d, x) {
						named = true
					}
				}
				cue = !named && v[0]-e < 120
				break
			}
		}
		if !cue {
			continue
		}
		ctxEnd := e
		for _, v := range f.verbs {
			if v[0] >= e {
				ctxEnd = v[0]
				break
			}
		}
		return []int{s, e}, d.fold[s:ctxEnd], true
	}
	return nil, "", false
}

// anonymousActor picks the anonymous actor of side whose name shares most
// words with the source's description; "" when the side has none.
func (a *Analyzer) anonymousActor(side, ctx string) string {
	best, bestScore := "", -1
	slices.SortFunc(a.anon, func(x, y parley.Actor) int { return strings.Compare(x.Slug, y.Slug) })
	for _, x := range a.anon {
		if x.Side != side {
			continue
		}
		score := 0
		for _, w := range strings.Fields(strings.ToLower(x.Name + " " + strings.Join(x.Aliases, " "))) {
			stem := strings.TrimSuffix(w, "s")
			if len(stem) > 3 && stem != "anonymou" && strings.Contains(ctx, stem) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = x.Slug, score
		}
	}
	return best
}

// speakerAt finds who goes with the verb v: a named actor just before it
// ("Putin said", "Peskov, the Kremlin's spokesman, said"), a pronoun
// before it (the previous speaker), or a name just after ("said Tatiana
// Stanovaya").
func (a *Analyzer) speakerAt(d doc, f sentenceFacts, v []int, prev, prevPerson string) (string, string) {
	before := d.fold[f.start:v[0]]
	subj := a.subjects(d, f)
	if m := pronounRE.FindStringSubmatchIndex(before); m != nil && !inQuotes(f.start+m[2], f.quotes) {
		// A pronoun after the sentence's own subject is that subject.
		for _, x := range subj {
			if x.End <= f.start+m[2] {
				return x.Slug, x.Text
			}
		}
		if ref := pronounRef(before[m[2]:m[3]], prev, prevPerson); ref != "" {
			return ref, d.text[f.start+m[2] : f.start+m[3]]
		}
	}
	for i := len(subj) - 1; i >= 0; i-- {
		x := subj[i]
		if x.End > v[0] {
			continue
		}
		gap := d.text[x.End:v[0]]
		if len(strings.Fields(gap)) <= 8 && !strings.ContainsAny(stripQuotes(gap, x.End, f.quotes), ".;") {
			return x.Slug, x.Text
		}
		break
	}
	verb := d.fold[v[0]:v[1]]
	for _, x := range subj {
		if x.Start >= v[1] && x.Start-v[1] <= 3 && (verb == "said" || verb == "says" || verb == "added" || verb == "wrote" || verb == "according to" || verb == "quote from") {
			return x.Slug, x.Text
		}
	}
	if verb == "quote from" || verb == "according to" {
		for _, x := range subj {
			if x.Start >= v[1] && x.Start-v[1] <= 40 {
				return x.Slug, x.Text
			}
		}
	}
	return "", ""
}

// subjects are the sentence's actor mentions that can be a speaker: not
// possessive ("Putin's proposals"), not after a preposition ("talks with
// Putin"), not a body standing before a person's name as a modifier
// ("Kremlin spokesperson Dmitry Peskov").
func (a *Analyzer) subjects(d doc, f sentenceFacts) []Finding {
	var out []Finding
	for i, x := range f.actors {
		if possessive(d, x) && x.Note != "by title" {
			continue
		}
		words := strings.Fields(strings.TrimRight(d.fold[f.start:x.Start], " ,"))
		if len(words) > 0 && prepositions[strings.Trim(words[len(words)-1], "(\"“'")] {
			continue
		}
		if i+1 < len(f.actors) {
			next := f.actors[i+1]
			between := d.text[x.End:next.Start]
			if isPerson(a.actors[next.Slug].Kind) && !isPerson(a.actors[x.Slug].Kind) && len(strings.Fields(between)) <= 4 &&
				!strings.ContainsAny(between, ",.;") {
				continue
			}
		}
		out = append(out, x)
	}
	return out
}

func possessive(d doc, x Finding) bool {
	rest := d.text[x.End:]
	return strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") || strings.HasPrefix(rest, "' ") || strings.HasPrefix(rest, "’ ")
}

func inQuotes(pos int, qs []Finding) bool {
	for _, q := range qs {
		if pos >= q.Start && pos < q.End {
			return true
		}
	}
	return false
}

// stripQuotes blanks the quotations out of gap (which starts at offset at).
func stripQuotes(gap string, at int, qs []Finding) string {
	b := []byte(gap)
	for _, q := range qs {
		for i := max(q.Start, at); i < min(q.End, at+len(gap)); i++ {
			b[i-at] = ' '
		}
	}
	return string(b)
}

// guesses reads a stance on each demand from an unambiguous verb, when
// the sentence has one kind of such verb only and it is not negated.
func guesses(fold string, f sentenceFacts, demands []string) []Guess {
	if len(demands) == 0 {
		return nil
	}
	outside := stripQuotes(fold, f.start, f.quotes)
	var stance parley.Stance
	for _, c := range []struct {
		re *regexp.Regexp
		s  parley.Stance
	}{{rejectsRE, parley.Rejects}, {insistsRE, parley.Insists}} {
		for _, m := range c.re.FindAllStringIndex(outside, -1) {
			if negatedRE.MatchString(outside[max(0, m[0]-20):m[0]]) {
				return nil
			}
			if stance != "" && stance != c.s {
				return nil // both kinds: ambiguous
			}
			stance = c.s
		}
	}
	if stance == "" {
		return nil
	}
	var out []Guess
	for _, dm := range demands {
		out = append(out, Guess{Demand: dm, Stance: stance})
	}
	return out
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		if wordBoundary(s, i+j, i+j+len(w)) {
			return true
		}
		i += j + len(w)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(x, y Finding) int { return x.Start - y.Start })
}

// relativeDateRE: expressions dated from the day of publication.
var relativeDateRE = regexp.MustCompile(`(?i)yesterday|today|tonight|morning|night|week|monday|tuesday|wednesday|thursday|friday|saturday|sunday`)

// pronounRef is whom he, she or they refers to: the last person named, or
// for they the last speaker of any kind.
func pronounRef(pronoun, prev, prevPerson string) string {
	if strings.EqualFold(pronoun, "they") {
		return prev
	}
	return prevPerson
}

// isPerson reports whether actors of kind k are people (he or she).
func isPerson(k parley.ActorKind) bool { return k == "person" || k == "analyst" }
