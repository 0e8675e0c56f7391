#!/usr/bin/env bash
# Mixed read/edit load run against a fresh local instance with the seed
# data: DURATION (default 30s), READERS, EDITORS. Prints throughput,
# latency, errors, memory and connections at start and end.
set -euo pipefail
DIR=$(mktemp -d /tmp/parley-load-XXXX); chmod 755 "$DIR"
ADDR=${LOAD_ADDR:-127.0.0.1:8092}
go build -o bin/parley ./cmd/server
DATA_DIR="$DIR" ADDR="$ADDR" LOG_LEVEL=warn ./bin/parley serve >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://$ADDR/readyz" >/dev/null && break; sleep 0.2; done
echo 'load run password' | DATA_DIR="$DIR" LOG_LEVEL=warn ./bin/parley user add -email load@example.org -role editor >/dev/null
go run ./scripts/loadgen -url "http://$ADDR" -duration "${DURATION:-30s}" -readers "${READERS:-8}" -editors "${EDITORS:-2}" \
  -email load@example.org -password 'load run password' -pid "$pid" -data-dir "$DIR"
