package store_test

import (
	"cmp"
	"context"
	"fmt"
	"parley"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CurrentPositions, SideStances and ListShifts, compared on generated data
// with the queries and the rule they replaced.

// scaleDateParam is t as a query parameter: NULL for the zero time.
func scaleDateParam(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func scaleDayString(t time.Time) string {
	if t.IsZero() {
		return "now"
	}
	return t.Format("2006-01-02")
}

// scaleTies dates pairs of live positions on the same demand with
// different stances (by the same actor, or by actors of the same side) on
// day, on the record: the newest position as of day is then decided by the
// statement id, and lies on the as-of day itself. It returns the pairs'
// statement ids.
func scaleTies(t *testing.T, pool *pgxpool.Pool, sameActor bool, pairs int, day time.Time) []int64 {
	t.Helper()
	ids := scaleInt64s(t, pool, `
		WITH l AS (
		    SELECT p.statement_id, p.demand_id, p.stance, s.actor_id, a.side FROM positions p
		    JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		    JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
		    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL),
		pairs AS (
		    SELECT DISTINCT ON (x.demand_id) x.statement_id AS a, y.statement_id AS b FROM l x
		    JOIN l y ON y.demand_id = x.demand_id AND y.statement_id > x.statement_id AND y.stance <> x.stance
		           AND CASE WHEN $1 THEN y.actor_id = x.actor_id ELSE y.side = x.side END
		    ORDER BY x.demand_id, x.statement_id, y.statement_id),
		chosen AS (SELECT a, b FROM pairs ORDER BY a, b LIMIT $2)
		SELECT a FROM chosen UNION SELECT b FROM chosen`, sameActor, pairs)
	if len(ids) < 2 {
		t.Fatalf("no pair of positions to tie (same actor: %v)", sameActor)
	}
	scaleExec(t, pool, `UPDATE statements SET date = $1, date_precision = 'day', attribution = 'on_record' WHERE id = ANY ($2)`, day, ids)
	return ids
}

// currentPositionsOracle is the query CurrentPositions replaced.
const currentPositionsOracle = `
	SELECT DISTINCT ON (s.actor_id, p.demand_id)
	       a.slug, a.name, a.side, d.slug, p.stance, s.date, s.date_precision, s.id, s.attribution,
	       EXISTS (SELECT 1 FROM position_conditions pc WHERE pc.statement_id = p.statement_id AND pc.demand_id = p.demand_id)
	FROM positions p
	JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	WHERE ($1::date IS NULL OR s.date <= $1) AND s.actor_id = ANY ($2)
	ORDER BY s.actor_id, p.demand_id, s.date DESC, s.id DESC`

func scaleScanCurrentPosition(r pgx.CollectableRow) (parley.CurrentPosition, error) {
	var c parley.CurrentPosition
	err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.Stance, &c.Date.Time, &c.Date.Precision, &c.StatementID, &c.Attribution, &c.Conditional)
	return c, err
}

func TestCurrentPositionsMatchTheOracle(t *testing.T) {
	t.Parallel()
	// A seed whose data gives a stance on every demand and date checked.
	s, pool := scaleGenerated(t, 2000, 32)
	ctx := context.Background()

	checkTop := func(round string) []int64 {
		t.Helper()
		top, total, err := s.TopActors(ctx, 30)
		if err != nil {
			t.Fatalf("%s: TopActors: %v", round, err)
		}
		type ranked struct {
			Slug string
			N    int
		}
		rows, err := pool.Query(ctx, `WITH c AS (`+livePositionCounts+`)
			SELECT a.slug, c.n::int FROM c JOIN actors a ON a.id = c.actor_id ORDER BY c.n DESC, a.name, a.id`)
		if err != nil {
			t.Fatal(err)
		}
		all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ranked])
		if err != nil {
			t.Fatal(err)
		}
		if total != len(all) {
			t.Errorf("%s: TopActors total = %d, want %d actors with a live position", round, total, len(all))
		}
		count := map[string]int{}
		for _, r := range all {
			count[r.Slug] = r.N
		}
		var got, want []string
		var ids []int64
		for i, a := range top {
			got = append(got, fmt.Sprintf("%s:%d", a.Slug, count[a.Slug]))
			ids = append(ids, a.ID)
			if i > 0 && count[a.Slug] > count[top[i-1].Slug] {
				t.Errorf("%s: TopActors[%d] %s has %d positions, more than TopActors[%d] %s with %d",
					round, i, a.Slug, count[a.Slug], i-1, top[i-1].Slug, count[top[i-1].Slug])
			}
		}
		for _, r := range all[:min(30, len(all))] {
			want = append(want, fmt.Sprintf("%s:%d", r.Slug, r.N))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: TopActors(30) (slug:live positions) =\n %v\nwant\n %v", round, got, want)
		}
		if len(top) != 30 {
			t.Fatalf("%s: TopActors(30) returned %d actors, want 30 (the data has %d active actors)", round, len(top), len(all))
		}
		return ids
	}
	checkCurrent := func(round string, ids []int64) {
		t.Helper()
		for _, asOf := range []time.Time{{}, scaleDay(2016, 6, 30), scaleDay(2020, 1, 1), scaleDay(2025, 12, 31)} {
			got, err := s.CurrentPositions(ctx, ids, asOf)
			if err != nil {
				t.Fatalf("%s: CurrentPositions as of %s: %v", round, scaleDayString(asOf), err)
			}
			rows, err := pool.Query(ctx, currentPositionsOracle, scaleDateParam(asOf), ids)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, scaleScanCurrentPosition)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("%s: the oracle has no positions as of %s: the comparison proves nothing", round, scaleDayString(asOf))
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: CurrentPositions(top 30, as of %s) differs from the DISTINCT ON query (-want +got):\n%s", round, scaleDayString(asOf), diff)
			}
		}
	}
	// TopActorPositions is the dashboard's form: CurrentPositions of the
	// actors TopActors ranks first, ranked by itself.
	checkTopPositions := func(round string) {
		t.Helper()
		top, _, err := s.TopActors(ctx, 30)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(top))
		for i, a := range top {
			ids[i] = a.ID
		}
		for _, asOf := range []time.Time{{}, scaleDay(2020, 1, 1)} {
			want, err := s.CurrentPositions(ctx, ids, asOf)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.TopActorPositions(ctx, 30, asOf, false)
			if err != nil {
				t.Fatalf("%s: TopActorPositions as of %s: %v", round, scaleDayString(asOf), err)
			}
			if len(want) == 0 {
				t.Fatalf("%s: no positions as of %s: the comparison proves nothing", round, scaleDayString(asOf))
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: TopActorPositions(30, as of %s) differs from CurrentPositions of TopActors(30) (-want +got):\n%s", round, scaleDayString(asOf), diff)
			}
			// Only the parties' actors: the same positions, the others' left out.
			sides, err := s.ListSides(ctx)
			if err != nil {
				t.Fatal(err)
			}
			roles := parley.SideRolesOf(sides)
			var wantParties []parley.CurrentPosition
			for _, c := range want {
				if roles[c.ActorSide] == parley.Party {
					wantParties = append(wantParties, c)
				}
			}
			if len(wantParties) == 0 || len(wantParties) == len(want) {
				t.Fatalf("%s: %d of %d positions are the parties' actors': the comparison proves nothing", round, len(wantParties), len(want))
			}
			got, err = s.TopActorPositions(ctx, 30, asOf, true)
			if err != nil {
				t.Fatalf("%s: TopActorPositions of parties as of %s: %v", round, scaleDayString(asOf), err)
			}
			if diff := gocmp.Diff(wantParties, got); diff != "" {
				t.Errorf("%s: TopActorPositions(30, as of %s, parties only) differs from the parties' actors' CurrentPositions (-want +got):\n%s", round, scaleDayString(asOf), diff)
			}
		}
	}
	// DemandPositions is every actor's current stance on one demand.
	checkDemand := func(round string) {
		t.Helper()
		for _, demand := range []string{"gen-demand-5", "gen-demand-3"} {
			got, err := s.DemandPositions(ctx, demand)
			if err != nil {
				t.Fatalf("%s: DemandPositions(%s): %v", round, demand, err)
			}
			rows, err := pool.Query(ctx, strings.Replace(currentPositionsOracle, "s.actor_id = ANY ($2)", "d.slug = $2", 1), nil, demand)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, scaleScanCurrentPosition)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: DemandPositions(%s) differs from the DISTINCT ON query (-want +got):\n%s", round, demand, diff)
			}
		}
	}

	ids := checkTop("generated data")
	checkCurrent("generated data", ids)
	checkTopPositions("generated data")
	checkDemand("generated data")

	// Edits in SQL, which go through the triggers and leave the ledger
	// with rows to sum.
	scaleExec(t, pool, `UPDATE statements SET deleted_at = now() WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 5)`, ids[0])
	scaleExec(t, pool, `UPDATE actors SET deleted_at = now() WHERE id = $1`, ids[1])
	scaleExec(t, pool, `UPDATE actors SET side = 'china' WHERE id = $1`, ids[2])
	scaleExec(t, pool, `UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-3'`)
	scaleExec(t, pool, `DELETE FROM statements WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 3)`, ids[3])
	scaleExec(t, pool, `UPDATE statements SET date = '2015-01-01' WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 4)`, ids[4])
	scaleExec(t, pool, `DELETE FROM positions WHERE statement_id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 10)`, ids[5])
	scaleTies(t, pool, true, 5, scaleDay(2020, 1, 1))
	checkTop("after edits")
	checkCurrent("after edits", ids)
	checkTopPositions("after edits")
	checkDemand("after edits")
	scaleExec(t, pool, `SELECT compact_counts()`)
	checkTop("after compacting")
}

// scaleSideStanceRule computes SideStance's rule from events: per demand and
// side, the newest (greatest date, then statement id) position that is not
// anonymous, else the newest anonymous one, among those dated on or before
// asOf (zero: all). It also counts how often the rule chose an older named
// position over a newer anonymous one, and how often it fell back to an
// anonymous one.
// scaleSideStanceRule is parley.SideStance's rule written out over events
// (v2: only sides that count, by roles; a stance on a demand's converse
// counts on it too, mirrored and marked via the converse, the statement's
// own words on the demand winning a tie).
func scaleSideStanceRule(events []parley.StanceEvent, asOf time.Time, demand string, roles map[string]parley.SideRole,
	converse map[string]string) (out []parley.SideStance, namedOverNewer, fallback int) {
	type cand struct {
		e   parley.StanceEvent
		via string
	}
	newer := func(a, b cand) bool { // a is newer than b
		if !a.e.Date.Time.Equal(b.e.Date.Time) {
			return a.e.Date.Time.After(b.e.Date.Time)
		}
		if a.e.StatementID != b.e.StatementID {
			return a.e.StatementID > b.e.StatementID
		}
		return a.via == "" && b.via != ""
	}
	type key struct{ demand, side string }
	named, anon := map[key]cand{}, map[key]cand{}
	add := func(e parley.StanceEvent, via string) {
		if demand != "" && e.DemandSlug != demand {
			return
		}
		k := key{e.DemandSlug, e.ActorSide}
		m := named
		if e.Attribution == "anonymous" {
			m = anon
		}
		if cur, ok := m[k]; !ok || newer(cand{e, via}, cur) {
			m[k] = cand{e, via}
		}
	}
	for _, e := range events {
		if (!asOf.IsZero() && e.Date.Time.After(asOf)) || !roles[e.ActorSide].Counts() {
			continue
		}
		add(e, "")
		if c := converse[e.DemandSlug]; c != "" {
			m := e
			m.DemandSlug, m.Stance = c, e.Stance.Mirror()
			add(m, e.DemandSlug)
		}
	}
	pick := func(c cand) parley.SideStance {
		on := c.e.DemandSlug // the demand the statement took the position on
		if c.via != "" {
			on = c.via
		}
		return parley.SideStance{Demand: c.e.DemandSlug, Side: c.e.ActorSide, Role: roles[c.e.ActorSide], Stance: c.e.Stance, Date: c.e.Date,
			Via: c.via, StatementID: c.e.StatementID, On: on}
	}
	for k, c := range named {
		if a, ok := anon[k]; ok && newer(a, c) {
			namedOverNewer++
		}
		out = append(out, pick(c))
	}
	for k, c := range anon {
		if _, ok := named[k]; !ok {
			out = append(out, pick(c))
			fallback++
		}
	}
	scaleSortSideStances(out)
	return out, namedOverNewer, fallback
}

func scaleByDateAndID(a, b parley.StanceEvent) int {
	if c := a.Date.Time.Compare(b.Date.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.StatementID, b.StatementID)
}

func scaleByDateIDAndDemand(a, b parley.StanceEvent) int {
	if c := scaleByDateAndID(a, b); c != 0 {
		return c
	}
	return strings.Compare(a.DemandSlug, b.DemandSlug)
}

func scaleSortSideStances(x []parley.SideStance) {
	slices.SortFunc(x, func(a, b parley.SideStance) int {
		return strings.Compare(a.Demand+"\x00"+a.Side, b.Demand+"\x00"+b.Side)
	})
}

func TestSideStancesMatchTheRule(t *testing.T) {
	t.Parallel()
	// A seed whose data gives a stance on every demand and date checked.
	s, pool := scaleGenerated(t, 2000, 32)
	ctx := context.Background()

	check := func(round string) {
		t.Helper()
		events, err := s.ListStanceEvents(ctx, "", "")
		if err != nil {
			t.Fatalf("%s: ListStanceEvents: %v", round, err)
		}
		// The events are every live position, oldest first.
		rows, err := pool.Query(ctx, `SELECT s.id, a.slug, a.side, d.slug, p.stance, s.date, s.date_precision, s.attribution
			FROM positions p
			JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
			JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
			ORDER BY s.date, s.id, d.slug`)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StanceEvent, error) {
			var e parley.StanceEvent
			err := r.Scan(&e.StatementID, &e.ActorSlug, &e.ActorSide, &e.DemandSlug, &e.Stance, &e.Date.Time, &e.Date.Precision, &e.Attribution)
			return e, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(events); i++ {
			if scaleByDateAndID(events[i-1], events[i]) > 0 {
				t.Fatalf("%s: ListStanceEvents is not oldest first: %+v before %+v", round, events[i-1], events[i])
			}
		}
		got := slices.Clone(events)
		slices.SortFunc(got, scaleByDateIDAndDemand)
		slices.SortFunc(want, scaleByDateIDAndDemand)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: ListStanceEvents differs from the live positions oldest first (-want +got):\n%s", round, diff)
		}

		roles := map[string]parley.SideRole{}
		for _, r := range scaleStrings(t, pool, `SELECT slug || ' ' || role FROM sides`) {
			slug, role, _ := strings.Cut(r, " ")
			roles[slug] = parley.SideRole(role)
		}
		converse := map[string]string{}
		for _, r := range scaleStrings(t, pool, `SELECT d.slug || ' ' || c.slug FROM demands d JOIN demands c ON c.id = d.converse_id`) {
			a, b, _ := strings.Cut(r, " ")
			converse[a] = b
		}
		totalNamedOverNewer, totalFallback, totalVia := 0, 0, 0
		for _, asOf := range []time.Time{{}, scaleDay(2014, 2, 15), scaleDay(2014, 6, 30), scaleDay(2016, 6, 30), scaleDay(2020, 1, 1), scaleDay(2025, 12, 31)} {
			for _, demand := range []string{"", "gen-demand-7", "gen-demand-40", "gen-demand-12"} {
				want, namedOverNewer, fallback := scaleSideStanceRule(events, asOf, demand, roles, converse)
				for _, w := range want {
					if w.Via != "" {
						totalVia++
					}
				}
				totalNamedOverNewer += namedOverNewer
				totalFallback += fallback
				got, err := s.SideStances(ctx, asOf, demand)
				if err != nil {
					t.Fatalf("%s: SideStances(%s, %q): %v", round, scaleDayString(asOf), demand, err)
				}
				scaleSortSideStances(got)
				if len(want) == 0 {
					t.Errorf("%s: as of %s on %q the rule gives no stance: the comparison proves nothing", round, scaleDayString(asOf), demand)
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("%s: SideStances(as of %s, demand %q) differs from the rule (-rule +got):\n%s", round, scaleDayString(asOf), demand, diff)
				}
				if demand == "" { // the parties' alone
					parties, err := s.PartyStances(ctx, asOf)
					if err != nil {
						t.Fatal(err)
					}
					scaleSortSideStances(parties)
					wantParties := slices.DeleteFunc(slices.Clone(want), func(x parley.SideStance) bool { return x.Role != parley.Party })
					if diff := gocmp.Diff(wantParties, parties); diff != "" {
						t.Errorf("%s: PartyStances(as of %s) differs from the rule's parties (-rule +got):\n%s", round, scaleDayString(asOf), diff)
					}
				}
			}
		}
		if totalVia == 0 {
			t.Errorf("%s: no stance was read from a converse demand: the converse part proves nothing", round)
		}
		if totalNamedOverNewer == 0 || totalFallback == 0 {
			t.Errorf("%s: the data never exercised the rule: a named stance over a newer anonymous one %d times, the anonymous fallback %d times",
				round, totalNamedOverNewer, totalFallback)
		}
	}
	check("generated data")
	// Sides changing and actors leaving move positions between sides.
	scaleExec(t, pool, `UPDATE actors SET side = 'ukraine' WHERE slug IN ('gen-actor-1', 'gen-actor-2', 'gen-actor-4')`)
	scaleExec(t, pool, `UPDATE actors SET deleted_at = now() WHERE slug = 'gen-actor-3'`)
	scaleExec(t, pool, `UPDATE statements SET attribution = 'anonymous' WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = 'gen-actor-6') ORDER BY date DESC, id DESC LIMIT 20)`)
	scaleTies(t, pool, false, 5, scaleDay(2020, 1, 1))
	// (v2) An observer's stances count nowhere; a stakeholder's are beside
	// the gap.
	scaleExec(t, pool, `UPDATE sides SET role = 'observer' WHERE slug = 'europe'`)
	scaleExec(t, pool, `UPDATE sides SET role = 'party' WHERE slug = 'china'`)
	check("after changing sides, roles and attributions")
}

// shiftsOracle is the window query ListShifts replaced.
const shiftsOracle = `
	WITH h AS (
	    SELECT s.id, a.slug AS actor, d.slug AS demand, p.stance, s.date,
	           lag(p.stance) OVER (PARTITION BY s.actor_id, p.demand_id ORDER BY s.date, s.id) AS prev
	    FROM positions p
	    JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	    JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	    WHERE ($1::date IS NULL OR s.date <= $1) AND ($2 = '' OR a.slug = $2) AND ($3 = '' OR d.slug = $3))
	SELECT id, actor, demand, prev, stance FROM h
	WHERE prev IS NOT NULL AND prev <> stance
	ORDER BY date DESC, id DESC, demand LIMIT $4`

func TestShiftsMatchTheWindowQuery(t *testing.T) {
	t.Parallel()
	// A seed whose data gives a stance on every demand and date checked.
	s, pool := scaleGenerated(t, 2000, 32)
	ctx := context.Background()
	topActor := scaleStrings(t, pool, `WITH c AS (`+livePositionCounts+`)
		SELECT a.slug FROM c JOIN actors a ON a.id = c.actor_id ORDER BY c.n DESC, a.slug LIMIT 1`)[0]
	// The generator shifts stances on some demands only: take those with
	// the most shifts, overall and of the top actor.
	shiftiest := func(actor string) string {
		t.Helper()
		return scaleStrings(t, pool, `SELECT demand FROM (`+strings.Replace(shiftsOracle, "LIMIT $4", "", 1)+`) x
			GROUP BY demand ORDER BY count(*) DESC, demand LIMIT 1`, nil, actor, "")[0]
	}
	someDemand, topActorsDemand := shiftiest(""), shiftiest(topActor)
	type shift struct {
		ID                      int64
		Actor, Demand, From, To string
	}
	check := func(round string) {
		t.Helper()
		for _, q := range []struct {
			asOf          time.Time
			actor, demand string
			limit         int
		}{
			{time.Time{}, "", "", 10},
			{scaleDay(2020, 1, 1), "", "", 25},
			{time.Time{}, topActor, "", 20},
			{time.Time{}, "", someDemand, 20},
			{scaleDay(2025, 6, 30), topActor, topActorsDemand, 50},
			{scaleDay(2018, 1, 1), "", "", 0},
		} {
			name := fmt.Sprintf("ListShifts(as of %s, actor %q, demand %q, limit %d)", scaleDayString(q.asOf), q.actor, q.demand, q.limit)
			shifts, err := s.ListShifts(ctx, q.asOf, q.actor, q.demand, q.limit)
			if err != nil {
				t.Fatalf("%s: %s: %v", round, name, err)
			}
			var got []shift
			for _, x := range shifts {
				got = append(got, shift{x.StatementID, x.ActorSlug, x.DemandSlug, string(x.From), string(x.To)})
			}
			limit := q.limit
			if limit == 0 {
				limit = 1 << 30
			}
			rows, err := pool.Query(ctx, shiftsOracle, scaleDateParam(q.asOf), q.actor, q.demand, limit)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[shift])
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Errorf("%s: %s: the oracle finds no shifts: the comparison proves nothing", round, name)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: %s differs from the window query (-want +got):\n%s", round, name, diff)
			}
		}
	}
	check("generated data")
	// A shift's predecessor can be deleted, or land on the other side of it.
	scaleExec(t, pool, `UPDATE statements SET deleted_at = now() WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = $1) ORDER BY date DESC, id DESC LIMIT 15)`, topActor)
	scaleExec(t, pool, `UPDATE statements SET date = date - 400 WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = $1) ORDER BY date DESC, id DESC LIMIT 10)`, topActor)
	scaleExec(t, pool, `UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-12'`)
	scaleTies(t, pool, true, 5, scaleDay(2020, 1, 1))
	check("after deleting and moving statements")
}
