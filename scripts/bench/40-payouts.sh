# Payouts: 50,000 payouts enqueued through POST /v1/payouts (each with its own Idempotency-Key, for
# 500 payees with balances) while the workers pay them out through the sandbox's Stripe Connect
# transfers, all on this machine. End to end = from the first payout created to the last one
# processed; enqueue-to-processed latencies per payout from the rows; duplicates from the sandbox's
# operation log (every transfer it executed, by Coffer payout id). Payouts' own event deliveries are
# paused (payments' ledger and notifications are not running consumers here).
PAYOUTS_TOTAL=${BENCH_PAYOUTS:-50000}
PAYEES=500
SANDBOX_PORT=$(free_port); PAYMENTS_PORT=$(free_port); PAYOUTS_PORT=$(free_port)
PAYMENTS_INTERNAL_PORT=$(free_port); PAYOUTS_INTERNAL_PORT=$(free_port)
. "$RUN/pg/env"
PO_DB="${BENCH_DB}_payouts"
psql -q "$TEST_DATABASE_ADMIN_URL" -c "CREATE DATABASE $PO_DB OWNER coffer" >/dev/null
SOCKET_URL="postgresql://coffer_app:$PG_APP_PASSWORD@/$PO_DB?host=$RUN/pg/data&port=$PGPORT"
SOCKET_OWNER_URL="postgresql://coffer:$PG_OWNER_PASSWORD@/$PO_DB?host=$RUN/pg/data&port=$PGPORT"
SUPER="${TEST_DATABASE_ADMIN_URL%/*}/$PO_DB"
INTERNAL_PORT=$(free_port) PORT=$SANDBOX_PORT LOG_FILE="$RUN/bench/sandbox-payouts.log" ACCESS_LOG=false "$BIN/coffer-sandbox" >/dev/null 2>&1 &
SANDBOX_PID=$!; PIDS+=("$SANDBOX_PID")
OUTBOX_RELAY_PAUSED=true PORT=$PAYMENTS_PORT INTERNAL_PORT=$PAYMENTS_INTERNAL_PORT LOG_FILE="$RUN/bench/payments-payouts.log" ACCESS_LOG=false \
  DATABASE_URL="$SOCKET_URL" DATABASE_OWNER_URL="$SOCKET_OWNER_URL" \
  INGRESS_INTERNAL_URL=http://127.0.0.1:9 PAYOUTS_INTERNAL_URL=http://127.0.0.1:$PAYOUTS_INTERNAL_PORT NOTIFICATIONS_INTERNAL_URL=http://127.0.0.1:9 \
  "$BIN/coffer-payments" >/dev/null 2>&1 &
PAYMENTS_PID=$!; PIDS+=("$PAYMENTS_PID")
wait_ready "http://127.0.0.1:$SANDBOX_PORT"; wait_ready "http://127.0.0.1:$PAYMENTS_PORT"
P="http://127.0.0.1:$PAYMENTS_PORT"; S="http://127.0.0.1:$SANDBOX_PORT"; O="http://127.0.0.1:$PAYOUTS_PORT"
PI="http://127.0.0.1:$PAYMENTS_INTERNAL_PORT"; OI="http://127.0.0.1:$PAYOUTS_INTERNAL_PORT"
# A call that must succeed: prints the body, or says which call failed with what answer.
req() {
  local method=$1 url=$2; shift 2
  local out; out=$(curl -sS -X "$method" "$url" -w '\n%{http_code}' "$@") || { echo "bench: $method $url: no answer" >&2; return 1; }
  local code=${out##*$'\n'} body=${out%$'\n'*}
  if [ "${code:0:1}" != 2 ]; then echo "bench: $method $url answered $code: $body" >&2; return 1; fi
  printf '%s' "$body"
}
export -f req
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v := v[k] for k in sys.argv[1].split(".")]; print(v)' "$1"; }
TENANT_JSON=$(req POST "$PI/admin/tenants" -H "Authorization: Bearer $COFFER_ADMIN_TOKEN" \
  -d '{"name":"Payroll bench","settings":{"api_rate_limit_per_minute":1000000,"payout_limits":{"max_payouts_per_payee_per_day":10000}}}')
KEY=$(echo "$TENANT_JSON" | json api_key.secret)
SECRET="sk_test_payouts_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
req PUT "$P/v1/connectors/stripe" -H "Authorization: Bearer $KEY" \
  -d "{\"credentials\":{\"secret_key\":\"$SECRET\"},\"webhook_secret\":\"whsec_bench\",\"api_base_url\":\"$S/stripe\"}" >/dev/null
req POST "$S/_sandbox/accounts" -d "{\"provider\":\"stripe\",\"secret_key\":\"$SECRET\"}" >/dev/null
# Payouts starts now, so its empty tenancy copy is filled from payments' snapshot.
OUTBOX_RELAY_PAUSED=true PORT=$PAYOUTS_PORT INTERNAL_PORT=$PAYOUTS_INTERNAL_PORT LOG_FILE="$RUN/bench/payouts.log" ACCESS_LOG=false DATABASE_POOL_SIZE=${BENCH_PAYOUTS_POOL:-10} \
  DATABASE_URL="$SOCKET_URL" DATABASE_OWNER_URL="$SOCKET_OWNER_URL" PAYMENTS_INTERNAL_URL="$PI" NOTIFICATIONS_INTERNAL_URL=http://127.0.0.1:9 \
  FRAUD_VELOCITY_PER_HOUR=100000 PAYOUT_WORKERS=${BENCH_PAYOUT_WORKERS:-2} PAYOUT_CALLS_PER_WORKER=${BENCH_PAYOUT_CALLS:-32} \
  "$BIN/coffer-payouts" >/dev/null 2>&1 &
PAYOUTS_PID=$!; PIDS+=("$PAYOUTS_PID")
wait_ready "$O"
for _ in $(seq 1 100); do curl -sf -o /dev/null "$O/v1/payees" -H "Authorization: Bearer $KEY" && break; sleep 0.2; done
req POST "$O/v1/payouts/confirm-first-run" -H "Authorization: Bearer $KEY" >/dev/null
PAYEE_FILE="$RUN/bench/payees.txt"
# Each answer to its own file (parallel writers to one file interleave their lines), then one list.
PAYEE_DIR="$RUN/bench/payees"; rm -rf "$PAYEE_DIR"; mkdir -p "$PAYEE_DIR"
seq 1 "$PAYEES" | xargs -P 8 -I{} sh -c "curl -sS -X POST '$O/v1/payees' -H 'Authorization: Bearer $KEY' \
  -d '{\"name\":\"Seller {}\",\"type\":\"seller\",\"destination\":{\"type\":\"stripe_account\",\"account_id\":\"acct_bench{}xxxxxx\"}}' \
  > '$PAYEE_DIR/{}.json'"
python3 - "$PAYEE_DIR" > "$PAYEE_FILE" <<'PY'
import json, os, sys
for name in sorted(os.listdir(sys.argv[1])):
    answer = json.load(open(os.path.join(sys.argv[1], name)))
    if "id" not in answer: sys.exit("payee not created: %s" % answer)
    print(answer["id"])
PY
PER_PAYEE=$(( PAYOUTS_TOTAL / PAYEES + 20 ))
xargs -P 8 -I{} bash -c "req POST '$OI/admin/payees/{}/credits' -H 'Authorization: Bearer $COFFER_ADMIN_TOKEN' \
  -d '{\"amount\":$(( PER_PAYEE * 100 )),\"currency\":\"USD\",\"reason\":\"bench earnings\"}' >/dev/null" < "$PAYEE_FILE"
PER_THREAD=$(( PAYOUTS_TOTAL / 2 ))
# wrk's threads stop after their share, but wrk itself waits out its duration: it is interrupted
# (it then prints its statistics) once every payout has been answered.
WRK_OUT="$RUN/bench/wrk-payouts.txt"
wrk -t2 -c32 -d600s --latency "$O/v1/payouts" -s scripts/bench/payouts_create.lua -- "$KEY" "$PAYEE_FILE" "$PER_THREAD" > "$WRK_OUT" 2>&1 &
WRK_PID=$!
for _ in $(seq 1 3000); do
  [ "$(psql -tA "$SUPER" -c "SELECT count(*) >= $PAYOUTS_TOTAL FROM payouts.payouts WHERE NOT is_test")" = "t" ] && break; sleep 0.2
done
kill -INT "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true
rps=$(awk '/Requests\/sec/ {print int($2)}' "$WRK_OUT")
p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$WRK_OUT")"); p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$WRK_OUT")")
errors=$(awk '/Socket errors/ {gsub(",",""); s=0; for (i=4;i<=NF;i+=2) s+=$i; print s}' "$WRK_OUT"); errors=${errors:-0}
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WRK_OUT"); non2xx=${non2xx:-0}
row "POST /v1/payouts (enqueue)" "$rps" "$p50" "$p99" "$((errors + non2xx))" "$(rss_mib "$PAYOUTS_PID")" \
    "$PAYOUTS_TOTAL payouts through the API while workers pay them"
created=$(psql -tA "$SUPER" -c "SELECT count(*) FROM payouts.payouts WHERE NOT is_test")
for _ in $(seq 1 600); do
  open=$(psql -tA "$SUPER" -c "SELECT count(*) FROM payouts.payouts WHERE status NOT IN ('processed','failed','held','canceled')")
  [ "$open" = "0" ] && break; sleep 0.5
done
read -r processed failed e2e p50 p99 <<< "$(psql -tA -F' ' "$SUPER" -c "
  SELECT count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE status <> 'processed'),
         round(count(*) FILTER (WHERE status = 'processed') / greatest(extract(epoch FROM max(processed_at) - min(created_at)), 0.001)),
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000)::numeric, 2),
         round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000)::numeric, 2)
  FROM payouts.payouts WHERE NOT is_test")"
summary=$(req GET "$S/_sandbox/operations/summary?kind=payout")
executed=$(echo "$summary" | json total)
clean=$(echo "$summary" | json clean)
row "payouts processed end to end" "$e2e" "$p50" "$p99" "$failed" "$(rss_mib "$PAYOUTS_PID")" \
    "$processed of $created processed (Stripe transfers); enqueue->processed p50/p99; sandbox transfers $executed, no duplicates: $clean; target >=2000/s"
kill -TERM "$PAYOUTS_PID" "$PAYMENTS_PID" "$SANDBOX_PID"; wait "$PAYOUTS_PID" "$PAYMENTS_PID" "$SANDBOX_PID" 2>/dev/null || true
psql -q "$TEST_DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PO_DB WITH (FORCE)" >/dev/null 2>&1 || true
