package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"parley"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"parley/internal/auth"
	"parley/internal/store"
)

// migrate runs "migrate up|down|status".
func migrate(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: server migrate up|down|status")
	}
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := store.NewMigrator(db.pool)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		err = m.Up(ctx)
	case "down":
		err = m.Down(ctx)
	case "status":
		return m.Status(ctx, stdout)
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up, down or status)", args[0])
	}
	if err != nil {
		return err
	}
	return m.Status(ctx, stdout)
}

// seedCmd runs "seed": adds whatever of the seed dataset is missing.
func seedCmd(ctx context.Context, cfg config, log *slog.Logger, stdout io.Writer) error {
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.New(db.pool)
	if err := loadSeed(ctx, st, log); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "seed data is loaded")
	return nil
}

// userCmd runs "user add -email E -role R".
func userCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: server user add -email E -role editor|admin")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "the account's email address")
	role := fs.String("role", "editor", "editor or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("user add: -email is required")
	}
	pw, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	if msg := auth.CheckPasswordPolicy(pw); msg != "" {
		return fmt.Errorf("user add: password: %s", msg)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := store.New(db.pool).CreateUser(ctx, *email, hash, parley.Role(*role))
	if errors.Is(err, parley.ErrConflict) {
		return fmt.Errorf("user add: an account for %s already exists", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s account for %s\n", u.Role, u.Email)
	return nil
}

// readPassword reads the password from a terminal without echo, or as the
// first line of standard input otherwise.
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("user add: give the password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// genCmd runs "gen -statements N -seed S".
func genCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fs.Int("statements", 10000, "how many synthetic statements to add")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("gen: -statements must be at least 1")
	}
	db, err := openMigrated(ctx, cfg, log, genClusterSettings...)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := store.New(db.pool).Generate(ctx, *n, *seed)
	for _, st := range res.Steps {
		log.Info("gen step", "step", st.What, "took", st.Took.Round(time.Millisecond))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d statements, %d positions, %d statement regions, %d reports, %d conditions\n",
		res.Statements, res.Positions, res.Regions, res.Reports, res.Conditions)
	return nil
}

// genClusterSettings are the embedded cluster's settings when gen starts
// it (not when it attaches to a running one, nor with DATABASE_URL): a
// bulk load's. With wal_level minimal (the embedded cluster has no
// replicas), the tables gen truncates and the indexes it builds are
// written without WAL (at 200,000 statements the region timeline took 14 s
// instead of 30 s and wrote 0.4 GB less WAL); with max_wal_size large, no
// checkpoint interrupts it. They last until the cluster stops.
var genClusterSettings = []string{"wal_level=minimal", "max_wal_senders=0", "max_wal_size=16GB", "checkpoint_timeout=30min"}

// openMigrated opens the database and applies pending migrations.
func openMigrated(ctx context.Context, cfg config, log *slog.Logger, settings ...string) (*database, error) {
	db, err := openDatabase(ctx, cfg, log, settings...)
	if err != nil {
		return nil, err
	}
	if err := migrateUp(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// releaseCmd runs "release -name N [-notes T]": publishes a release, as
// the admin page does.
func releaseCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	name := fs.String("name", "", "the release's name, a slug such as v2026.12")
	notes := fs.String("notes", "", "what the release is for (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("release: -name is required (a slug such as v2026.12)")
	}
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rel, err := store.New(db.pool).PublishRelease(ctx, parley.ReleaseInput{Name: *name, Notes: parley.CleanText(*notes)}, cfg.BaseURL)
	var ve *parley.ValidationError
	switch {
	case errors.As(err, &ve):
		return fmt.Errorf("release: %s", strings.Join(slices.Sorted(maps.Values(ve.Fields)), " "))
	case errors.Is(err, parley.ErrConflict):
		return fmt.Errorf("release: a release called %s exists already, and releases never change: choose another name", *name)
	case err != nil:
		return err
	}
	log.Info("release published", "name", rel.Name, "took", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "published release %s: %s\n", rel.Name, rel.Changelog)
	return nil
}
