# Helpers shared by the benchmark scripts (sourced).

# wrk's latency ("812.00us", "4.12ms", "1.02s") in milliseconds with two decimals.
to_ms() {
  python3 -c '
import sys, re
v = sys.argv[1]
m = re.match(r"([0-9.]+)(us|ms|s|m)$", v)
if not m: print("?"); sys.exit()
n, u = float(m.group(1)), m.group(2)
print("%.2f" % (n / 1000 if u == "us" else n if u == "ms" else n * 1000 if u == "s" else n * 60000))' "$1"
}

# Runs wrk and prints "req_per_sec p50_ms p99_ms errors non2xx".
run_wrk() {
  local url=$1 connections=$2 seconds=$3; shift 3
  # Options after the URL go to wrk (e.g. -s script.lua -- args), so the URL must come first.
  local out; out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url" "$@" 2>&1)
  local rps p50 p99 errors non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print int($2)}')
  p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  errors=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); s=0; for (i=4;i<=NF;i+=2) s+=$i; print s}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "${rps:-0} ${p50} ${p99} ${errors:-0} ${non2xx:-0}"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

wait_ready() {
  for _ in $(seq 1 200); do curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: $1 did not become ready" >&2; return 1
}

# Starts nginx answering `return 200` on $1; prints its pid file path.
start_nginx() {
  local port=$1 dir=$RUN/bench/nginx
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$port; location / { return 200 "ok"; } }
}
CONF
  nginx -c "$dir/nginx.conf"
  for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
}

stop_nginx() { nginx -c "$RUN/bench/nginx/nginx.conf" -s stop 2>/dev/null || true; }

# Appends a row to the results table.
row() { printf '| %-34s | %10s | %8s | %8s | %6s | %8s | %s\n' "$@" | tee -a "$RESULTS"; }
