package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/testdb"
)

// TestStreamingStandbyServesAnonymousReading runs Parley with DATABASE_URL
// on a primary and DATABASE_READ_URL on a streaming standby of it (real
// PostgreSQL replication, asynchronous): a statement an editor saves shows
// on the anonymous pages once the standby has replayed it; with the standby
// stopped anonymous readers get 503 while the editor carries on, and
// reading resumes, caught up, when it returns.
func TestStreamingStandbyServesAnonymousReading(t *testing.T) {
	primary, standby := testdb.Replicated(t)
	primaryURL, standbyURL := testdb.ReplicatedDatabase(t, primary, standby)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": primaryURL, "DATABASE_READ_URL": standbyURL, "LOG_LEVEL": "error"}
	command(t, env, "standby test pw\n", "user", "add", "-email", "ed@example.org", "-role", "editor")
	srv := startServe(t, env) // migrates and seeds the primary
	ed := editorClient(t, srv, "ed@example.org", "standby test pw")

	// The seed the primary loaded reaches the anonymous pages.
	waitUntil(t, "the seed on the standby's pages", func() bool {
		status, body := fetch(t, srv.url+"/actors/dmitry-peskov")
		return status == http.StatusOK && strings.Contains(body, "Dmitry Peskov")
	})

	// A saved statement: the editor sees it at once (the primary),
	// anonymous readers once the standby has replayed it.
	const summary = "Standby test: a zeugma written to the primary, read from the standby"
	show := postStatement(t, ed, srv.url, summary)
	saved := time.Now()
	if status, body := getAs(t, ed, show); status != http.StatusOK || !strings.Contains(body, summary) {
		t.Errorf("editor GET %s = %d; want their new statement (read-your-writes on the primary)", show, status)
	}
	waitUntil(t, "the new statement on the standby's pages", func() bool {
		status, body := fetch(t, show)
		return status == http.StatusOK && strings.Contains(body, summary)
	})
	lag := time.Since(saved)
	path := strings.TrimPrefix(show, srv.url)
	if status, body := fetch(t, srv.url+"/statements?q=zeugma"); status != http.StatusOK || !strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("anonymous search for the new statement = %d, lists it %v; want it listed", status, strings.Contains(body, path))
	}

	// The standby stops: anonymous readers are told Parley is unavailable,
	// the editor reads and writes on.
	if err := standby.Down("immediate"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/actors", path} {
		status, body := fetch(t, srv.url+path)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "Temporarily unavailable") {
			t.Errorf("anonymous GET %s with the standby down = %d; want 503 with an explanation", path, status)
		}
		if status, _ := getAs(t, ed, srv.url+path); status != http.StatusOK {
			t.Errorf("editor GET %s with the standby down = %d; want 200 from the primary", path, status)
		}
	}
	const whileDown = "Standby test: saved while the standby was down"
	showDown := postStatement(t, ed, srv.url, whileDown)
	if status, _ := fetch(t, srv.url+"/readyz"); status != http.StatusOK {
		t.Errorf("/readyz with the standby down = %d; want 200 (it checks the primary)", status)
	}

	// The standby returns, catches up, and anonymous reading resumes.
	if err := standby.Up(context.Background()); err != nil {
		t.Fatalf("restart the standby: %v", err)
	}
	back := waitUntil(t, "anonymous reading after the standby returned", func() bool {
		status, body := fetch(t, showDown)
		return status == http.StatusOK && strings.Contains(body, whileDown)
	})
	t.Logf("a saved statement reached the anonymous pages within %v of its 303 (polled); reading resumed (with the write made meanwhile) %v after the standby restarted",
		lag.Round(time.Millisecond), back.Round(time.Millisecond))
}

// TestFailoverToPromotedStandby kills the primary while editors save
// statements through the forms, and promotes its synchronous standby.
// Parley, given both hosts in DATABASE_URL with
// target_session_attrs=read-write, finds the new primary by itself, and
// every write acknowledged before, during or after the failover is there
// exactly once.
func TestFailoverToPromotedStandby(t *testing.T) {
	primary, standby := testdb.Replicated(t,
		"synchronous_standby_names="+testdb.StandbyName, "synchronous_commit=on")
	primaryURL, standbyURL := testdb.ReplicatedDatabase(t, primary, standby)
	dbURL := multiHostURL(t, primaryURL, standbyURL)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": dbURL, "LOG_LEVEL": "error"}
	command(t, env, "failover test pw\n", "user", "add", "-email", "ed@example.org", "-role", "editor")
	srv := startServe(t, env)

	l := &writeLog{acked: map[string]int64{}, tried: map[string]bool{}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 4 {
		c := editorClient(t, srv, "ed@example.org", "failover test pw")
		wg.Add(1)
		go func() { defer wg.Done(); failoverEditor(ctx, c, srv.url, i, l) }()
	}
	defer func() { stop(); wg.Wait() }()
	waitUntil(t, "writes acknowledged before the failover", func() bool { return l.ok(t) && l.ackedSince(time.Time{}) >= 20 })

	killed := time.Now()
	if err := primary.Down("kill"); err != nil {
		t.Fatal(err)
	}
	// Editors notice before the standby is promoted, as they would while
	// a failover manager makes up its mind.
	waitUntil(t, "editors to see the primary gone", func() bool { return l.ok(t) && l.failedSince(killed) > 0 })
	promoting := time.Now()
	if err := standby.Promote(context.Background()); err != nil {
		t.Fatal(err)
	}
	promoted := time.Now()
	// The primary's synchronous_standby_names is a server option here, not
	// in the configuration files pg_basebackup copies: the new primary must
	// not wait for a standby it does not have (every commit would hang).
	if names := setting(t, standby.URL("postgres"), "synchronous_standby_names"); names != "" {
		t.Fatalf("the promoted standby has synchronous_standby_names = %q; its commits would wait for a standby that does not exist", names)
	}
	recovery := waitUntil(t, "a write acknowledged by the new primary", func() bool { return l.ok(t) && l.ackedSince(promoted) > 0 })
	afterRecovery := l.ackedSince(time.Time{})
	waitUntil(t, "writes acknowledged after the failover", func() bool { return l.ok(t) && l.ackedSince(time.Time{}) >= afterRecovery+20 })
	stop()
	wg.Wait()

	for _, e := range l.bad {
		t.Error(e)
	}
	// What the new primary holds, against what editors were told.
	conn, err := pgx.Connect(context.Background(), standbyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT idempotency_key::text, id FROM statements WHERE summary LIKE 'Failover-test statement %'`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string][]int64{}
	for rows.Next() {
		var key string
		var id int64
		if err := rows.Scan(&key, &id); err != nil {
			t.Fatal(err)
		}
		stored[key] = append(stored[key], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var lost, duplicates, present int
	for key, id := range l.acked {
		switch ids := stored[key]; {
		case len(ids) == 0:
			lost++
			t.Errorf("acknowledged statement %d (key %s) is missing on the new primary", id, key)
		case len(ids) > 1 || ids[0] != id:
			duplicates++
			t.Errorf("acknowledged statement %d (key %s): the new primary holds ids %v", id, key, ids)
		}
	}
	unacked := 0
	for key := range l.tried {
		if _, ok := l.acked[key]; !ok {
			unacked++
			if len(stored[key]) > 0 {
				present++
			}
		}
	}
	if extra := len(stored) - len(l.acked) - present; extra != 0 {
		t.Errorf("%d stored statements were never submitted", extra)
	}
	if len(l.acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	firstFailed, firstOK := l.outage(killed)
	t.Logf("failover: writes acknowledged %d (%d before the kill, %d between the kill and the promotion, %d after), found exactly once %d, lost %d, duplicated %d; failed attempts %d (resubmitted with the same key), forms never acknowledged %d (%d of them stored)",
		len(l.acked), len(l.acked)-l.ackedSince(killed), l.ackedSince(killed)-l.ackedSince(promoted), l.ackedSince(promoted),
		len(l.acked)-lost-duplicates, lost, duplicates, l.failures, unacked, present)
	t.Logf("failover: editors saw an outage of %v, from the first failed write (%v after the kill) to the first acknowledged one; promotion took %v; Parley wrote to the new primary %v after it was promoted",
		firstOK.Sub(firstFailed).Round(time.Millisecond), firstFailed.Sub(killed).Round(time.Millisecond),
		promoted.Sub(promoting).Round(time.Millisecond), recovery.Round(time.Millisecond))
}

// setting returns the server setting name on the database at url.
func setting(t *testing.T, url, name string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var v string
	if err := conn.QueryRow(context.Background(), `SELECT current_setting($1)`, name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// writeLog is what editors were told during a failover.
type writeLog struct {
	mu       sync.Mutex
	tried    map[string]bool  // every idempotency key submitted
	acked    map[string]int64 // idempotency key -> statement id from the 303
	ackTimes []time.Time
	failed   []time.Time // when each failed attempt ended
	failures int
	bad      []string // anything but 303 or an explained 503
}

// ok fails t at once if an editor was answered with anything but a 303
// or an explained 503 (editors stop then), instead of waiting for saves
// that will not come.
func (l *writeLog) ok(t *testing.T) bool {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bad) > 0 {
		t.Fatalf("an editor's save was answered with neither 303 nor an explained 503: %s", strings.Join(l.bad, "; "))
	}
	return true
}

func (l *writeLog) ackedSince(t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, at := range l.ackTimes {
		if at.After(t) {
			n++
		}
	}
	return n
}

func (l *writeLog) failedSince(t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, at := range l.failed {
		if at.After(t) {
			n++
		}
	}
	return n
}

// outage returns the first failed write after since and the first write
// acknowledged after that.
func (l *writeLog) outage(since time.Time) (firstFailed, firstOK time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, at := range l.failed {
		if at.After(since) && (firstFailed.IsZero() || at.Before(firstFailed)) {
			firstFailed = at
		}
	}
	for _, at := range l.ackTimes {
		if at.After(firstFailed) && (firstOK.IsZero() || at.Before(firstOK)) {
			firstOK = at
		}
	}
	return firstFailed, firstOK
}

// failoverEditor submits new statements, each form with its own idempotency
// key, resubmitting the same form after a failure until it is acknowledged
// (as an editor pressing Save again would), and records every outcome.
func failoverEditor(ctx context.Context, c *http.Client, base string, editor int, l *writeLog) {
	for n := 0; ctx.Err() == nil; n++ {
		key := newKey()
		form := url.Values{"idempotency_key": {key}, "actor": {"dmitry-peskov"}, "date": {"2025-03-10"},
			"date_precision": {"day"}, "attribution": {"spokesperson"}, "regions": {"crimea"},
			"summary":           {fmt.Sprintf("Failover-test statement %d of editor %d (%s)", n, editor, key)},
			"confirm_duplicate": {"1"}}
		l.mu.Lock()
		l.tried[key] = true
		l.mu.Unlock()
		for ctx.Err() == nil {
			res, err := c.PostForm(base+"/statements/new", form)
			var body []byte
			if err == nil {
				body, _ = io.ReadAll(res.Body)
				res.Body.Close()
			}
			at := time.Now()
			l.mu.Lock()
			switch {
			case err == nil && res.StatusCode == http.StatusSeeOther:
				var id int64
				fmt.Sscan(strings.TrimPrefix(res.Header.Get("Location"), "/statements/"), &id)
				l.acked[key] = id
				l.ackTimes = append(l.ackTimes, at)
			case err != nil || res.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), "Temporarily unavailable"):
				l.failed = append(l.failed, at)
				l.failures++
			default:
				title, _, _ := strings.Cut(string(body), "</title>")
				_, title, _ = strings.Cut(title, "<title>")
				l.bad = append(l.bad, fmt.Sprintf("POST /statements/new: status %d (%q)", res.StatusCode, title))
			}
			done := l.acked[key] != 0 || len(l.bad) > 0
			l.mu.Unlock()
			if done {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		l.mu.Lock()
		bad := len(l.bad) > 0
		l.mu.Unlock()
		if bad {
			return
		}
	}
}

// multiHostURL joins connection strings of the form
// postgres:///db?host=SOCKETDIR&… into one naming every host, which only
// connects to the one that accepts writes.
func multiHostURL(t *testing.T, urls ...string) string {
	t.Helper()
	var hosts []string
	var u *url.URL
	for _, s := range urls {
		p, err := url.Parse(s)
		if err != nil || p.Query().Get("host") == "" {
			t.Fatalf("multiHostURL: %q has no host parameter", s)
		}
		hosts = append(hosts, p.Query().Get("host"))
		if u == nil {
			u = p
		}
	}
	q := u.Query()
	q.Set("host", strings.Join(hosts, ","))
	q.Set("target_session_attrs", "read-write")
	u.RawQuery = q.Encode()
	return u.String()
}

// postStatement saves a new statement as the editor c and returns the
// address of its page.
func postStatement(t *testing.T, c *http.Client, base, summary string) string {
	t.Helper()
	res, err := c.PostForm(base+"/statements/new", url.Values{"idempotency_key": {newKey()},
		"actor": {"dmitry-peskov"}, "date": {"2025-03-10"}, "date_precision": {"day"}, "attribution": {"spokesperson"},
		"regions": {"crimea"}, "summary": {summary}, "confirm_duplicate": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/statements/") {
		t.Fatalf("POST /statements/new = %d, Location %q; want 303 to the statement", res.StatusCode, res.Header.Get("Location"))
	}
	return base + res.Header.Get("Location")
}

// waitUntil polls cond until it holds, failing t after 30 seconds, and
// returns how long it took.
func waitUntil(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	// A bound on progress, not a speed target: under -race on a busy
	// two-core machine a save can take seconds.
	for !cond() {
		if time.Since(start) > 90*time.Second {
			t.Fatalf("waited 90 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
