// Command server is Parley: the web application and its maintenance
// subcommands (migrate, seed, user add, gen, release).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// Parley's live heap is a few megabytes and its garbage is per-request
	// page building: collecting half as often saves a tenth of the CPU of a
	// dashboard for a few megabytes. GOGC, when set, still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		stop()
		os.Exit(1)
	}
}

const usage = `usage: server [command]

commands:
  serve                               run the web application (default)
  migrate up|down|status              apply, roll back one, or list migrations
  seed                                load the seed dataset (adds only what is missing)
  user add -email E -role editor|admin
                                      create an account (password from standard input
                                      when it is not a terminal, else prompted)
  gen -statements N -seed S           add deterministic synthetic data for benchmarks
  release -name N [-notes T]          publish a release of every vetted record

configuration (environment): DATABASE_URL, ADDR, DATA_DIR, LOG_LEVEL, COOKIE_SECURE,
READ_ACCESS, REVIEW; see README.md.
`

// run is the whole program; main only wires it to the process. Tests call
// it with their own arguments, environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		return migrate(ctx, cfg, log, args, stdout)
	case "seed":
		return seedCmd(ctx, cfg, log, stdout)
	case "user":
		return userCmd(ctx, cfg, log, args, stdin, stdout)
	case "gen":
		return genCmd(ctx, cfg, log, args, stdout)
	case "release":
		return releaseCmd(ctx, cfg, log, args, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
