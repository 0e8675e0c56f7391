// Package pgcluster runs a private PostgreSQL cluster from the locally
// installed PostgreSQL binaries: initdb on first use, then postgres listening
// only on a Unix socket in the cluster's own directory.
//
// A process that finds the cluster already running (another Parley process
// on the same data directory) attaches to it instead of starting a second
// one, and leaves it running when it exits.
//
// Run as root, the cluster's files belong to the "postgres" OS user and may
// sit in shared directories (/var/tmp, /tmp) where other local users could
// plant symlinks, directories or a server of their own. So every directory
// is created private (0700) or, when it exists, accepted only as a real
// directory of the cluster's user that nobody else may enter; ownership is
// fixed through file descriptors opened without following symlinks; a
// socket is used only when the cluster's user owns it; and a socket
// directory outside the cluster's own gets an unpredictable name.
package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
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
	// tmpSocket: the socket directory is a random one under the system
	// temporary directory (the cluster's own path is too long for a
	// socket), created by this process and removed by Stop.
	tmpSocket bool
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
	for _, d := range []string{c.dir, c.dataDir} {
		if err := c.privateDir(d); err != nil {
			return nil, err
		}
	}
	long := len(c.socketDir)+len("/.s.PGSQL.5432") > 100
	if long {
		// The running server's socket directory, if any, is in its pid file
		// (inside the private data directory); it is checked like the rest.
		c.socketDir = runningSocketDir(c.dataDir)
	} else if err := c.privateDir(c.socketDir); err != nil {
		return nil, err
	}
	// Another process may have the cluster running: attach to it, once its
	// socket proves to belong to the cluster's user.
	if c.socketDir != "" {
		if err := c.checkSocket(); err != nil {
			return nil, err
		}
		if c.ping(ctx) {
			log.Info("attached to running PostgreSQL cluster", "dir", c.dir)
			return c, nil
		}
	}
	if long {
		if err := c.makeTempSocketDir(); err != nil {
			return nil, err
		}
	}
	pgVersion := filepath.Join(c.dataDir, "PG_VERSION")
	if fi, err := os.Lstat(pgVersion); errors.Is(err, os.ErrNotExist) {
		create := c.initdb
		if opts.StandbyOf != nil {
			create = func(ctx context.Context, cred *syscall.Credential) error {
				return c.baseBackup(ctx, cred, opts.StandbyOf)
			}
		}
		if err := create(ctx, cred); err != nil {
			c.removeTempSocketDir()
			return nil, err
		}
	} else if err != nil || !fi.Mode().IsRegular() || int(fi.Sys().(*syscall.Stat_t).Uid) != c.uid() {
		c.removeTempSocketDir()
		return nil, fmt.Errorf("pgcluster: %s is not a file of %s: refusing to use a data directory someone else prepared", pgVersion, c.userName())
	}
	if err := c.start(ctx, cred, opts.Fast); err != nil {
		// Lost a race with another process starting the same cluster?
		c.removeTempSocketDir()
		if long {
			c.socketDir = runningSocketDir(c.dataDir)
		}
		c.exited = nil // ours, which failed; wait for theirs
		if c.socketDir != "" && c.checkSocket() == nil && c.waitReady(ctx, 3*time.Second) == nil {
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

// URL returns a connection string for database name over the cluster's
// socket, as the superuser "postgres": for setting up roles and databases.
func (c *Cluster) URL(name string) string { return c.RoleURL(name, "postgres") }

// RoleURL returns a connection string for database name over the cluster's
// socket, as role.
func (c *Cluster) RoleURL(name, role string) string {
	return (&url.URL{Scheme: "postgres", Path: "/" + name,
		RawQuery: url.Values{"host": {c.socketDir}, "user": {role}, "sslmode": {"disable"}}.Encode()}).String()
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
	c.removeTempSocketDir()
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

// uid is the OS user the cluster runs as (and who owns its files).
func (c *Cluster) uid() int {
	if c.cred != nil {
		return int(c.cred.Uid)
	}
	return os.Geteuid()
}

func (c *Cluster) userName() string {
	if u, err := user.LookupId(strconv.Itoa(c.uid())); err == nil {
		return fmt.Sprintf("the %q user (uid %d)", u.Username, c.uid())
	}
	return fmt.Sprintf("uid %d", c.uid())
}

// privateDir makes path a directory of the cluster's user that no one else
// may enter. It creates it (0700) if it does not exist. An existing one
// must be a real directory (a symlink is never followed), owned by the
// cluster's user (or by this process, which then hands it over), with no
// access for group or others: anything else may have been planted by
// another local user, and is refused with the reason.
func (c *Cluster) privateDir(path string) error {
	created := false
	if err := os.Mkdir(path, 0o700); err == nil {
		created = true
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgcluster: %w", err)
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("pgcluster: %s is a symbolic link or not a directory; Parley does not follow it (another user may have planted it): remove it, or set DATA_DIR elsewhere", path)
	}
	if err != nil {
		return fmt.Errorf("pgcluster: open %s: %w", path, err)
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fmt.Errorf("pgcluster: stat %s: %w", path, err)
	}
	if int(st.Uid) != c.uid() && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("pgcluster: %s belongs to uid %d, not to %s: Parley refuses a directory someone else made (remove it, or set DATA_DIR elsewhere)", path, st.Uid, c.userName())
	}
	if !created && st.Mode&0o077 != 0 {
		return fmt.Errorf("pgcluster: %s has mode %04o; it must be 0700 (only its owner may enter), so Parley refuses it: if it is yours, run chmod 700 %s", path, st.Mode&0o7777, path)
	}
	if c.cred != nil && (st.Uid != c.cred.Uid || st.Gid != c.cred.Gid) {
		if err := syscall.Fchown(fd, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: chown %s: %w", path, err)
		}
	}
	if st.Mode&0o777 != 0o700 {
		if err := syscall.Fchmod(fd, 0o700); err != nil {
			return fmt.Errorf("pgcluster: chmod %s: %w", path, err)
		}
	}
	return nil
}

// makeTempSocketDir creates a socket directory with an unpredictable name
// under the system temporary directory, for a cluster whose own path is
// too long for a Unix socket.
func (c *Cluster) makeTempSocketDir() error {
	d, err := os.MkdirTemp("", "parley-pg-")
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.privateDir(d); err != nil {
		os.Remove(d)
		return err
	}
	c.socketDir, c.tmpSocket = d, true
	return nil
}

func (c *Cluster) removeTempSocketDir() {
	if c.tmpSocket {
		os.RemoveAll(c.socketDir)
		c.tmpSocket = false
	}
}

// runningSocketDir reads the socket directory of the server running on
// dataDir from its pid file (the fifth line), or "" when there is none.
func runningSocketDir(dataDir string) string {
	f, err := os.OpenFile(filepath.Join(dataDir, "postmaster.pid"), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 4096))
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 || !filepath.IsAbs(strings.TrimSpace(lines[4])) {
		return ""
	}
	return strings.TrimSpace(lines[4])
}

// checkSocket refuses a socket directory or socket that does not belong to
// the cluster's user: a server that someone else started there could
// impersonate the database. No socket yet is fine.
func (c *Cluster) checkSocket() error {
	fi, err := os.Lstat(c.socketDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a stale pid file's: no server to trust or distrust
	}
	if err != nil {
		return fmt.Errorf("pgcluster: socket directory %s: %w", c.socketDir, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || int(st.Uid) != c.uid() || st.Mode&0o077 != 0 {
		return fmt.Errorf("pgcluster: socket directory %s is not a private directory of %s: Parley will not connect through it", c.socketDir, c.userName())
	}
	sock := filepath.Join(c.socketDir, ".s.PGSQL.5432")
	fi, err = os.Lstat(sock)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket || int(fi.Sys().(*syscall.Stat_t).Uid) != c.uid() {
		return fmt.Errorf("pgcluster: %s belongs to uid %d, not to %s: Parley will not connect to a server it cannot trust (stop it and remove the file)",
			sock, fi.Sys().(*syscall.Stat_t).Uid, c.userName())
	}
	return nil
}

// openLog opens the cluster's log for appending without following a
// symlink, and refuses anything but a plain file of this process or the
// cluster's user (a hard link to another file, say).
func (c *Cluster) openLog() (*os.File, error) {
	path := filepath.Join(c.dir, "postgres.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("pgcluster: %s is a symbolic link; Parley does not follow it: remove it", path)
	}
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	fi, err := f.Stat()
	if err == nil {
		st := fi.Sys().(*syscall.Stat_t)
		if !fi.Mode().IsRegular() || st.Nlink != 1 || (int(st.Uid) != c.uid() && int(st.Uid) != os.Geteuid()) {
			err = fmt.Errorf("pgcluster: %s is not a plain file of %s: remove it", path, c.userName())
		} else if c.cred != nil {
			err = f.Chown(int(c.cred.Uid), int(c.cred.Gid)) // fchown: the file opened, not a path
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// logTail is the end of the cluster's log, for error messages.
func (c *Cluster) logTail() string {
	f, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 2000 {
		_, _ = f.Seek(-2000, io.SeekEnd)
	}
	b, _ := io.ReadAll(io.LimitReader(f, 2000))
	return string(b)
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
	logFile, err := c.openLog()
	if err != nil {
		return err
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
		return fmt.Errorf("pgcluster: postgres did not become ready: %w\n%s", err, c.logTail())
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
// of dir (dir itself is created and handed over by privateDir).
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
