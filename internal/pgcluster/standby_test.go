package pgcluster

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStandbyFollowsAndPromotes starts a cluster with extra settings and a
// standby of it: the settings are in force, the standby replays what the
// primary commits and refuses writes, and once promoted it accepts them.
func TestStandbyFollowsAndPromotes(t *testing.T) {
	ctx := context.Background()
	dir := tempDir(t)
	primary, err := Start(ctx, Options{Dir: filepath.Join(dir, "primary"), Fast: true, Settings: []string{"application_name=set_by_option"}})
	if err != nil {
		t.Fatalf("Start primary: %v", err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err := Start(ctx, Options{Dir: filepath.Join(dir, "standby"), Fast: true, StandbyOf: primary})
	if err != nil {
		t.Fatalf("Start standby: %v", err)
	}
	t.Cleanup(func() { standby.Stop() })

	p := connect(t, primary)
	var name string
	if err := p.QueryRow(ctx, `SELECT current_setting('application_name')`).Scan(&name); err != nil || name != "set_by_option" {
		t.Errorf("application_name on the primary = %q, %v; want the setting given in Options.Settings", name, err)
	}
	if _, err := p.Exec(ctx, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	s := connect(t, standby)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var x int
		if err := s.QueryRow(ctx, `SELECT x FROM kept`).Scan(&x); err == nil && x == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the primary's row did not reach the standby within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := s.Exec(ctx, `INSERT INTO kept VALUES (8)`); err == nil {
		t.Error("the standby accepted a write")
	}

	if err := primary.Down("kill"); err != nil {
		t.Fatal(err)
	}
	if err := standby.Promote(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, `INSERT INTO kept VALUES (8)`); err != nil {
		t.Errorf("the promoted standby refused a write: %v", err)
	}
}

func connect(t *testing.T, c *Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
