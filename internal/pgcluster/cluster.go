// Package pgcluster runs a private PostgreSQL cluster from the locally
// installed PostgreSQL binaries: initdb on first use, then postgres listening
// only on a Unix socket in the cluster's own directory.
//
// A process that finds the cluster already running (another Parley process
// on the same data directory) attaches to it instead of starting a second
// one, and leaves it running when it exits.
package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoBinaries means no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New("pgcluster: PostgreSQL server binaries (initdb, postgres) not found: install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15) or set PG_BIN to their directory, or set DATABASE_URL to use an existing database")

// Options configures Start.
type Options struct {
	// Dir is where the cluster lives (data in Dir/data, socket in Dir/run).
	Dir string
	// Fast turns off fsync and friends: for throwaway test clusters only.
	Fast bool
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
	// Settings are extra server settings ("name=value"), given to postgres
	// as -c options at every start (they override postgresql.conf).
	Settings []string
	// StandbyOf, when set, makes a new cluster a streaming standby of that
	// running cluster: its data directory starts as a base backup of it
	// with the standby's connection settings (pg_basebackup -R) instead
	// of a fresh initdb. Promote turns it into a primary.
	StandbyOf *Cluster
}

// Cluster is a running (started or attached) PostgreSQL cluster.
type Cluster struct {
	dir       string
	dataDir   string
	socketDir string
	bin       string
	owned     bool
	cmd       *exec.Cmd
	exited    chan error
	log       *slog.Logger
	cred      *syscall.Credential
	fast      bool
	settings  []string
}

// Start attaches to the cluster in opts.Dir if one is running there, or
// initialises (first use) and starts it. When the current user is root the
// cluster runs as the "postgres" OS user, since PostgreSQL refuses to run
// as root; if that user cannot reach opts.Dir, the cluster is kept under
// /var/tmp instead and the log says where.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bin, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgcluster: running as root needs a \"postgres\" OS user to run the cluster (apt-get install postgresql creates it): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if !reachable(dir, uid, gid) {
			alt := filepath.Join("/var/tmp", "parley-pg-"+shortHash(dir))
			log.Warn("cluster directory is not reachable by the postgres user; keeping the cluster elsewhere",
				"wanted", dir, "using", alt)
			dir = alt
		}
	}
	c := &Cluster{
		dir:       dir,
		dataDir:   filepath.Join(dir, "data"),
		socketDir: filepath.Join(dir, "run"),
		bin:       bin,
		log:       log,
		cred:      cred,
		fast:      opts.Fast,
		settings:  opts.Settings,
	}
	if len(c.socketDir)+len("/.s.PGSQL.5432") > 100 {
		c.socketDir = filepath.Join(os.TempDir(), "parley-pg-"+shortHash(dir))
	}
	if err := c.prepareDirs(cred); err != nil {
		return nil, err
	}
	// Another process may have the cluster running: attach to it.
	if c.ping(ctx) {
		log.Info("attached to running PostgreSQL cluster", "dir", c.dir)
		return c, nil
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		create := c.initdb
		if opts.StandbyOf != nil {
			create = func(ctx context.Context, cred *syscall.Credential) error {
				return c.baseBackup(ctx, cred, opts.StandbyOf)
			}
		}
		if err := create(ctx, cred); err != nil {
			return nil, err
		}
	}
	if err := c.start(ctx, cred, opts.Fast); err != nil {
		// Lost a race with another process starting the same cluster?
		if c.waitReady(ctx, 3*time.Second) == nil {
			log.Info("attached to PostgreSQL cluster started concurrently", "dir", c.dir)
			return c, nil
		}
		return nil, err
	}
	return c, nil
}

// FindBinaries returns the directory holding initdb and postgres: $PG_BIN,
// the newest /usr/lib/postgresql/*/bin, or the directory of initdb on PATH.
func FindBinaries() (string, error) {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "postgres", "pg_ctl"} {
			if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("PG_BIN"); dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("pgcluster: PG_BIN=%s does not hold initdb, postgres and pg_ctl", dir)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// URL returns a connection string for database name over the cluster's socket.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres:///%s?host=%s&user=postgres&sslmode=disable", name, c.socketDir)
}

// Dir is the directory the cluster lives in (which may differ from the one
// asked for, see Start).
func (c *Cluster) Dir() string { return c.dir }

// Owned reports whether this process started the cluster (and so stops it).
func (c *Cluster) Owned() bool { return c.owned }

// Stop shuts the cluster down (fast mode: sessions are disconnected, data
// is flushed) if this process started it; an attached cluster is left
// running for its owner.
func (c *Cluster) Stop() error {
	if !c.owned || c.cmd == nil {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.log.Info("stopped PostgreSQL cluster", "dir", c.dir)
	c.owned = false
	return nil
}

// Down stops an owned cluster abruptly, for fault tests: "immediate" is
// PostgreSQL's immediate shutdown (SIGQUIT: no checkpoint, crash recovery
// at the next start), "kill" kills the postmaster (SIGKILL), as a crash
// would. Up starts it again.
func (c *Cluster) Down(mode string) error {
	if !c.owned || c.cmd == nil {
		return errors.New("pgcluster: cluster not owned")
	}
	sig := syscall.SIGQUIT
	if mode == "kill" {
		sig = syscall.SIGKILL
	}
	if err := c.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	<-c.exited
	c.owned, c.cmd = false, nil
	return nil
}

// Up starts a cluster that Down stopped. After a kill, backends of the old
// postmaster may linger for a moment; Up retries until they are gone.
func (c *Cluster) Up(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.start(ctx, c.cred, c.fast)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *Cluster) prepareDirs(cred *syscall.Credential) error {
	for _, d := range []string{c.dir, c.dataDir, c.socketDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if cred != nil {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("pgcluster: %w", err)
			}
		}
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, cred *syscall.Credential) error {
	c.log.Info("initialising PostgreSQL cluster", "dir", c.dataDir)
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "initdb"),
		"-D", c.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// baseBackup fills the empty data directory with a copy of the running
// cluster primary, set up to stream from it as a standby.
func (c *Cluster) baseBackup(ctx context.Context, cred *syscall.Credential, primary *Cluster) error {
	c.log.Info("copying PostgreSQL cluster for a standby", "from", primary.dir, "dir", c.dataDir)
	args := []string{"-D", c.dataDir, "-R", "-X", "stream", "-c", "fast", "-h", primary.socketDir, "-U", "postgres"}
	if c.fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_basebackup"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: pg_basebackup: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Promote turns a standby (see Options.StandbyOf) into a primary and waits
// until it accepts writes.
func (c *Cluster) Promote(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_ctl"), "promote", "-D", c.dataDir, "-w", "-t", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: pg_ctl promote: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (c *Cluster) start(ctx context.Context, cred *syscall.Credential, fast bool) error {
	args := []string{
		"-D", c.dataDir,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + c.socketDir,
		"-c", "unix_socket_permissions=0700",
		"-c", "max_connections=200",
		"-c", "logging_collector=off",
	}
	if fast {
		// Safe against a crashed server (not a crashed machine): fault tests
		// kill PostgreSQL and expect every acknowledged commit back.
		args = append(args, "-c", "fsync=off", "-c", "full_page_writes=off")
	}
	for _, s := range c.settings {
		args = append(args, "-c", s)
	}
	logFile, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if cred != nil {
		_ = logFile.Chown(int(cred.Uid), int(cred.Gid))
	}
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// Own process group: a Ctrl-C in the terminal reaches the server,
		// which drains requests before stopping the cluster itself.
		Setpgid: true,
		// If this process dies without stopping the cluster (a crash,
		// SIGKILL), the kernel asks the postmaster for a fast shutdown.
		Pdeathsig: syscall.SIGINT,
	}
	c.exited = make(chan error, 1)
	started := make(chan error, 1)
	// Pdeathsig fires when the thread that forked exits, so the child is
	// forked from a locked thread that lives as long as the child does.
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			runtime.UnlockOSThread()
			return
		}
		started <- nil
		c.exited <- cmd.Wait()
		logFile.Close()
	}()
	if err := <-started; err != nil {
		logFile.Close()
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	c.cmd = cmd
	c.owned = true
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		_ = cmd.Process.Kill()
		c.owned = false
		tail, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return fmt.Errorf("pgcluster: postgres did not become ready: %w\n%s", err, tail)
	}
	c.log.Info("started PostgreSQL cluster", "dir", c.dir, "socket", c.socketDir)
	return nil
}

func (c *Cluster) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if c.ping(ctx) {
			return nil
		}
		if c.exited != nil {
			select {
			case err := <-c.exited:
				c.exited <- err
				return fmt.Errorf("postgres exited: %v", err)
			default:
			}
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ping reports whether a server accepts connections on the socket: a
// minimal startup message answered by anything other than a "starting up"
// error means it is ready.
func (c *Cluster) ping(ctx context.Context) bool {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_isready"), "-q", "-h", c.socketDir, "-U", "postgres", "-t", "2")
	if _, err := os.Stat(cmd.Path); err == nil {
		return cmd.Run() == nil
	}
	conn, err := net.DialTimeout("unix", filepath.Join(c.socketDir, ".s.PGSQL.5432"), time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// reachable reports whether user uid/gid can traverse every existing parent
// of dir (dir itself is created and chowned by prepareDirs).
func reachable(dir string, uid, gid int) bool {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			st := fi.Sys().(*syscall.Stat_t)
			m := fi.Mode().Perm()
			ok := m&0o001 != 0 ||
				(int(st.Uid) == uid && m&0o100 != 0) ||
				(int(st.Gid) == gid && m&0o010 != 0)
			if !ok {
				return false
			}
		}
		if d == "/" || d == "." {
			return true
		}
	}
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}
