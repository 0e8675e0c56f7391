// Package parleydb finds the database of a Parley that runs on its
// embedded cluster, for the tools beside it (scripts/bench,
// scripts/loadgen): they ask the cluster package where the cluster is,
// as the server does, instead of reading it from the server's log.
package parleydb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"parley/internal/pgcluster"
)

// URL returns the connection string of the "parley" database on the
// embedded cluster of the Parley serving from dataDir (its DATA_DIR), which
// cmd/server keeps in dataDir/pg. The cluster must be running: URL attaches
// to it and leaves it to its owner. If none is, URL fails (and stops the
// cluster that attaching had to start).
func URL(ctx context.Context, dataDir string) (string, error) {
	if fi, err := os.Stat(dataDir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("parleydb: %s is not a data directory", dataDir)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "pg")})
	if err != nil {
		return "", fmt.Errorf("parleydb: %w", err)
	}
	if c.Owned() {
		_ = c.Stop()
		return "", fmt.Errorf("parleydb: no Parley is running on %s (start one: DATA_DIR=%s parley serve)", dataDir, dataDir)
	}
	return c.URL("parley"), nil
}
