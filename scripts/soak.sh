#!/usr/bin/env bash
# make soak: a long load on one service's /health/live, sampling its RSS, to show memory is stable.
#   SOAK_SECONDS=600 (default 10 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN="$PWD/.run"; mkdir -p "$RUN/bench"
. scripts/bench/lib.sh
DURATION=${SOAK_SECONDS:-600}
scripts/bootstrap.sh bench
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
eval "$(scripts/postgres.sh start | sed 's/^/export /')"
# One secret per ordered pair of services (fixed for benchmarks; make run generates random ones).
pairs=(); for s in ingress payments payouts notifications monitoring; do for r in ingress payments payouts notifications monitoring; do
  [ "$s" = "$r" ] || pairs+=("$s>$r:bench-pair-$s-$r-0123456789"); done; done
export COFFER_INTERNAL_SECRETS=$(IFS=,; echo "${pairs[*]}")
export COFFER_ENV=test
PORT=$(free_port)
INTERNAL_PORT=$(free_port) PORT=$PORT LOG_FILE="$RUN/bench/soak.log" "$BIN/coffer-ingress" >/dev/null 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
wait_ready "http://127.0.0.1:$PORT"
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/health/live" > "$RUN/bench/soak-wrk.txt" 2>&1 &
WRK=$!
echo "seconds,rss_mib" > "$RUN/bench/soak-rss.csv"
elapsed=0
while kill -0 $WRK 2>/dev/null; do
  echo "$elapsed,$(rss_mib $PID)" | tee -a "$RUN/bench/soak-rss.csv"
  sleep 30; elapsed=$((elapsed + 30))
done
grep -E "Requests/sec|99%|Non-2xx|Socket errors" "$RUN/bench/soak-wrk.txt" || true
python3 - "$RUN/bench/soak-rss.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
rss = [float(r["rss_mib"]) for r in rows if r["rss_mib"] not in ("?", "")]
if len(rss) >= 4:
    first_half, second_half = rss[1:len(rss)//2], rss[len(rss)//2:]
    print("RSS MiB: start %.1f, max %.1f, end %.1f; mean first half %.1f, second half %.1f"
          % (rss[0], max(rss), rss[-1], sum(first_half)/max(1,len(first_half)), sum(second_half)/len(second_half)))
PY
