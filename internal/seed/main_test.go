package seed_test

import (
	"testing"

	"parley/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
