package store_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/store"
	"parley/internal/testdb"
)

// TestOpenSkipsAHostThatDoesNotAnswer gives Open a multi-host connection
// string whose first host accepts connections but never answers (a hung
// server, or a failed primary whose address still accepts): Open gives that
// host up after the connect timeout and connects to the next one, as
// failover to a promoted standby needs.
func TestOpenSkipsAHostThatDoesNotAnswer(t *testing.T) {
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hung.Close() })
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	good, err := pgx.ParseConfig(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	hungPort := hung.Addr().(*net.TCPAddr).Port
	q := url.Values{"host": {"127.0.0.1," + good.Host}, "port": {fmt.Sprintf("%d,%d", hungPort, good.Port)},
		"user": {good.User}, "password": {good.Password}, "dbname": {good.Database}, "sslmode": {"disable"}}
	dsn := "postgres:///?" + q.Encode()

	// Past the page deadline (30 s), a request would have failed anyway.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	pool, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open with a hung first host: %v after %v; want a connection to the second host", err, time.Since(start).Round(time.Millisecond))
	}
	defer pool.Close()
	var one int
	if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Errorf("query on the second host: %d, %v", one, err)
	}
}
