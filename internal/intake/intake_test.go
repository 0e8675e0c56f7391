package intake_test

import (
	"strings"
	"testing"
	"time"

	"parley"
	"parley/internal/intake"
)

// testCatalog is a small catalogue of the kinds of actor the rules tell
// apart.
var testCatalog = intake.Catalog{
	Actors: []parley.Actor{
		{Slug: "vladimir-putin", Name: "Vladimir Putin", Aliases: []string{"Putin"}, Kind: "person", Side: "russia", Role: "President of Russia"},
		{Slug: "dmitry-peskov", Name: "Dmitry Peskov", Aliases: []string{"Peskov", "Dmitri Peskow", "Peskow"}, Kind: "person", Side: "russia",
			Role: "Press secretary of the President of Russia (Kremlin spokesperson)"},
		{Slug: "sergei-lavrov", Name: "Sergei Lavrov", Aliases: []string{"Lavrov"}, Kind: "person", Side: "russia", Role: "Foreign Minister of Russia"},
		{Slug: "volodymyr-zelensky", Name: "Volodymyr Zelensky", Aliases: []string{"Zelensky", "Zelenskyy"}, Kind: "person", Side: "ukraine", Role: "President of Ukraine"},
		{Slug: "russian-presidency", Name: "Russian Presidency", Aliases: []string{"Kremlin"}, Kind: "government", Side: "russia"},
		{Slug: "us-government", Name: "US Government", Aliases: []string{"US", "Washington"}, Kind: "government", Side: "united-states"},
		{Slug: "anonymous-russian-officials", Name: "Anonymous Russian officials", Kind: "anonymous", Side: "russia"},
	},
	Demands: []parley.Demand{
		{Slug: "ukraine-neutrality", Title: "Ukraine's neutrality", Keywords: []string{"neutral", "non-aligned"}},
		{Slug: "ceasefire-line-of-contact", Title: "Ceasefire along the line of contact", Keywords: []string{"ceasefire", "freeze"}},
	},
	Regions: []parley.Region{{Slug: "donetsk", Name: "Donetsk"}, {Slug: "kursk", Name: "Kursk"}},
}

func date(t *testing.T, s string) parley.Date {
	t.Helper()
	d, err := parley.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func analyze(t *testing.T, text, published string) intake.Result {
	t.Helper()
	return intake.New(testCatalog).Analyze(intake.Article{Text: text, Published: date(t, published)})
}

// onlyDraft returns the one draft of res.
func onlyDraft(t *testing.T, res intake.Result) intake.Draft {
	t.Helper()
	if len(res.Drafts) != 1 {
		t.Fatalf("got %d drafts, want 1: %+v", len(res.Drafts), res.Drafts)
	}
	return res.Drafts[0]
}

func TestDatesWeekdays(t *testing.T) {
	// Friday 14 June 2024: each weekday is the latest such day on or before it.
	want := map[string]string{"Saturday": "2024-06-08", "Sunday": "2024-06-09", "Monday": "2024-06-10", "Tuesday": "2024-06-11",
		"Wednesday": "2024-06-12", "Thursday": "2024-06-13", "Friday": "2024-06-14"}
	for wd, w := range want {
		t.Run(wd, func(t *testing.T) {
			d := onlyDraft(t, analyze(t, "Putin said on "+wd+" that talks were possible.", "2024-06-14"))
			if got := d.Date.Input(); got != w || d.DateText != "on "+wd {
				t.Errorf("on %s: got %s from %q, want %s", wd, got, d.DateText, w)
			}
		})
	}
	t.Run("last Friday in a Friday article is a week back", func(t *testing.T) {
		d := onlyDraft(t, analyze(t, "Putin said last Friday that talks were possible.", "2024-06-14"))
		if got := d.Date.Input(); got != "2024-06-07" {
			t.Errorf("got %s, want 2024-06-07", got)
		}
	})
	t.Run("a weekday in an article dated to the month is that month", func(t *testing.T) {
		d := onlyDraft(t, analyze(t, "Putin said on Tuesday that talks were possible.", "2024-06"))
		if d.Date != date(t, "2024-06") {
			t.Errorf("got %s (%s), want June 2024 (month)", d.Date.Input(), d.Date.Precision)
		}
	})
	t.Run("yesterday", func(t *testing.T) {
		d := onlyDraft(t, analyze(t, "Peskov said yesterday that a freeze would not work.", "2024-03-01"))
		if d.Date != date(t, "2024-02-29") {
			t.Errorf("got %s, want 2024-02-29", d.Date.Input())
		}
	})
}

func TestDatesRelativePeriods(t *testing.T) {
	for _, c := range []struct {
		name, text, published, want string
	}{
		// Wednesday 3 July 2024: last week is 24–30 June.
		{"last week in the month before", "Lavrov said last week that Russia was ready.", "2024-07-03", "2024-06"},
		// Thursday 8 August 2024: last week is 29 July – 4 August, two months.
		{"last week across a month boundary is the year", "Lavrov said last week that Russia was ready.", "2024-08-08", "2024"},
		// Thursday 2 January 2025: last week is 23–29 December 2024.
		{"last week across a new year", "Lavrov said last week that Russia was ready.", "2025-01-02", "2024-12"},
		{"last week in an article of the month", "Lavrov said last week that Russia was ready.", "2025-03", "2025-03"},
		{"last month", "Lavrov said last month that Russia was ready.", "2025-01-15", "2024-12"},
		{"in December in a January article is the year before", "In December, Lavrov said Russia was ready.", "2025-01-15", "2024-12"},
		{"in June in a June article", "In June, Lavrov said Russia was ready.", "2024-06-14", "2024-06"},
		{"in November last year", "In November last year, Lavrov said Russia was ready.", "2024-05", "2023-11"},
		{"in a year", "In 2022, Lavrov said Russia was ready.", "2024-05-02", "2022"},
		{"a full date", "On February 24, 2022, Lavrov said Russia was ready.", "2024", "2022-02-24"},
		{"a day and month take the year of the article", "On February 20, Lavrov said Russia was ready.", "2025", "2025-02-20"},
		{"a month and year", "Lavrov said in September 2022 that Russia was ready.", "2024", "2022-09"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := onlyDraft(t, analyze(t, c.text, c.published))
			if want := date(t, c.want); d.Date != want {
				t.Errorf("got %s (%s), want %s (%s)", d.Date.Input(), d.Date.Precision, want.Input(), want.Precision)
			}
		})
	}
	t.Run("a day and month after an explicit date keep its year", func(t *testing.T) {
		res := analyze(t, "On August 6, 2024, troops crossed. On August 12, Putin said Russia would respond. On February 20, Lavrov said the area was retaken.", "2025")
		var got []string
		for _, d := range res.Drafts {
			got = append(got, d.Date.Input())
		}
		if strings.Join(got, " ") != "2024-08-12 2025-02-20" {
			t.Errorf("got %v, want [2024-08-12 2025-02-20]", got)
		}
	})
	t.Run("an undated remark in an article of the day is the month", func(t *testing.T) {
		d := onlyDraft(t, analyze(t, "Lavrov said Russia was ready.", "2024-06-14"))
		if d.Date != date(t, "2024-06") || d.DateText != "" {
			t.Errorf("got %s (%s) from %q, want June 2024 from nothing", d.Date.Input(), d.Date.Precision, d.DateText)
		}
	})
	t.Run("no date after publication", func(t *testing.T) {
		res := analyze(t, "Lavrov said on December 30, 2030 that Russia was ready.", "2024-06-14")
		for _, f := range res.Findings {
			if f.Kind == intake.KindDate && !f.Date.Time.IsZero() && f.Date.Time.After(time.Date(2024, 6, 14, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%q resolved to %s, after publication", f.Text, f.Date.Input())
			}
		}
	})
}

func TestActors(t *testing.T) {
	for _, c := range []struct {
		name, text, actor string
		attribution       parley.Attribution
	}{
		{"a name in capitals", "PUTIN SAID RUSSIA WAS READY.", "vladimir-putin", parley.OnRecord},
		{"an alias spelling", "Dmitri Peskow said Russia was ready.", "dmitry-peskov", parley.Spokesperson},
		{"a possessive", "Zelenskyy’s office said nothing, but Zelenskyy said Ukraine would not yield.", "volodymyr-zelensky", parley.OnRecord},
		{"a title by role", "The Kremlin spokesman said Russia was ready.", "dmitry-peskov", parley.Spokesperson},
		{"a country's minister", "Russia's foreign minister said talks were futile.", "sergei-lavrov", parley.OnRecord},
		{"a leader", "The Russian leader said talks were futile.", "vladimir-putin", parley.OnRecord},
		{"a body reported", "The Kremlin has repeatedly said talks were futile.", "russian-presidency", parley.Reported},
		{"after the quote", "“Talks are futile,” said Sergei Lavrov.", "sergei-lavrov", parley.OnRecord},
		{"a pronoun", "Putin spoke in Minsk. He said Russia was ready.", "vladimir-putin", parley.OnRecord},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := analyze(t, c.text, "2024-06-14")
			d := res.Drafts[len(res.Drafts)-1]
			if d.Actor != c.actor || d.Attribution != c.attribution {
				t.Errorf("got %q (%s) from %q, want %q (%s)", d.Actor, d.Attribution, d.ActorText, c.actor, c.attribution)
			}
		})
	}
	t.Run("the US is not us", func(t *testing.T) {
		res := analyze(t, "He told us that the US would decide.", "2024-06-14")
		n := 0
		for _, f := range res.Findings {
			if f.Kind == intake.KindActor && f.Slug == "us-government" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("got %d mentions of the US government, want 1", n)
		}
	})
	t.Run("unknown names are listed", func(t *testing.T) {
		res := analyze(t, "The new ambassador, Alexander Darchiev, said relations could improve.", "2024-06-14")
		if len(res.Unknown) != 1 || res.Unknown[0] != "Alexander Darchiev" {
			t.Errorf("unknown: got %q, want [Alexander Darchiev]", res.Unknown)
		}
	})
}

func TestQuotes(t *testing.T) {
	for _, c := range []struct{ name, text string }{
		{"straight", `Putin said: "Talks are possible."`},
		{"curly", "Putin said: “Talks are possible.”"},
		{"guillemets", "Putin said: «Talks are possible.»"},
		{"German", "Putin said: „Talks are possible.“"},
		{"single", "Putin said: 'Talks are possible.'"},
		{"quote first", "“Talks are possible,” Putin said."},
		{"in the next sentence", "Putin spoke on Friday. “Talks are possible.”"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := analyze(t, c.text, "2024-06-14")
			d := res.Drafts[len(res.Drafts)-1]
			if !strings.HasPrefix(d.Quote, "Talks are possible") || d.Actor != "vladimir-putin" {
				t.Errorf("got quote %q by %q, want “Talks are possible” by vladimir-putin", d.Quote, d.Actor)
			}
		})
	}
	t.Run("apostrophes are not quotes", func(t *testing.T) {
		res := analyze(t, "Putin's aide said Russia's terms won't change.", "2024-06-14")
		for _, f := range res.Findings {
			if f.Kind == intake.KindQuote {
				t.Errorf("found a quote %q", f.Text)
			}
		}
	})
}

func TestAnonymousSources(t *testing.T) {
	for _, c := range []struct{ name, text string }{
		{"sources familiar with", "Sources familiar with the Kremlin's thinking said Putin is ready to freeze the war."},
		{"officials said", "Russian officials said Putin would accept a ceasefire."},
		{"a senior source", "A senior Russian source said Putin 'can fight no matter what it takes'."},
		{"people familiar", "People familiar with the talks said Putin would never agree."},
		{"according to", "According to two of the sources, who spoke on condition of anonymity, Putin is flexible."},
		{"carried to the next report", "Russian officials said a deal is near. Two sources said Putin would not give up Donetsk."},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := analyze(t, c.text, "2024-11-20")
			d := res.Drafts[len(res.Drafts)-1]
			if d.Actor != "anonymous-russian-officials" || d.Attribution != parley.Anonymous {
				t.Errorf("got %q (%s) from %q, want anonymous-russian-officials (anonymous)", d.Actor, d.Attribution, d.ActorText)
			}
			if d.Date != date(t, "2024-11-20") {
				t.Errorf("got %s, want the report's date", d.Date.Input())
			}
		})
	}
	t.Run("an audience is not a source", func(t *testing.T) {
		res := analyze(t, "Putin spoke in Moscow. He also demanded neutrality in a speech before Foreign Ministry officials on Friday.", "2024-06-14")
		if d := res.Drafts[len(res.Drafts)-1]; d.Attribution == parley.Anonymous || d.Actor != "vladimir-putin" {
			t.Errorf("drafted as anonymous: %+v", d)
		}
	})
}

func TestRegionsDemandsGuesses(t *testing.T) {
	d := onlyDraft(t, analyze(t, "Putin rejected any freeze of the war in Donetsk.", "2024-06-14"))
	if strings.Join(d.Regions, ",") != "donetsk" || strings.Join(d.Demands, ",") != "ceasefire-line-of-contact" {
		t.Errorf("got regions %v, demands %v", d.Regions, d.Demands)
	}
	if len(d.Guesses) != 1 || d.Guesses[0].Stance != parley.Rejects {
		t.Errorf("got guesses %v, want rejects", d.Guesses)
	}
	for _, text := range []string{
		"Putin said he would consider a ceasefire.",           // no unambiguous verb
		"Putin did not reject a ceasefire.",                   // negated
		"Putin insisted on neutrality but rejected a freeze.", // both kinds
	} {
		if d := onlyDraft(t, analyze(t, text, "2024-06-14")); len(d.Guesses) != 0 {
			t.Errorf("%q: got guesses %v, want none", text, d.Guesses)
		}
	}
}

func TestSegmentsCoverTheText(t *testing.T) {
	text := "Putin said on Friday: “Donetsk stays.”\nLavrov agreed."
	res := analyze(t, text, "2024-06-14")
	var b strings.Builder
	for _, s := range intake.Segments(text, res.Findings) {
		if s.Break {
			b.WriteString("\n")
		}
		b.WriteString(s.Text)
	}
	if b.String() != text {
		t.Errorf("segments give %q, want %q", b.String(), text)
	}
}

func mustDate(s string) time.Time {
	d, err := parley.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d.Time
}

func mustParley(s string) parley.Date {
	d, err := parley.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
