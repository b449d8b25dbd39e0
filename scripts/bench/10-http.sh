# HTTP server: one service's /health/live (access log on, to a file) vs nginx `return 200`, same run.
NGINX_PORT=$(free_port); SERVICE_PORT=$(free_port)
start_nginx "$NGINX_PORT"
INTERNAL_PORT=$(free_port) PORT=$SERVICE_PORT LOG_FILE="$RUN/bench/http-ingress.log" "$BIN/coffer-ingress" >/dev/null 2>&1 &
SERVICE_PID=$!; PIDS+=("$SERVICE_PID")
wait_ready "http://127.0.0.1:$SERVICE_PORT"
run_wrk "http://127.0.0.1:$SERVICE_PORT/health/live" 64 2 >/dev/null   # warm-up
read -r n_rps n_p50 n_p99 n_err n_non <<< "$(run_wrk "http://127.0.0.1:$NGINX_PORT/" 64 "$SECONDS_PER_RUN")"
read -r s_rps s_p50 s_p99 s_err s_non <<< "$(run_wrk "http://127.0.0.1:$SERVICE_PORT/health/live" 64 "$SECONDS_PER_RUN")"
s_rss=$(rss_mib "$SERVICE_PID")
row "nginx return 200 (reference)" "$n_rps" "$n_p50" "$n_p99" "$((n_err + n_non))" "-" "64 conns, ${SECONDS_PER_RUN}s"
ratio=$(python3 -c "print('%d%%' % (100 * $s_rps / max(1, $n_rps)))")
lines=$(wc -l < "$RUN/bench/http-ingress.log")
row "coffer /health/live (access log on)" "$s_rps" "$s_p50" "$s_p99" "$((s_err + s_non))" "$s_rss" \
    "$ratio of nginx; target >=50%, p99<10ms, RSS<100MiB; $lines log lines"
stop_nginx
kill -TERM "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
