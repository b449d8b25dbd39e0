#!/usr/bin/env bash
# make bench: release build, then each benchmark against real processes on this machine, printed
# as one table (also written to .run/bench/results.md). Targets are in the README.
#   BENCH_SECONDS=10 (per run)   BENCH_ONLY=http|ingress|payments|payouts (one section)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN="$PWD/.run"
mkdir -p "$RUN/bench"
RESULTS="$RUN/bench/results.md"
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
. scripts/bench/lib.sh

scripts/bootstrap.sh bench
echo "bench: building release binaries"
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
eval "$(scripts/postgres.sh start | sed 's/^/export /')"
# A database of its own, dropped at the end: benchmarks leave hundreds of thousands of rows (and
# undelivered events) that must not end up in `make run`'s database.
BENCH_DB="coffer_bench_$$"
psql -q "$TEST_DATABASE_ADMIN_URL" -c "CREATE DATABASE $BENCH_DB OWNER coffer" >/dev/null
export DATABASE_URL="${DATABASE_URL%/*}/$BENCH_DB" DATABASE_OWNER_URL="${DATABASE_OWNER_URL%/*}/$BENCH_DB"

PIDS=()
cleanup() {
  stop_nginx; for pid in "${PIDS[@]:-}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true
  psql -q "$TEST_DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
  psql -q "$TEST_DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS ${BENCH_DB}_payouts WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

: > "$RESULTS"
echo "| benchmark                          |      req/s |  p50 ms |   p99 ms | errors |   RSS MiB | notes" | tee -a "$RESULTS"
echo "|------------------------------------|-----------:|---------:|---------:|-------:|---------:|------" | tee -a "$RESULTS"

# One secret per ordered pair of services (fixed for benchmarks; make run generates random ones).
pairs=(); for s in ingress payments payouts notifications monitoring; do for r in ingress payments payouts notifications monitoring; do
  [ "$s" = "$r" ] || pairs+=("$s>$r:bench-pair-$s-$r-0123456789"); done; done
export COFFER_INTERNAL_SECRETS=$(IFS=,; echo "${pairs[*]}")
export COFFER_ENV=test AUTH_FAILURES_PER_MINUTE=1000000 AUTH_FAILURES_BURST=1000000 \
       COFFER_ADMIN_TOKENS=bench:bench-admin-token-0123456789 COFFER_ADMIN_TOKEN=bench-admin-token-0123456789 \
       COFFER_MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)

for section in scripts/bench/[0-9]*.sh; do
  name=$(basename "$section" .sh); name=${name#*-}
  if [ -n "${BENCH_ONLY:-}" ] && [ "$BENCH_ONLY" != "$name" ]; then continue; fi
  . "$section"
done
echo
echo "bench: results in .run/bench/results.md; service logs in .run/bench/*.log"
