# Ingress: Stripe-signed webhooks with unique event ids, 64 connections, verified and durably stored
# (group commit); and, in the same run, pgbench doing one INSERT … ON CONFLICT DO NOTHING per
# transaction at 32 clients, the one-row-per-commit reference.
scripts/bootstrap.sh test >/dev/null
INGRESS_PORT=$(free_port); INGRESS_INTERNAL_PORT=$(free_port)
# Deliveries are paused during the measurement: it measures ingest (verify + durable store); with no
# consumer running, a live relay would only measure retries against an unreachable subscriber.
OUTBOX_RELAY_PAUSED=true PORT=$INGRESS_PORT INTERNAL_PORT=$INGRESS_INTERNAL_PORT LOG_FILE="$RUN/bench/ingress.log" \
  PAYMENTS_INTERNAL_URL=http://127.0.0.1:9 PAYOUTS_INTERNAL_URL=http://127.0.0.1:9 \
  WEBHOOK_RATE_LIMIT_PER_IP=10000000 WEBHOOK_RATE_LIMIT_PER_IP_BURST=10000000 \
  WEBHOOK_RATE_LIMIT_PER_TENANT=10000000 WEBHOOK_RATE_LIMIT_PER_TENANT_BURST=10000000 \
  "$BIN/coffer-ingress" >/dev/null 2>&1 &
INGRESS_PID=$!; PIDS+=("$INGRESS_PID")
wait_ready "http://127.0.0.1:$INGRESS_PORT"
TENANT=$(.run/venv/bin/python scripts/bench/coffer_seed.py "http://127.0.0.1:$INGRESS_INTERNAL_PORT" 250000 "$RUN/bench/stripe-requests.txt")
PG_OWNER=$DATABASE_OWNER_URL
psql -q "$PG_OWNER" -c "DROP TABLE IF EXISTS public.bench_reference; CREATE TABLE public.bench_reference (id text PRIMARY KEY, body text)" >/dev/null
echo "INSERT INTO public.bench_reference VALUES (md5(random()::text || clock_timestamp()::text), repeat('x', 400)) ON CONFLICT DO NOTHING;" \
  > "$RUN/bench/pgbench-insert.sql"
pg_tps=$(pgbench -n -c 32 -j 2 -T "$SECONDS_PER_RUN" -f "$RUN/bench/pgbench-insert.sql" "$PG_OWNER" 2>/dev/null \
  | awk '/^tps/ {print int($3)}')
row "pgbench 1-row INSERT/commit (reference)" "$pg_tps" "-" "-" "0" "-" "32 clients, ${SECONDS_PER_RUN}s, fsync on"
before=$(psql -tA "$PG_OWNER" -c "SELECT count(*) FROM ingress.webhook_events")
read -r rps p50 p99 errors non2xx <<< "$(run_wrk "http://127.0.0.1:$INGRESS_PORT" 64 "$SECONDS_PER_RUN" \
  -s scripts/bench/stripe_webhooks.lua -- "/webhooks/stripe/$TENANT" "$RUN/bench/stripe-requests.txt" 2)"
after=$(psql -tA "$PG_OWNER" -c "SELECT count(*) FROM ingress.webhook_events")
stored=$(( (after - before) / SECONDS_PER_RUN ))
batch=$(curl -s "http://127.0.0.1:$INGRESS_INTERNAL_PORT/metrics" | awk -F' ' '/^coffer_ingress_commit_batch_size_sum/ {s=$2} /^coffer_ingress_commit_batch_size_count/ {c=$2} END {if (c>0) printf "%.1f", s/c}')
row "ingress Stripe webhooks (verified, stored)" "$rps" "$p50" "$p99" "$((errors + non2xx))" "$(rss_mib "$INGRESS_PID")" \
    "$stored new events/s committed; mean commit batch $batch; relay paused; target >=8000/s, p99<=25ms, 0 non-2xx"
psql -q "$PG_OWNER" -c "DROP TABLE IF EXISTS public.bench_reference" >/dev/null
kill -TERM "$INGRESS_PID"; wait "$INGRESS_PID" 2>/dev/null || true
