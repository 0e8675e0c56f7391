package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// server is one "serve" run in the background.
type server struct {
	url  string
	stop func() error
}

// startServe runs "serve" with env on 127.0.0.1:0 and waits until /readyz
// answers.
func startServe(t *testing.T, env map[string]string) *server {
	t.Helper()
	if _, ok := env["REVIEW"]; !ok {
		// One editor's flows publish at once; the review tests set
		// REVIEW=two-person (the default outside tests) themselves.
		env["REVIEW"] = "off"
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, getenv(env), strings.NewReader(""), pw, serveLog())
		pw.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	var url string
	select {
	case u, ok := <-urls:
		if !ok {
			cancel()
			t.Fatalf("serve exited before listening: %v", <-done)
		}
		url = u
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start listening within 60s")
	}
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(60 * time.Second):
				stopErr = errors.New("serve did not stop within 60s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	waitReady(t, url)
	return &server{url: url, stop: stop}
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", url)
}

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// command runs one subcommand to completion and returns what it printed.
func command(t *testing.T, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	out, err := commandErr(env, stdin, args...)
	if err != nil {
		t.Fatalf("server %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func commandErr(env map[string]string, stdin string, args ...string) (string, error) {
	var out strings.Builder
	err := run(context.Background(), args, getenv(env), strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

// TestEmbeddedDatabaseLifecycle walks what a new user does: make run on a
// fresh data directory (initdb, migrations, seed), subcommands while it
// runs, a clean stop, and a restart that keeps every row.
func TestEmbeddedDatabaseLifecycle(t *testing.T) {
	dir, err := os.MkdirTemp("", "parley-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // the postgres user must reach it when we are root
		t.Fatal(err)
	}
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": filepath.Join(dir, "data"), "LOG_LEVEL": "warn"}

	srv := startServe(t, env)
	status, body := fetch(t, srv.url+"/")
	if status != http.StatusOK || !strings.Contains(body, "Vladimir Putin") {
		t.Fatalf("GET / = %d; seeded statements missing from page", status)
	}

	// Subcommands attach to the running cluster instead of starting another.
	if out := command(t, env, "", "seed"); !strings.Contains(out, "seed data is loaded") {
		t.Errorf("seed printed %q", out)
	}
	if out := command(t, env, "correct horse battery\n", "user", "add", "-email", "ed@example.org", "-role", "editor"); !strings.Contains(out, "created editor account for ed@example.org") {
		t.Errorf("user add printed %q", out)
	}
	if _, err := commandErr(env, "Password1\n", "user", "add", "-email", "weak@example.org", "-role", "editor"); err == nil || !strings.Contains(err.Error(), "common passwords") {
		t.Errorf("user add with a common password = %v, want it refused as common", err)
	}
	if out := command(t, env, "", "migrate", "status"); !strings.Contains(out, "00001_schema.sql") || !strings.Contains(out, "applied") {
		t.Errorf("migrate status printed %q", out)
	}
	waitReady(t, srv.url) // still serving after the subcommands exited
	_, again := fetch(t, srv.url+"/")
	if strings.Count(again, `data-testid="statement"`) != strings.Count(body, `data-testid="statement"`) {
		t.Errorf("seeding twice changed the dashboard")
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve returned %v on stop, want nil", err)
	}
	pid := filepath.Join(env["DATA_DIR"], "pg", "data", "postmaster.pid")
	if _, err := os.Stat(pid); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after stop, %s still exists (err %v): PostgreSQL left running", pid, err)
	}

	// A restart finds everything where it was.
	srv = startServe(t, env)
	_, restarted := fetch(t, srv.url+"/")
	if restarted != again {
		t.Errorf("dashboard after restart differs from before")
	}
	// The account made before the restart is still there.
	_, err = commandErr(env, "another password\n", "user", "add", "-email", "ED@example.org", "-role", "editor")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("user add of an existing email (other case) = %v, want an 'already exists' error", err)
	}
}

// serveLog is where served requests log: nowhere, unless PARLEY_TEST_LOG
// is set (to debug a failing test).
func serveLog() io.Writer {
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
