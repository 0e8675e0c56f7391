package store

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// genVocab is what the statements are made of, read once from the
// database: the reference records' ids and the lexemes of every word a
// statement's text can hold, so that the rows, search vectors included,
// are written by COPY rather than computed in SQL row by row (at 200,000
// statements, SQL spent most of gen's time making its random text).
type genVocab struct {
	words   []string
	lexemes map[string]string // "" for a stop word
	// actors' ids, and their part of the search vector: its text and
	// its largest position
	actors      []int64
	actorVector []string
	actorMax    []int
	sources     []int64
	published   []int64 // days, in the order of sources
	demands     []int64
	regions     []int64
}

// genSummaryWords are the words of a summary other than its vocabulary
// words and number.
var genSummaryWords = []string{"synthetic", "statement", "on", "and", "generated"}

// loadVocab reads the vocabulary's lexemes (to_tsvector of each word
// alone, as it is in a quote: the default parser splits these words only
// at spaces) and the synthetic records' ids.
func loadVocab(ctx context.Context, tx pgx.Tx) (*genVocab, error) {
	v := &genVocab{words: strings.Fields(genWords), lexemes: map[string]string{}}
	rows, err := tx.Query(ctx, `
		SELECT w, coalesce((tsvector_to_array(to_tsvector('english', w)))[1], ''),
		       cardinality(tsvector_to_array(to_tsvector('english', w)))
		FROM unnest($1::text[]) w`, append(v.words, genSummaryWords...))
	if err != nil {
		return nil, err
	}
	var word, lexeme string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&word, &lexeme, &n}, func() error {
		if n > 1 {
			return fmt.Errorf("the word %q gives %d lexemes, not one", word, n)
		}
		v.lexemes[word] = lexeme
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `
		SELECT a.id, x.vector::text, coalesce((SELECT max(p) FROM unnest(x.vector) u, unnest(u.positions) p), 0)
		FROM actors a,
		     LATERAL (SELECT setweight(to_tsvector('english', coalesce(a.name, '') || ' ' || array_to_string(a.aliases, ' ')), 'A') AS vector) x
		WHERE a.slug LIKE 'gen-actor-%' ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	var id int64
	var vector string
	var maxPos int
	_, err = pgx.ForEachRow(rows, []any{&id, &vector, &maxPos}, func() error {
		v.actors = append(v.actors, id)
		v.actorVector = append(v.actorVector, vector)
		v.actorMax = append(v.actorMax, maxPos)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.QueryRow(ctx, `
		SELECT (SELECT array_agg(id ORDER BY id) FROM sources WHERE title LIKE 'Synthetic report %'),
		       (SELECT array_agg((published - date '2000-01-01')::bigint ORDER BY id) FROM sources WHERE title LIKE 'Synthetic report %'),
		       (SELECT array_agg(id ORDER BY id) FROM demands WHERE slug LIKE 'gen-demand-%'),
		       (SELECT array_agg(id ORDER BY id) FROM regions WHERE slug LIKE 'gen-region-%')`,
	).Scan(&v.sources, &v.published, &v.demands, &v.regions)
	if err != nil {
		return nil, err
	}
	if len(v.actors) < 2000 || len(v.sources) < 50000 || len(v.demands) < 40 || len(v.regions) < 30 {
		return nil, fmt.Errorf("synthetic records missing: %d actors, %d sources, %d demands, %d regions",
			len(v.actors), len(v.sources), len(v.demands), len(v.regions))
	}
	return v, nil
}

// genCounts are the rows a chunk wrote.
type genCounts struct{ statements, reports, positions, conditions, regions int64 }

var (
	genStances      = []string{"insists", "supports", "open", "opposes", "rejects"}
	genAttributions = []string{"on_record", "spokesperson", "anonymous", "reported"}
)

// writeChunk writes statements g = from..to (ids lo+g-1) with their
// reports, positions, conditions and regions, by COPY, drawing from a
// generator seeded by seed and the chunk c.
func (v *genVocab) writeChunk(ctx context.Context, tx pgx.Tx, seed int64, c, from, to int, lo int64) (genCounts, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(c)))
	var st, rp, ps, pc, sr bytes.Buffer
	ln401 := math.Log(401)
	var quote []string
	var vec strings.Builder
	for g := from; g <= to; g++ {
		id := lo + int64(g) - 1
		// Every draw, in a fixed order.
		a := int(2000 * math.Pow(rng.Float64(), 3))
		day := int(rng.Float64() * 4700)
		quote = quote[:0]
		for range 26 + g%3 {
			// Zipf-like: word r is drawn with probability ~ 1/r.
			quote = append(quote, v.words[int(math.Exp(rng.Float64()*ln401))-1])
		}
		drawn := int(50000 * rng.Float64())
		region1 := int(30 * math.Pow(rng.Float64(), 1.3))
		region2 := int(30 * math.Pow(rng.Float64(), 1.3))

		actor := v.actors[a]
		summary := fmt.Sprintf("Synthetic statement %d on %s and %s.", g, v.words[g%20], v.words[g%37])
		// 1-3 reports (as many as id % 3 + 1): the source drawn and up to
		// two more outlets. The primary source is, for two statements in
		// three, the earliest published of them, else the one drawn.
		reports := []int{drawn, int((id*31 + 7919) % 50000), int((id*31 + 2*7919) % 50000)}[:1+id%3]
		primary := drawn
		if id%3 != 0 {
			for _, r := range reports[1:] {
				if v.published[r] < v.published[primary] || (v.published[r] == v.published[primary] && v.sources[r] < v.sources[primary]) {
					primary = r
				}
			}
		}
		vec.Reset()
		v.searchVector(&vec, a, quote, g)
		fmt.Fprintf(&st, "%d\t%d\t%s\tday\t%s\t%s\tGenerated\t%s\t%d\t%s\n", id, actor,
			copyEscape(genDate(day)), copyEscape(strings.Join(quote, " ")), copyEscape(summary),
			genAttributions[g%4], v.sources[primary], copyEscape(vec.String()))
		for i, r := range reports {
			if !slices.Contains(reports[:i], r) { // (two reports may draw one source)
				fmt.Fprintf(&rp, "%d\t%d\n", id, v.sources[r])
			}
		}
		// Positions on 1-3 distinct demands. An actor holds a stance on a
		// demand (a function of the pair) nine times in ten. One position
		// in about forty holds on a condition: that a party takes a
		// stance on another demand.
		for k := int64(1); k <= 1+id%3; k++ {
			d := v.demands[(id*7+k*13)%40]
			stance := (actor*3 + (id*7+k*13)%40) % 5
			if (id*2654435761+k)%10 == 0 {
				stance = (id*31 + k) % 5
			}
			fmt.Fprintf(&ps, "%d\t%d\t%s\n", id, d, genStances[stance])
			if cond := v.demands[(d*7+17)%40]; id%40 == 0 && cond != d {
				fmt.Fprintf(&pc, "%d\t%d\t%s\t%d\t%s\n", id, d, []string{"russia", "ukraine"}[id%2], cond, genStances[id%5])
			}
		}
		// 1-2 regions, the first ones more often: the largest region has
		// a few times the average.
		fmt.Fprintf(&sr, "%d\t%d\n", id, v.regions[region1])
		if id%2 == 1 && region2 != region1 {
			fmt.Fprintf(&sr, "%d\t%d\n", id, v.regions[region2])
		}
	}
	var n genCounts
	for _, t := range []struct {
		sql  string
		data *bytes.Buffer
		n    *int64
	}{
		{"COPY statements (id, actor_id, date, date_precision, quote, summary, occasion, attribution, source_id, search) FROM STDIN", &st, &n.statements},
		{"COPY reports (statement_id, source_id) FROM STDIN", &rp, &n.reports},
		{"COPY positions (statement_id, demand_id, stance) FROM STDIN", &ps, &n.positions},
		{"COPY position_conditions (statement_id, demand_id, side, cond_demand_id, stance) FROM STDIN", &pc, &n.conditions},
		{"COPY statement_regions (statement_id, region_id) FROM STDIN", &sr, &n.regions},
	} {
		tag, err := tx.Conn().PgConn().CopyFrom(ctx, t.data, t.sql)
		if err != nil {
			return n, err
		}
		*t.n = tag.RowsAffected()
	}
	return n, nil
}

// searchVector writes, in tsvector's input syntax, what statement_search
// (migration 00002) gives for actor a, quote and summary g, occasion
// "Generated": setweight(actor's, 'A') || setweight(quote's, 'B') ||
// setweight(summary's, 'B') || setweight(occasion's, 'C'). A || shifts
// its right side's positions by the largest on its left; each word is a
// token, and a stop word takes a position without a lexeme.
// TestGenerateKeepsSearchAndIndexesAsTheTriggerWould compares every row
// with statement_search.
func (v *genVocab) searchVector(b *strings.Builder, a int, quote []string, g int) {
	b.WriteString(v.actorVector[a])
	offset := v.actorMax[a]
	part := func(words []string, weight byte) {
		last := 0
		for i, w := range words {
			lex, ok := v.lexemes[w]
			if !ok {
				lex = w // the summary's number is its own lexeme
			}
			if lex == "" {
				continue
			}
			b.WriteString(" '")
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(lex, `\`, `\\`), `'`, `''`))
			b.WriteString("':")
			b.WriteString(strconv.Itoa(offset + i + 1))
			b.WriteByte(weight)
			last = i + 1
		}
		offset += last
	}
	part(quote, 'B')
	part([]string{"synthetic", "statement", strconv.Itoa(g), "on", v.words[g%20], "and", v.words[g%37]}, 'B')
	part([]string{"generated"}, 'C')
}

// genEpoch is the first day a synthetic statement can have.
var genEpoch = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)

// genDate is day d after genEpoch, as YYYY-MM-DD.
func genDate(d int) string {
	return genEpoch.AddDate(0, 0, d).Format("2006-01-02")
}

// copyEscape escapes s for COPY's text format.
func copyEscape(s string) string {
	if !strings.ContainsAny(s, "\\\t\n\r") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}
