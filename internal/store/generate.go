package store

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// GenerateResult counts what Generate added.
type GenerateResult struct {
	Statements, Positions, Regions int64
	Reports, Conditions            int64
	Steps                          []GenerateStep
}

// GenerateStep is how long one step of Generate took.
type GenerateStep struct {
	What string
	Took time.Duration
}

// genWords is the vocabulary of synthetic quotes: the 400 most frequent
// words of the seed articles, most frequent first. Quotes draw from it with
// a Zipf-like skew, so a few words match a large share of the statements
// (the 20th or so about a fifth) and most are rare, as in real text.
const genWords = "ukraine russia putin russian talks peace president regions ceasefire moscow territories " +
	"ukrainian kremlin conflict negotiations crimea western agreement military trump four " +
	"sanctions zelensky sources kyiv stated part territory forces occupied support officials " +
	"source territorial international month foreign five statement return diplomatic vladimir " +
	"troops donetsk luhansk kherson zaporizhzhia february peskov demands statements current " +
	"precision kursk region countries washington last security ministry frozen news swiss " +
	"give friday anonymous leader concessions response volodymyr zelenskyy exchange future " +
	"membership potential offer swap join withdrawal along line reported control three " +
	"regarding might week annexed address west nations administration istanbul areas assets " +
	"discuss within decision ready china conference articles dates abandon citing reuters " +
	"oblasts betrayed donbas situation ground kiev recognition proposed status front " +
	"following referendums ongoing former square years terms post long declared seized dmitry " +
	"june cease country treaty participation attack rejected accept full rejection personnel " +
	"discussions meeting alexander readiness based facts open condition stance deep actor " +
	"summit agreed invasion freezing report april draft familiar spokesman refusal dmitri " +
	"peskow described willingness tensions ruled presence strong efforts operation nuclear " +
	"lifting start freeze people republic recognize annexation august governor alexei smirnov " +
	"settlements general staff liberated continues american negotiables accepted concerns " +
	"allow spokesperson sevastopol written given mentioned hostilities immediately partially " +
	"plans emphasized surrender sovereign recently emphasizing guarantees small attacks " +
	"possibility north atlantic organization beginning critical guarantee secretary hegseth " +
	"realistic outcome tragic consequences weapons itself battle peacekeeping european " +
	"consider zakharova warning france sending soil utilized issues compounds obama held " +
	"significantly missions restrictions claimed second first sensitive need state sides " +
	"announced easing expresses amidst potentially lukashenko allies german agency again " +
	"consistently frustration negotiating lines backed high ranking fight insists complex " +
	"ahead remains november year decree impossible invited switzerland work towards " +
	"resolution amherd lavrov arms evolving strategic highlights community dataset demand " +
	"seed data relatively established events never outlet bloomberg speech hosted profits " +
	"halt trading wednesday stanovaya late remarks remark march several opinion recorded side " +
	"eastern fire demanded saying group neutral deal billion agree continue already donald " +
	"details holds kilometres permanent event criticizes lack acknowledge actual assertion " +
	"prepared sign lead repeatedly loss allowed means partial card promised reason " +
	"introduction special conditions establishment aligned free linked daily victories " +
	"options respectively results considered soldiers marched fighting taken estimated size " +
	"kilometers percent originally insist shed light fundamentally supported idea raised " +
	"practicality especially verification newspaper tactic engage prolonged without outright " +
	"rejecting despite controls approximately fifth aims maintain expand hold relinquish " +
	"constitution fact notwithstanding illegally indicated handed southeastern abandoned"

// Generate adds n synthetic statements of realistic shape for benchmarks:
// 2,000 actors (a few very active, most rare), 40 demands (the territorial
// ones tied to a region), 30 regions, 50,000 sources, dates 2014-2026, 1-3
// positions and 1-2 regions per statement, ~200-character quotes. Actors
// mostly hold their stance on a demand and now and then shift. The same
// seed gives the same data, whatever the number of cores. Synthetic records
// have slugs starting "gen-".
//
// It needs the database to itself: it refuses to start while other
// sessions are connected to it (stop the server first), since while it
// runs the bulk tables have no secondary indexes, foreign keys or
// triggers. It works in min(GOMAXPROCS, 4) sessions. One transaction adds
// the reference records, reserves the statements' ids and drops the
// indexes, foreign keys and triggers; genChunks transactions write the
// statements and their rows, each from its own random seed and id range;
// then the derived tables (region_timeline, stance_log, current_positions,
// the count ledgers) are filled by the SQL functions the commit-time
// trigger calls, over every statement, and the indexes, constraints and
// triggers are put back and the tables vacuumed, these steps spread over
// the sessions as their inputs become ready. If a step fails, Generate
// removes the statements it added and puts the indexes, constraints and
// triggers back before it returns the error.
func (s *Store) Generate(ctx context.Context, n int, seed int64) (GenerateResult, error) {
	var res GenerateResult
	workers := min(runtime.GOMAXPROCS(0), 4)
	sess, err := s.genSessions(ctx, workers)
	if err != nil {
		return res, err
	}
	defer sess.release()

	start := time.Now()
	bulk, vocab, lo, err := genPrepare(ctx, sess.conns[0], n)
	res.Steps = append(res.Steps, GenerateStep{"prepare", time.Since(start)})
	if err != nil {
		return res, err
	}
	var mu sync.Mutex
	tasks := genChunkTasks(vocab, n, seed, lo, &mu, &res)
	var chunks []string
	for _, t := range tasks {
		chunks = append(chunks, t.what)
	}
	tasks = append(tasks, genTasks(bulk, chunks)...)
	var derived bool // whether a derived table may have changed
	start = time.Now()
	err = runTasks(ctx, sess.conns, tasks,
		func(what string) {
			mu.Lock()
			defer mu.Unlock()
			derived = derived || what == "region timeline" || what == "stance log"
		},
		func(what string, took time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			res.Steps = append(res.Steps, GenerateStep{what, took})
		})
	res.Steps = append(res.Steps, GenerateStep{fmt.Sprintf("all steps, %d sessions", workers), time.Since(start)})
	if err != nil {
		// The sessions may be broken and ctx cancelled: put things back
		// from a fresh session regardless.
		sess.release()
		if rerr := s.genRestore(context.WithoutCancel(ctx), bulk, lo, n, derived); rerr != nil {
			return res, fmt.Errorf("%w (and putting the database back failed: %v)", err, rerr)
		}
		return res, err
	}
	return res, nil
}

// genChunks is how many transactions write the statements: a fixed number,
// so that the data (each chunk's rows come from its own random seed) does
// not depend on how many sessions write them.
const genChunks = 16

// genPrepare adds the reference records, reserves n statement ids (the
// first is lo) and drops the bulk tables' indexes, foreign keys and
// triggers, in one transaction; bulk is what to put back, v what the
// statements are made of.
func genPrepare(ctx context.Context, conn *pgx.Conn, n int) (bulk bulkObjects, v *genVocab, lo int64, err error) {
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Dropped first: the reference records' inserts leave trigger
		// events pending that would forbid it.
		if bulk, err = dropForBulk(ctx, tx); err != nil {
			return err
		}
		for _, st := range genReferenceSteps {
			if _, err := tx.Exec(ctx, st.sql); err != nil {
				return fmt.Errorf("store: generate %s: %w", st.what, err)
			}
		}
		// Explicit ids from a reserved range: a chunk's rows get the same
		// ids whichever session writes them, and whenever.
		err := tx.QueryRow(ctx, `SELECT greatest(nextval(pg_get_serial_sequence('statements', 'id')),
			(SELECT coalesce(max(id), 0) + 1 FROM statements))`).Scan(&lo)
		if err != nil {
			return fmt.Errorf("store: generate: reserve ids: %w", err)
		}
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('statements', 'id'), $1)`, lo+int64(n)-1); err != nil {
			return fmt.Errorf("store: generate: reserve ids: %w", err)
		}
		if v, err = loadVocab(ctx, tx); err != nil {
			return fmt.Errorf("store: generate: vocabulary: %w", err)
		}
		return nil
	})
	return bulk, v, lo, err
}

// genStep is one statement of Generate.
type genStep struct {
	what string
	sql  string
}

// genReferenceSteps add the records statements refer to (each once: a
// second gen adds only statements).
var genReferenceSteps = []genStep{
	{what: "regions", sql: `INSERT INTO regions (slug, name, country, kind)
		SELECT 'gen-region-' || i, 'Synthetic region ' || i, 'Genland', 'oblast'
		FROM generate_series(1, 30) i ON CONFLICT (slug) DO NOTHING`},
	{what: "sides", sql: `INSERT INTO sides (slug, name, role) VALUES
		('russia', 'Russia', 'party'), ('ukraine', 'Ukraine', 'party'), ('united-states', 'United States', 'stakeholder'),
		('europe', 'Europe', 'stakeholder'), ('nato', 'NATO', 'stakeholder'), ('china', 'China', 'stakeholder')
		ON CONFLICT (slug) DO NOTHING`},
	{what: "actors", sql: `INSERT INTO actors (slug, name, aliases, kind, side, role)
		SELECT 'gen-actor-' || i, 'Synthetic Actor ' || i, ARRAY['Gen Actor ' || i],
		       (ARRAY['person','government','ministry','military','alliance','organization','analyst','anonymous'])[1 + i % 8],
		       (ARRAY['russia','ukraine','united-states','europe','nato','china'])[1 + i % 6], 'Synthetic role'
		FROM generate_series(1, 2000) i ON CONFLICT (slug) DO NOTHING`},
	{what: "demands", sql: `INSERT INTO demands (slug, title, description, side, category)
		SELECT 'gen-demand-' || i, 'Synthetic demand ' || i, 'Generated for benchmarks.',
		       (ARRAY['russia','ukraine','united-states','europe'])[1 + i % 4],
		       (ARRAY['territory','security','sanctions-economy','political','process'])[1 + i % 5]
		FROM generate_series(1, 40) i ON CONFLICT (slug) DO NOTHING`},
	// Three pairs of converse demands (a stance on one reads, mirrored, on
	// the other).
	{what: "converses", sql: `UPDATE demands d SET converse_id = o.id FROM demands o
		WHERE d.converse_id IS NULL AND o.converse_id IS NULL
		  AND (d.slug, o.slug) IN (('gen-demand-1', 'gen-demand-2'), ('gen-demand-2', 'gen-demand-1'),
		      ('gen-demand-11', 'gen-demand-12'), ('gen-demand-12', 'gen-demand-11'),
		      ('gen-demand-21', 'gen-demand-22'), ('gen-demand-22', 'gen-demand-21'))`},
	// Each territorial demand concerns one region.
	{what: "demand regions", sql: `INSERT INTO demand_regions (demand_id, region_id)
		SELECT d.id, r.id FROM demands d JOIN regions r
		  ON r.slug = 'gen-region-' || (1 + (substr(d.slug, 12)::int * 7) % 30)
		WHERE d.slug LIKE 'gen-demand-%' AND d.category = 'territory' ON CONFLICT DO NOTHING`},
	// Source i's publication day is a function of i, so a statement's
	// primary source (its earliest report) is known when it is written.
	{what: "sources", sql: `INSERT INTO sources (outlet, title, published, via)
		SELECT 'Synthetic Outlet ' || (1 + i % 200), 'Synthetic report ' || i,
		       date '2014-01-01' + (i * 7919) % 4700, ''
		FROM generate_series(1, 50000) i`},
	{what: "bargaining months", sql: `SELECT invalidate_bargaining(NULL)`},
}

// genChunkTasks are the tasks that write statements g = 1..n (ids
// lo+g-1) in genChunks pieces, each adding what it wrote to res.
func genChunkTasks(v *genVocab, n int, seed int64, lo int64, mu *sync.Mutex, res *GenerateResult) []genTask {
	var tasks []genTask
	size := (n + genChunks - 1) / genChunks
	for c := range genChunks {
		from, to := c*size+1, min((c+1)*size, n)
		if from > to {
			break
		}
		tasks = append(tasks, genTask{
			what: fmt.Sprintf("statements %d-%d", from, to),
			run: func(ctx context.Context, conn *pgx.Conn) error {
				return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
					w, err := v.writeChunk(ctx, tx, seed, c, from, to, lo)
					if err != nil {
						return err
					}
					mu.Lock()
					defer mu.Unlock()
					res.Statements += w.statements
					res.Reports += w.reports
					res.Positions += w.positions
					res.Conditions += w.conditions
					res.Regions += w.regions
					return nil
				})
			},
		})
	}
	return tasks
}
