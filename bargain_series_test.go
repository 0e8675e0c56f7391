package parley_test

import (
	"fmt"
	"testing"
	"time"

	"parley"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestMonthEndsListCompleteMonthsBeforeUntil(t *testing.T) {
	got := fmt.Sprint(parley.MonthEnds(day(2023, 12, 15), day(2024, 3, 2)))
	want := fmt.Sprint([]time.Time{day(2023, 12, 31), day(2024, 1, 31), day(2024, 2, 29)})
	if got != want {
		t.Errorf("MonthEnds(15 Dec 2023, 2 Mar 2024) = %s, want %s", got, want)
	}
	if got := parley.MonthEnds(day(2024, 3, 1), day(2024, 3, 31)); len(got) != 0 {
		t.Errorf("within one month: %v, want none (the month has not ended)", got)
	}
}

func TestMovesBetweenNamesTheStatementsBehindChangedPositions(t *testing.T) {
	pos := func(side string, st parley.Stance, id int64, conds ...parley.Condition) parley.PartyPosition {
		return parley.PartyPosition{Side: side, Demand: "talks", Stance: st, Conditions: conds, Statements: []int64{id}}
	}
	cond := parley.Condition{Side: "ukraine", Demand: "neutrality", Stance: parley.Supports}
	points := [][]parley.PartyPosition{
		nil,
		{pos("russia", parley.Insists, 1)},
		// the same stance in a newer statement moves nothing
		{pos("russia", parley.Insists, 2), pos("ukraine", parley.Rejects, 3)},
		// a condition added moves it
		{pos("russia", parley.Insists, 4, cond), pos("ukraine", parley.Rejects, 3)},
		{pos("russia", parley.Insists, 4, cond), pos("ukraine", parley.Rejects, 3)},
	}
	var got []string
	for i := 1; i < len(points); i++ {
		got = append(got, fmt.Sprint(parley.MovesBetween(points[i-1], points[i])))
	}
	if got, want := fmt.Sprint(got), "[[1] [3] [4] []]"; got != want {
		t.Errorf("moves = %s, want %s", got, want)
	}
}

func TestPointOfCountsEachBlockingDemandOnce(t *testing.T) {
	in := parley.BargainingInput{Parties: []string{"russia", "ukraine"}, Positions: []parley.PartyPosition{
		{Side: "russia", Demand: "a", Stance: parley.Insists}, {Side: "ukraine", Demand: "a", Stance: parley.Rejects},
		{Side: "russia", Demand: "b", Stance: parley.Insists}, {Side: "ukraine", Demand: "b", Stance: parley.Rejects},
	}}
	p := parley.PointOf(day(2024, 1, 31), in, parley.Bargain(in))
	if p.Feasible || fmt.Sprint(p.Blocking) != "[a b]" || p.Packages != 0 {
		t.Errorf("point = feasible %v, blocking %v, %d packages; want blocked by a and b", p.Feasible, p.Blocking, p.Packages)
	}
}
