package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "parley-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// When tests run as root the cluster runs as postgres, who must enter.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStartAttachStop(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	first, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { first.Stop() })
	if !first.Owned() {
		t.Fatal("first Start does not own the cluster")
	}
	conn, err := pgx.Connect(ctx, first.URL("postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// A second process on the same directory attaches instead of starting.
	second, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if second.Owned() {
		t.Error("second Start owns the cluster; want attached")
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	if !first.ping(ctx) {
		t.Fatal("stopping an attached cluster stopped the server")
	}

	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid remains after Stop (err %v)", err)
	}

	// Started again, the data is still there.
	again, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { again.Stop() })
	conn, err = pgx.Connect(ctx, again.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var x int
	if err := conn.QueryRow(ctx, `SELECT x FROM kept`).Scan(&x); err != nil || x != 42 {
		t.Errorf("after restart SELECT x = %d, %v; want 42", x, err)
	}
}

func TestUnreachableDirectoryMovesClusterWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the cluster as another user")
	}
	parent := tempDir(t)
	locked := filepath.Join(parent, "home")
	if err := os.Mkdir(locked, 0o700); err != nil { // like root's home directory
		t.Fatal(err)
	}
	c, err := Start(context.Background(), Options{Dir: filepath.Join(locked, "pg"), Fast: true})
	if err != nil {
		t.Fatalf("Start in a directory postgres cannot enter: %v", err)
	}
	t.Cleanup(func() {
		c.Stop()
		os.RemoveAll(c.Dir())
	})
	if filepath.Dir(c.Dir()) != "/var/tmp" {
		t.Errorf("cluster kept in %s, want a directory under /var/tmp", c.Dir())
	}
}

func TestMissingBinariesAreExplained(t *testing.T) {
	t.Setenv("PG_BIN", t.TempDir())
	_, err := FindBinaries()
	if err == nil {
		t.Fatal("FindBinaries with an empty PG_BIN succeeded")
	}
	if !strings.Contains(ErrNoBinaries.Error(), "apt-get install postgresql") {
		t.Errorf("ErrNoBinaries does not say what to install: %v", ErrNoBinaries)
	}
}
