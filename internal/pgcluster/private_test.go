package pgcluster

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Another local user may plant files where the cluster lives. These tests
// plant them the way such a user would and check that Start refuses with a
// reason instead of following, adopting or connecting to them.

// stranger is a uid that is neither root nor the cluster's user.
const stranger = 4242

// clusterUser is the uid and gid the cluster runs as.
func clusterUser(t *testing.T) (int, int) {
	t.Helper()
	if os.Geteuid() != 0 {
		return os.Geteuid(), os.Getegid()
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Skip("no postgres user")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

// privateDirOf makes dir as Start would leave it: 0700, the cluster user's.
func privateDirOf(t *testing.T, dir string) {
	t.Helper()
	uid, gid := clusterUser(t)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// victim is a directory of root's (or ours) that must come out untouched.
func victim(t *testing.T) (string, os.FileInfo) {
	t.Helper()
	v := filepath.Join(tempDir(t), "victim")
	if err := os.Mkdir(v, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v, "secret"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(v)
	if err != nil {
		t.Fatal(err)
	}
	return v, fi
}

func untouched(t *testing.T, path string, before os.FileInfo) {
	t.Helper()
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, a := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t)
	if a.Uid != b.Uid || a.Gid != b.Gid || after.Mode() != before.Mode() {
		t.Errorf("%s changed: uid %d→%d, mode %v→%v", path, b.Uid, a.Uid, before.Mode(), after.Mode())
	}
	if entries, _ := os.ReadDir(path); after.IsDir() && len(entries) != 1 {
		t.Errorf("%s now holds %d entries, want only its own file", path, len(entries))
	}
}

func startMustRefuse(t *testing.T, dir, reason string) {
	t.Helper()
	c, err := Start(context.Background(), Options{Dir: dir, Fast: true})
	if err == nil {
		c.Stop()
		t.Fatalf("Start on a planted %s succeeded; want it refused", dir)
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("Start error = %q; want it to say %q", err, reason)
	}
}

func TestPlantedClusterDirectoryIsRefused(t *testing.T) {
	t.Run("symlink", func(t *testing.T) {
		v, before := victim(t)
		dir := filepath.Join(tempDir(t), "pg")
		if err := os.Symlink(v, dir); err != nil {
			t.Fatal(err)
		}
		startMustRefuse(t, dir, "symbolic link")
		untouched(t, v, before)
	})
	t.Run("open to others", func(t *testing.T) {
		dir := filepath.Join(tempDir(t), "pg")
		privateDirOf(t, dir)
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		startMustRefuse(t, dir, "must be 0700")
	})
	t.Run("another user's", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root can make a directory of another user")
		}
		dir := filepath.Join(tempDir(t), "pg")
		privateDirOf(t, dir)
		if err := os.Lchown(dir, stranger, stranger); err != nil {
			t.Fatal(err)
		}
		startMustRefuse(t, dir, "belongs to uid 4242")
	})
}

// TestPlantedFallbackIsRefused plants, in /var/tmp, the directory a root
// Parley falls back to when the postgres user cannot reach DATA_DIR.
func TestPlantedFallbackIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root keeps the cluster under /var/tmp")
	}
	locked := filepath.Join(tempDir(t), "home")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	wanted := filepath.Join(locked, "pg")
	fallback := filepath.Join("/var/tmp", "parley-pg-"+shortHash(wanted))
	t.Cleanup(func() { os.RemoveAll(fallback) })

	v, before := victim(t)
	if err := os.Symlink(v, fallback); err != nil {
		t.Fatal(err)
	}
	startMustRefuse(t, wanted, "symbolic link")
	untouched(t, v, before)

	os.Remove(fallback)
	if err := os.Mkdir(fallback, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(fallback, stranger, stranger); err != nil {
		t.Fatal(err)
	}
	startMustRefuse(t, wanted, "belongs to uid 4242")
}

func TestPlantedLogIsNotFollowed(t *testing.T) {
	dir := filepath.Join(tempDir(t), "pg")
	privateDirOf(t, dir)
	target := filepath.Join(tempDir(t), "passwd")
	if err := os.WriteFile(target, []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(target)
	if err := os.Symlink(target, filepath.Join(dir, "postgres.log")); err != nil {
		t.Fatal(err)
	}
	startMustRefuse(t, dir, "symbolic link")
	if b, _ := os.ReadFile(target); string(b) != "root:x:0:0\n" {
		t.Errorf("the log's symlink target was written to: %q", b)
	}
	untouched(t, target, before)
}

// TestForeignSocketIsRefused puts a server that answers like PostgreSQL on
// the cluster's socket, as another user: Start must not attach to it.
func TestForeignSocketIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a socket to another user")
	}
	dir := filepath.Join(tempDir(t), "pg")
	privateDirOf(t, dir)
	privateDirOf(t, filepath.Join(dir, "run"))
	sock := filepath.Join(dir, "run", ".s.PGSQL.5432")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go fakePostgres(ln)
	if err := os.Lchown(sock, stranger, stranger); err != nil {
		t.Fatal(err)
	}
	startMustRefuse(t, dir, "will not connect")
}

// fakePostgres accepts every connection as PostgreSQL would a trusted one:
// AuthenticationOk, then ReadyForQuery.
func fakePostgres(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			for {
				var n uint32
				if binary.Read(conn, binary.BigEndian, &n) != nil || n < 8 || n > 10000 {
					return
				}
				msg := make([]byte, n-4)
				if _, err := io.ReadFull(conn, msg); err != nil {
					return
				}
				if binary.BigEndian.Uint32(msg) == 80877103 { // SSLRequest
					conn.Write([]byte("N"))
					continue
				}
				conn.Write([]byte{'R', 0, 0, 0, 8, 0, 0, 0, 0, 'Z', 0, 0, 0, 5, 'I'})
				io.Copy(io.Discard, conn)
				return
			}
		}()
	}
}

// TestLongPathSocketDirectory: a cluster whose path is too long for a
// socket gets a socket directory of an unpredictable name, which a second
// process finds through the pid file, and which Stop removes.
func TestLongPathSocketDirectory(t *testing.T) {
	dir := filepath.Join(tempDir(t), strings.Repeat("d", 90), "pg")
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { first.Stop() })
	predictable := filepath.Join(os.TempDir(), "parley-pg-"+shortHash(dir))
	if first.socketDir == predictable || first.socketDir == filepath.Join(dir, "run") {
		t.Errorf("socket directory %s is predictable", first.socketDir)
	}
	fi, err := os.Lstat(first.socketDir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory %s: %v, %v; want a 0700 directory", first.socketDir, fi, err)
	}
	second, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if second.Owned() || second.socketDir != first.socketDir {
		t.Errorf("second Start owned=%v on %s; want attached through %s", second.Owned(), second.socketDir, first.socketDir)
	}
	first.Stop()
	if _, err := os.Lstat(first.socketDir); err == nil {
		t.Errorf("socket directory %s left behind after Stop", first.socketDir)
	}
}
