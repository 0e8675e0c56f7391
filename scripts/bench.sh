#!/usr/bin/env bash
# make bench, after the Go benchmarks: N synthetic statements (generated
# once, cached in BENCH_DIR), Parley started on them, then scripts/bench
# measures each page beside pgbench on the page's SQL, the largest region's
# export beside a raw COPY, and writes; it prints one table.
set -euo pipefail
N=${N:-1000000}
DIR=${BENCH_DIR:-./.bench}
ADDR=${BENCH_ADDR:-127.0.0.1:8091}

go build -o bin/parley ./cmd/server
mkdir -p "$DIR" && chmod 755 "$DIR"
if [ ! -f "$DIR/generated-$N" ]; then
  echo "generating $N statements into $DIR (once)…" >&2
  /usr/bin/time -f "generate: %e s" env DATA_DIR="$DIR" LOG_LEVEL=info ./bin/parley gen -statements "$N" -seed 1
  touch "$DIR/generated-$N"
fi
echo 'bench password 1' | DATA_DIR="$DIR" LOG_LEVEL=warn ./bin/parley user add -email bench@example.org -role editor >/dev/null 2>&1 || true
echo 'bench password 1' | DATA_DIR="$DIR" LOG_LEVEL=warn ./bin/parley user add -email bench-admin@example.org -role admin >/dev/null 2>&1 || true

# REVIEW=off: the save row measures a published save (a candidate would
# wait for a second editor).
DATA_DIR="$DIR" ADDR="$ADDR" LOG_LEVEL=info REVIEW=off ./bin/parley serve >"$DIR/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 150); do curl -sf "http://$ADDR/readyz" >/dev/null && break; sleep 0.2; done
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
# wrk (Debian's package) drives the throughput runs; without it, a Go client.
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1 || true
fi
go run ./scripts/bench -url "http://$ADDR" -data-dir "$DIR" -pid "$pid" \
  -pgbench "$pgbench" -wrk "$(command -v wrk || true)" -email bench@example.org -admin bench-admin@example.org -password 'bench password 1' "$@"
