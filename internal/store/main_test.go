package store_test

import (
	"testing"

	"parley/internal/store"
	"parley/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(testdb.New(t))
}
