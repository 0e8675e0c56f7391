#!/usr/bin/env bash
# Export load run: N synthetic statements (generated once, cached in
# BENCH_DIR), then the largest region's CSV export over HTTP, measuring rows
# per second, time to first byte and the server's memory above idle.
set -euo pipefail
N=${N:-1000000}
DIR=${BENCH_DIR:-./.bench}
ADDR=${BENCH_ADDR:-127.0.0.1:8091}
REGION=${REGION:-gen-region-1}

go build -o bin/parley ./cmd/server
mkdir -p "$DIR" && chmod 755 "$DIR"
if [ ! -f "$DIR/generated-$N" ]; then
  echo "generating $N statements into $DIR (once)…" >&2
  /usr/bin/time -f "generate: %e s" env DATA_DIR="$DIR" LOG_LEVEL=warn ./bin/parley gen -statements "$N" -seed 1
  touch "$DIR/generated-$N"
fi

DATA_DIR="$DIR" ADDR="$ADDR" LOG_LEVEL=warn ./bin/parley serve >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://$ADDR/readyz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
idle=$(rss)

out=$(mktemp)
peak=$idle
curl -s -o "$out" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n' \
  "http://$ADDR/regions/$REGION/timeline.csv" > "$out.meta" &
cpid=$!
while kill -0 $cpid 2>/dev/null; do
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
  sleep 0.2
done
read -r status ttfb total bytes < "$out.meta"
rows=$(($(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))))' "$out") - 1))
rm -f "$out" "$out.meta"
printf 'statements  region        rows     status  first byte  total    rows/s   MB      server RSS idle → peak (above idle)\n'
printf '%-11s %-13s %-8s %-7s %-11s %-8s %-8s %-7s %s → %s MB (+%s MB)\n' "$N" "$REGION" "$rows" "$status" "${ttfb}s" "${total}s" \
  "$(python3 -c "print(round($rows/$total))")" "$(python3 -c "print(round($bytes/1e6))")" \
  "$((idle/1024))" "$((peak/1024))" "$(((peak-idle)/1024))"
