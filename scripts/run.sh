#!/usr/bin/env bash
# make run: build release binaries, start a throwaway PostgreSQL (unless DATABASE_URL is set), start
# every service and the sandbox with prefixed logs, seed a demo tenant, print what to try.
# Ctrl-C (or `make stop` from another terminal) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN="$PWD/.run"
mkdir -p "$RUN/logs"
SERVICES=(ingress:8080 payments:8081 payouts:8082 notifications:8083 monitoring:8084 sandbox:8090)
# Each service's internal listener (/internal/*, /admin/*, /metrics): never the public port.
INTERNAL_SERVICES=(ingress:9080 payments:9081 payouts:9082 notifications:9083 monitoring:9084 sandbox:9090)
PEERS=(ingress payments payouts notifications monitoring)

stop_all() {
  if [ -f "$RUN/pids" ]; then
    pids=$(cat "$RUN/pids")
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 50); do
      alive=0; for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break; sleep 0.5
    done
    kill -KILL $pids 2>/dev/null || true
    rm -f "$RUN/pids"
  fi
  if [ -f "$RUN/pg-owned" ]; then scripts/postgres.sh stop; rm -f "$RUN/pg-owned"; fi
}

if [ "${1:-}" = stop ]; then stop_all; echo "stopped"; exit 0; fi
if [ -f "$RUN/pids" ]; then
  echo "run: a previous run is still recorded in .run/pids; stopping it first"
  stop_all
fi

scripts/bootstrap.sh
echo "run: building release binaries (first time takes a few minutes)"
swift build -c release
BIN=$(swift build -c release --show-bin-path)

if [ -z "${DATABASE_URL:-}" ]; then
  eval "$(scripts/postgres.sh start | sed 's/^/export /')"
  touch "$RUN/pg-owned"
fi
export DATABASE_OWNER_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}"

# Secrets are generated once and kept: the master key encrypts tenants' provider secrets at rest,
# so a new one would make stored connectors unreadable. Every ordered pair of services gets its own
# internal secret (a secrets.env from before per-pair secrets gains them).
hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
if [ ! -f "$RUN/secrets.env" ]; then
  umask 077
  admin="cat_$(hex 24)"
  cat > "$RUN/secrets.env" <<VARS
COFFER_ADMIN_TOKEN=$admin
COFFER_ADMIN_TOKENS=operator:$admin
COFFER_MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)
VARS
fi
if ! grep -q '^COFFER_INTERNAL_SECRETS=' "$RUN/secrets.env"; then
  pairs=()
  for sender in "${PEERS[@]}"; do
    for receiver in "${PEERS[@]}"; do
      [ "$sender" = "$receiver" ] || pairs+=("$sender>$receiver:$(hex 24)")
    done
  done
  sed -i '/^COFFER_INTERNAL_SECRET=/d' "$RUN/secrets.env"
  # Quoted: the file is sourced, and a shell would take each `>` for a redirection.
  (IFS=,; umask 077; echo "COFFER_INTERNAL_SECRETS='${pairs[*]}'" >> "$RUN/secrets.env")
fi
# A secrets.env written before the value was quoted.
sed -i "s/^COFFER_INTERNAL_SECRETS=\([^'].*\)$/COFFER_INTERNAL_SECRETS='\1'/" "$RUN/secrets.env"
set -a; . "$RUN/secrets.env"; set +a

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A PORTS INTERNAL_PORTS
for entry in "${SERVICES[@]}"; do
  name=${entry%%:*}; port=${entry##*:}
  port_free "$port" || { port=$(free_port); echo "run: port ${entry##*:} is busy; $name uses $port"; }
  PORTS[$name]=$port
done
for entry in "${INTERNAL_SERVICES[@]}"; do
  name=${entry%%:*}; port=${entry##*:}
  port_free "$port" || { port=$(free_port); echo "run: port ${entry##*:} is busy; $name's internal listener uses $port"; }
  INTERNAL_PORTS[$name]=$port
done

export COFFER_ENV=development
export INGRESS_URL="http://127.0.0.1:${PORTS[ingress]}"
export PAYMENTS_URL="http://127.0.0.1:${PORTS[payments]}"
export PAYOUTS_URL="http://127.0.0.1:${PORTS[payouts]}"
export NOTIFICATIONS_URL="http://127.0.0.1:${PORTS[notifications]}"
export MONITORING_URL="http://127.0.0.1:${PORTS[monitoring]}"
export SANDBOX_URL="http://127.0.0.1:${PORTS[sandbox]}"
export INGRESS_INTERNAL_URL="http://127.0.0.1:${INTERNAL_PORTS[ingress]}"
export PAYMENTS_INTERNAL_URL="http://127.0.0.1:${INTERNAL_PORTS[payments]}"
export PAYOUTS_INTERNAL_URL="http://127.0.0.1:${INTERNAL_PORTS[payouts]}"
export NOTIFICATIONS_INTERNAL_URL="http://127.0.0.1:${INTERNAL_PORTS[notifications]}"
export MONITORING_INTERNAL_URL="http://127.0.0.1:${INTERNAL_PORTS[monitoring]}"
export PUBLIC_INGRESS_URL="$INGRESS_URL"
# Local only: both listeners on loopback.
export HTTP_HOST=127.0.0.1
export COFFER_BUILD_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

write_env() {
  umask 077
  {
    for var in COFFER_ENV DATABASE_URL DATABASE_OWNER_URL INGRESS_URL PAYMENTS_URL PAYOUTS_URL NOTIFICATIONS_URL \
               MONITORING_URL SANDBOX_URL INGRESS_INTERNAL_URL PAYMENTS_INTERNAL_URL PAYOUTS_INTERNAL_URL \
               NOTIFICATIONS_INTERNAL_URL MONITORING_INTERNAL_URL COFFER_ADMIN_TOKEN COFFER_ADMIN_TOKENS COFFER_MASTER_KEY \
               COFFER_INTERNAL_SECRETS COFFER_DEMO_API_KEY; do
      # Single-quoted, so `set -a; . .run/coffer.env` reads every value as written (cofferctl strips the quotes).
      echo "$var='${!var:-}'"
    done
  } > "$RUN/coffer.env"
}
write_env

trap 'echo; echo "run: stopping"; stop_all; exit 0' INT TERM
: > "$RUN/pids"
for entry in "${SERVICES[@]}"; do
  name=${entry%%:*}
  PORT=${PORTS[$name]} INTERNAL_PORT=${INTERNAL_PORTS[$name]} "$BIN/coffer-$name" > >(sed -u "s/^/[$name] /" | tee -a "$RUN/logs/$name.log") 2>&1 &
  echo $! >> "$RUN/pids"
done

wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "run: $1 did not become ready; see .run/logs/" >&2
  return 1
}
for url in "$INGRESS_URL" "$PAYMENTS_URL" "$PAYOUTS_URL" "$NOTIFICATIONS_URL" "$MONITORING_URL" "$SANDBOX_URL"; do
  wait_ready "$url" || { stop_all; exit 1; }
done

COFFER_DEMO_API_KEY=$(scripts/seed-demo.sh) || { echo "run: seeding the demo tenant failed; see above" >&2; COFFER_DEMO_API_KEY=; }
export COFFER_DEMO_API_KEY
write_env

cat <<TXT

Coffer is running (logs: .run/logs/, variables: .run/coffer.env).
  service        public                     internal (operators, /admin, /metrics)
  ingress        $INGRESS_URL      $INGRESS_INTERNAL_URL
  payments       $PAYMENTS_URL      $PAYMENTS_INTERNAL_URL
  payouts        $PAYOUTS_URL      $PAYOUTS_INTERNAL_URL
  notifications  $NOTIFICATIONS_URL      $NOTIFICATIONS_INTERNAL_URL
  monitoring     $MONITORING_URL      $MONITORING_INTERNAL_URL
  sandbox        $SANDBOX_URL

Try:
  set -a; . .run/coffer.env; set +a
  $BIN/cofferctl status
  # a payment on the sandbox's Stripe, captured at once (its webhook goes through ingress too):
  curl -s \$PAYMENTS_URL/v1/payments -H "Authorization: Bearer \$COFFER_DEMO_API_KEY" \\
       -H "Idempotency-Key: first-payment" -d '{"amount":1050,"currency":"USD","description":"First try"}'
  curl -s \$PAYMENTS_URL/v1/payments -H "Authorization: Bearer \$COFFER_DEMO_API_KEY"
  curl -s \$SANDBOX_URL/_sandbox/operations/summary
TXT
echo
cat "$RUN/coffer.env"
echo
echo "Ctrl-C stops everything."
wait
