package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// genTask is one step of Generate after its first transaction: it runs on
// one session once the tasks it needs have finished.
type genTask struct {
	what  string
	needs []string
	run   func(ctx context.Context, conn *pgx.Conn) error
}

// sqlTask is a task that runs sql in one transaction, after settings
// (SET LOCAL statements).
func sqlTask(what string, needs []string, settings, sql string) genTask {
	return genTask{what: what, needs: needs, run: func(ctx context.Context, conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, settings+";\n"+sql)
			return err
		})
	}}
}

// genSettings are the settings of Generate's transactions. The sessions
// themselves are the parallelism: no parallel workers, so that the two
// cores of a small machine are not asked for four processes at once.
// Memory is sized for a machine of a few GB or more: at a million
// statements an index's sort or a GIN build's pending list fits in it.
const genSettings = `SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL max_parallel_maintenance_workers = 0;
	SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'`

// genTasks are the steps after the statements are written: statistics,
// the derived tables, the indexes, the constraints and triggers back, and
// vacuum. They are listed longest path first: a free session takes the
// first task whose inputs are ready.
func genTasks(b bulkObjects, chunks []string) []genTask {
	after := func(names ...string) []string { return names }
	tasks := []genTask{
		// Statistics for the set-based steps that follow: without them
		// the planner guesses small tables and loops.
		sqlTask("analyze", chunks, genSettings, `ANALYZE statements, positions, statement_regions, reports,
			position_conditions, demand_regions, actors, demands, regions, sources`),
		// The derived tables, by the functions the deferred trigger calls
		// (migration 00008), over every statement at once. Each table is
		// emptied first with its ledger (the function then adds every row
		// and count afresh): rows written into a table truncated in the
		// same transaction need no WAL when wal_level is minimal, as gen's
		// embedded cluster runs.
		//
		// The timeline is written by one session, in key order (ORDER BY
		// in the function), so each region's rows lie together for the
		// export. Without hash joins it took 49-52 s alone at a million
		// statements instead of 67-71 s: the planner expects a tenth of
		// the rows the regions' union gives, and its hash tables of wide
		// rows were slow to build and probe (work_mem 256MB 52 s, 512MB
		// 49 s, 1GB 63 s).
		sqlTask("region timeline", after("analyze"), genSettings+`; SET LOCAL work_mem = '512MB'; SET LOCAL enable_hashjoin = off`,
			`TRUNCATE region_timeline, region_counts; SELECT rebuild_region_timeline(NULL)`),
		sqlTask("stance log", after("analyze"), genSettings, `TRUNCATE stance_log, actor_counts; SELECT rebuild_stance_log(NULL); ANALYZE stance_log`),
	}
	// Indexes: those of the base tables as soon as the statements are
	// written, the derived tables' after their rebuild.
	firstIndex := len(tasks)
	var indexes, stanceIndexes []string
	for _, i := range slices.Concat(b.indexes, b.keys) {
		// (not alongside ANALYZE, which would wait for the build's lock)
		needs := after("analyze")
		switch i.table {
		case "region_timeline":
			needs = after("region timeline")
		case "stance_log":
			needs = after("stance log")
			stanceIndexes = append(stanceIndexes, "index "+i.name)
		}
		indexes = append(indexes, "index "+i.name)
		tasks = append(tasks, sqlTask("index "+i.name, needs, genSettings, i.def))
	}
	// The largest builds first (the GIN indexes over a million documents).
	slices.SortStableFunc(tasks[firstIndex:], func(x, y genTask) int { return indexWeight(y.what) - indexWeight(x.what) })
	// current_positions reads stance_log by its index, one probe per
	// (actor, demand).
	tasks = append(tasks,
		sqlTask("current positions", append(after("stance log"), stanceIndexes...), genSettings,
			`SELECT rebuild_current_positions(NULL, NULL)`),
		sqlTask("compact counts", after("region timeline", "stance log", "current positions"), genSettings,
			`SELECT compact_counts()`))

	// The constraints and triggers back, the foreign keys unchecked (their
	// locks would make the sessions wait for one another); then each
	// table's foreign keys are validated, which the sessions do side by
	// side.
	var back []string
	for _, k := range b.keys {
		back = append(back, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %[2]s", k.table, pgx.Identifier{k.name}.Sanitize()))
	}
	validate := map[string][]string{}
	for _, f := range b.fkeys {
		name := pgx.Identifier{f.name}.Sanitize()
		back = append(back, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", f.table, name, f.def))
		validate[f.table] = append(validate[f.table], fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", f.table, name))
	}
	for _, t := range bulkTriggerTables {
		back = append(back, "ALTER TABLE "+t+" ENABLE TRIGGER USER")
	}
	tasks = append(tasks, sqlTask("constraints and triggers", append(indexes, "compact counts"), genSettings, strings.Join(back, ";\n")))

	// Statistics for the planner and visibility maps, so that index-only
	// scans skip the heap: a table at a time, after its validation. The
	// indexes are new and no row is dead, so vacuum skips them (a GIN
	// index's cleanup would read all of it).
	for _, t := range append([]string{"region_timeline"}, slices.DeleteFunc(slices.Clone(bulkTables), func(t string) bool { return t == "region_timeline" })...) {
		needs := after("constraints and triggers")
		if v := validate[t]; len(v) > 0 {
			tasks = append(tasks, sqlTask("validate "+t, needs, genSettings, strings.Join(v, ";\n")))
			needs = after("validate " + t)
		}
		tasks = append(tasks, vacuumTask("vacuum "+t, needs, `VACUUM (ANALYZE, INDEX_CLEANUP OFF) `+t))
	}
	return append(tasks, vacuumTask("vacuum the rest", after("constraints and triggers"),
		`VACUUM (ANALYZE) current_positions, actor_counts, region_counts, actors, demands, regions, sources`))
}

// indexWeight orders the index builds: the GIN indexes take longest.
func indexWeight(what string) int {
	switch {
	case strings.Contains(what, "search"):
		return 3
	case strings.Contains(what, "trgm"):
		return 2
	case strings.HasPrefix(what, "index "):
		return 1
	}
	return 0
}

// vacuumTask runs sql outside a transaction, as VACUUM must be.
func vacuumTask(what string, needs []string, sql string) genTask {
	return genTask{what: what, needs: needs, run: func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, sql)
		return err
	}}
}

// runTasks runs tasks on conns, each session taking the first task (in
// list order) whose needs have all finished, until every task has run or
// one fails (its error, naming it, is returned once the running ones have
// stopped). started is called as a task starts, done with how long it
// took.
func runTasks(ctx context.Context, conns []*pgx.Conn, tasks []genTask, started func(what string), done func(what string, took time.Duration)) error {
	finished := map[string]bool{}
	names := map[string]bool{}
	for _, t := range tasks {
		names[t.what] = true
	}
	for _, t := range tasks {
		for _, n := range t.needs {
			if !names[n] {
				return fmt.Errorf("store: generate: step %q needs unknown step %q", t.what, n)
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		pending = slices.Clone(tasks)
		failed  error
	)
	// next takes the first ready task, or reports that there is none left
	// to take (all taken, or one failed).
	next := func() (genTask, bool) {
		mu.Lock()
		defer mu.Unlock()
		for failed == nil && len(pending) > 0 {
			for i, t := range pending {
				if !slices.ContainsFunc(t.needs, func(n string) bool { return !finished[n] }) {
					pending = slices.Delete(pending, i, i+1)
					return t, true
				}
			}
			cond.Wait()
		}
		return genTask{}, false
	}
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Go(func() {
			for {
				t, ok := next()
				if !ok {
					return
				}
				started(t.what)
				start := time.Now()
				err := t.run(ctx, conn)
				done(t.what, time.Since(start))
				mu.Lock()
				if err != nil && failed == nil {
					failed = fmt.Errorf("store: generate %s: %w", t.what, err)
					cancel()
				}
				finished[t.what] = true
				cond.Broadcast()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}
