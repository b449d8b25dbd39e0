# Payments: POST /v1/payments against the sandbox's Stripe, 32 connections, each with a unique
# Idempotency-Key — every request creates a payment, calls the provider and captures it (fee split,
# ledger, fulfilment, events) — counted as payments durably captured in PostgreSQL; then replays of
# stored idempotent answers. The tenant's rate limit is raised in its settings when the operator
# creates it (raising it later takes a live key and a second approver). pgbench runs the same statements without Coffer in front: PostgreSQL's own ceiling here.
SANDBOX_PORT=$(free_port); PAYMENTS_PORT=$(free_port); PAYMENTS_INTERNAL_PORT=$(free_port)
# Over the local socket (as a service next to its database would). 8 connections measured best on 2
# cores: with more, the connection threads compete with PostgreSQL for the CPU and the tail grows.
. "$RUN/pg/env"
SOCKET_URL="postgresql://coffer_app:$PG_APP_PASSWORD@/$BENCH_DB?host=$RUN/pg/data&port=$PGPORT"
SOCKET_OWNER_URL="postgresql://coffer:$PG_OWNER_PASSWORD@/$BENCH_DB?host=$RUN/pg/data&port=$PGPORT"
INTERNAL_PORT=$(free_port) PORT=$SANDBOX_PORT LOG_FILE="$RUN/bench/sandbox.log" ACCESS_LOG=false "$BIN/coffer-sandbox" >/dev/null 2>&1 &
SANDBOX_PID=$!; PIDS+=("$SANDBOX_PID")
# Deliveries to other services are paused: this measures the payment path, not consumers that are not running.
OUTBOX_RELAY_PAUSED=true PORT=$PAYMENTS_PORT INTERNAL_PORT=$PAYMENTS_INTERNAL_PORT LOG_FILE="$RUN/bench/payments.log" ACCESS_LOG=false DATABASE_POOL_SIZE=8 \
  DATABASE_URL="$SOCKET_URL" DATABASE_OWNER_URL="$SOCKET_OWNER_URL" \
  INGRESS_INTERNAL_URL=http://127.0.0.1:9 PAYOUTS_INTERNAL_URL=http://127.0.0.1:9 NOTIFICATIONS_INTERNAL_URL=http://127.0.0.1:9 \
  "$BIN/coffer-payments" >/dev/null 2>&1 &
PAYMENTS_PID=$!; PIDS+=("$PAYMENTS_PID")
wait_ready "http://127.0.0.1:$SANDBOX_PORT"; wait_ready "http://127.0.0.1:$PAYMENTS_PORT"
P="http://127.0.0.1:$PAYMENTS_PORT"; S="http://127.0.0.1:$SANDBOX_PORT"
SUPER="${TEST_DATABASE_ADMIN_URL%/*}/$BENCH_DB"
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v := v[k] for k in sys.argv[1].split(".")]; print(v)' "$1"; }
TENANT_JSON=$(curl -fsS -X POST "http://127.0.0.1:$PAYMENTS_INTERNAL_PORT/admin/tenants" -H "Authorization: Bearer $COFFER_ADMIN_TOKEN" -d '{"name":"Bench","settings":{"api_rate_limit_per_minute":1000000,"fees":{"platform_fee_bps":250}}}')
KEY=$(echo "$TENANT_JSON" | json api_key.secret); TENANT=$(echo "$TENANT_JSON" | json id)
SECRET="sk_test_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CONNECTOR=$(curl -fsS -X PUT "$P/v1/connectors/stripe" -H "Authorization: Bearer $KEY" \
  -d "{\"credentials\":{\"secret_key\":\"$SECRET\"},\"webhook_secret\":\"whsec_bench\",\"api_base_url\":\"$S/stripe\"}" | json id)
curl -fsS -X POST "$S/_sandbox/accounts" -d "{\"provider\":\"stripe\",\"secret_key\":\"$SECRET\"}" >/dev/null
# The key cache holds the old rate limit for up to a second; warm up past it (connections, statements).
sleep 1.2
run_wrk "$P/v1/payments" 32 3 -s scripts/bench/payments_create.lua -- "$KEY" create >/dev/null
count() { psql -tA "$SUPER" -c "SELECT count(*) FROM payments.payments WHERE status = 'captured'"; }
before=$(count)
read -r rps p50 p99 errors non2xx <<< "$(run_wrk "$P/v1/payments" 32 "$SECONDS_PER_RUN" -s scripts/bench/payments_create.lua -- "$KEY" create)"
after=$(count)
captured=$(( (after - before) / SECONDS_PER_RUN ))
clean=$(curl -fsS "$S/_sandbox/operations/summary" | json clean)
row "POST /v1/payments (sandbox Stripe)" "$rps" "$p50" "$p99" "$((errors + non2xx))" "$(rss_mib "$PAYMENTS_PID")" \
    "$captured payments/s durably captured; provider ops clean: $clean; target >=1500/s, p99<=50ms"
# Replays: 1,000 stored answers, requested over and over.
for i in $(seq 0 999); do echo "replay-$i"; done | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST "$P/v1/payments" \
  -H "Authorization: Bearer $KEY" -H "Idempotency-Key: {}" -d '{"amount":1050,"currency":"USD","payment_method":"pm_card_visa","description":"bench"}'
read -r rps p50 p99 errors non2xx <<< "$(run_wrk "$P/v1/payments" 32 "$SECONDS_PER_RUN" -s scripts/bench/payments_create.lua -- "$KEY" replay 1000)"
row "POST /v1/payments idempotent replay" "$rps" "$p50" "$p99" "$((errors + non2xx))" "$(rss_mib "$PAYMENTS_PID")" \
    "stored answers replayed (Idempotent-Replayed: true); target >=5000/s"
kill -TERM "$PAYMENTS_PID" "$SANDBOX_PID"; wait "$PAYMENTS_PID" "$SANDBOX_PID" 2>/dev/null || true
pg_tps=$(pgbench -n -c 32 -j 2 -T "$SECONDS_PER_RUN" -D tenant="'$TENANT'" -D connector="'$CONNECTOR'" -f scripts/bench/payment_writes.sql \
  "$SUPER" 2>"$RUN/bench/pgbench-payments.err" | awk '/^tps/ {print int($3)}') \
  || { echo "bench: the pgbench reference failed (does scripts/bench/payment_writes.sql match the schema?):" >&2
       tail -3 "$RUN/bench/pgbench-payments.err" >&2; exit 1; }
row "pgbench: one payment's statements" "$pg_tps" "-" "-" "0" "-" "the same writes, no Coffer, no provider call: PostgreSQL's ceiling on this machine"
