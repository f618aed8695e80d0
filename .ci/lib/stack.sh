# Shared by .ci/bench and .ci/profile: start the simulator and a dashboard
# with registered chargers and users, log in, drive load with wrk.
# Expects BIN, SITE, WORK, PIDS and PASSWORD to be set by the caller.
only() { [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
wait_http() { for _ in $(seq 1 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; log "no answer from $1"; exit 1; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
ms() { # wrk's "1.23ms" / "456.00us" / "1.02s" → milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
# wrk_run NAME ARGS… → sets W_RPS, W_P50, W_P99 (ms), W_BAD (non-2xx/3xx + errors)
wrk_run() {
  local name=$1 out
  shift
  out="$(wrk --latency "$@" 2>&1)"
  echo "$out" >"$WORK/wrk-$name.txt"
  W_RPS="$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')"
  W_P50="$(ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")"
  W_P99="$(ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")"
  W_BAD="$(echo "$out" | awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i } END { print n + 0 }')"
}

# A fleet file for the simulator: N stations with made-up tokens.
fleet() { # fleet FILE N
  : >"$1"
  for i in $(seq 1 "$2"); do
    printf '[[evse]]\nedge_device_id = "edge-%d"\nuuid = "evse-%d"\ntoken = "bench-token-%06d"\nrated_current = 32\n\n[[evse.plugs]]\nlabel = "Plug 1"\nvehicle = "charging"\n\n' \
      $(((i - 1) / 20)) "$i" "$i" >>"$1"
  done
}
# start_stack NAME STATIONS LATENCY_MS: simulator + registered chargers + server.
start_stack() {
  local name=$1 n=$2 latency=$3 dir="$WORK/$1"
  mkdir -p "$dir"
  fleet "$dir/fleet.toml" "$n"
  local sim_port port
  sim_port="$(free_port)"
  "$BIN" simulate --fleet "$dir/fleet.toml" --listen "127.0.0.1:$sim_port" --latency-ms "$latency" >"$dir/sim.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q listening "$dir/sim.log" && break; sleep 0.1; done
  local per_site="${PER_SITE:-20}"
  for i in $(seq 1 "$n"); do
    printf 'bench-token-%06d\n' "$i" | "$BIN" charger add --data-dir "$dir/data" --name "Bench $i" \
      --site "Site $(((i - 1) / per_site))" --edge-device "edge-$(((i - 1) / 20))" --evse "evse-$i" >/dev/null
  done
  # A hook to fill the database before the server starts (H2's history).
  [ -n "${BEFORE_SERVE:-}" ] && "$BEFORE_SERVE" "$dir/data/evse-dashboard.sqlite3"
  # olga and victor browse; load1…load20 only log in (P7), each at most
  # once a second, so the per-account throttle never holds them back.
  for user in olga victor $(seq -f 'load%g' 1 20); do
    local role=viewer; [ $user = olga ] && role=operator
    echo "$PASSWORD" | "$BIN" user add "$user" --role $role --data-dir "$dir/data" >/dev/null
  done
  # An operator's API token (#30) for the API's set; the server below
  # lets it make as many changes as the benchmark sends.
  API_TOKEN="$("$BIN" token add "bench-api-$name" --role operator --data-dir "$dir/data" | tail -n 1)"
  port="$(free_port)"
  # One load generator is one client address: the per-client connection
  # cap (128 by default, #26) would refuse P6's 200 sessions. One operator
  # sets thousands of times a second: a person's pace (600 a minute, #37)
  # would refuse all but the first 600 of P1's sets.
  "$BIN" serve --data-dir "$dir/data" --site-dir "$SITE" --listen "127.0.0.1:$port" \
    --clemap-url "http://127.0.0.1:$sim_port" --max-connections-per-client 1024 \
    --api-writes-per-minute 100000 --changes-per-minute 1000000 \
    ${SERVE_ARGS:-} >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=($!)
  BASE="http://127.0.0.1:$port"
  SIM="http://127.0.0.1:$sim_port"
  wait_http "$BASE/livez"
}
login() { # login USER → prints the session cookie "name=value"
  local jar="$WORK/jar-$RANDOM$RANDOM"
  curl -s -o /dev/null -c "$jar" -H 'accept: application/json' \
    --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" \
    "$BASE/api/login"
  awk '$6 ~ /evse_session/ { print $6 "=" $7 }' "$jar"
}
