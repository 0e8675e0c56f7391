package testdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/pgcluster"
)

// StandbyName is the name the standby of Replicated streams under
// (application_name), for synchronous_standby_names.
const StandbyName = "parley_standby"

// Replicated starts, for t, a private primary cluster with the extra
// server settings primarySettings and a streaming standby of it (a base
// backup, hot standby), stops both when t ends, and returns once the
// standby streams. They are separate from the cluster of the test binary.
func Replicated(t testing.TB, primarySettings ...string) (primary, standby *pgcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "parley-test-repl-")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The clusters may run as the postgres user, who must be able to enter.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	primary, err = pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "primary"), Fast: true, Settings: primarySettings})
	if err != nil {
		t.Fatalf("testdb: start primary: %v", err)
	}
	t.Cleanup(func() { primary.Stop() })
	// cluster_name is the name the standby streams under. A promotion
	// that arrives while the standby waits to retry a lost primary waits
	// out wal_retrieve_retry_interval (5 s by default): 1 s here.
	standby, err = pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "standby"), Fast: true,
		StandbyOf: primary, Settings: []string{"cluster_name=" + StandbyName, "wal_retrieve_retry_interval=1s"}})
	if err != nil {
		t.Fatalf("testdb: start standby: %v", err)
	}
	t.Cleanup(func() { standby.Stop() })

	WaitForStandby(t, primary)
	return primary, standby
}

// WaitForStandby waits until the standby of Replicated streams from
// primary (after it started or restarted), failing t after 30 seconds.
func WaitForStandby(t testing.TB, primary *pgcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, primary.URL("postgres"))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var streaming bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_replication
			WHERE application_name = $1 AND state = 'streaming')`, StandbyName).Scan(&streaming)
		if err != nil {
			t.Fatalf("testdb: %v", err)
		}
		if streaming {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("testdb: the standby is not streaming from the primary after 30 s")
		}
	}
}

// ReplicatedDatabase creates an empty database named parley on primary (a
// cluster of Replicated) and returns its connection strings on the primary
// and on the standby, once the standby has it.
func ReplicatedDatabase(t testing.TB, primary, standby *pgcluster.Cluster) (primaryURL, standbyURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, primary.URL("postgres"))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE parley`); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := pgx.Connect(ctx, standby.URL("parley"))
		if err == nil {
			c.Close(ctx)
			return primary.URL("parley"), standby.URL("parley")
		}
		if time.Now().After(deadline) {
			t.Fatalf("testdb: the new database did not reach the standby within 30 s: %v", err)
		}
	}
}
