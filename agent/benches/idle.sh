#!/usr/bin/env bash
# Idle CPU and RSS of the headless agent (BENCHMARKS.md, "Agent idle
# (headless)"). Starts a server (debug build: only the agent is measured),
# enrols a release-built agent, lets it attach and settle, then samples
# /proc/PID for DURATION seconds (default 60): CPU time used and resident
# memory. Linux only. Usage: agent/benches/idle.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-60}
cargo build -q -p bilik-server --bin bilik-server
cargo build -q --release -p bilik-agent --bin bilik-agent
SERVER=target/debug/bilik-server
AGENT=target/release/bilik-agent

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$SERVER" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  >"$work/server.out" 2>"$work/server.log" </dev/null &
pids+=($!)
for _ in $(seq 100); do
  grep -q "listening on" "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'listening on [^ ]*' "$work/server.out" | awk '{print $3}')
password=$(grep -o 'one-time password [^ ]*' "$work/server.out" | awk '{print $3}')
code=$(BILIK_PASSWORD="$password" "$SERVER" station enroll-code --name BENCH --server "$url")
"$AGENT" enroll --server "$url" --code "$code" --state-dir "$work/agent" >/dev/null

RUST_LOG=warn "$AGENT" --ui headless --state-dir "$work/agent" \
  >"$work/agent.out" 2>"$work/agent.log" </dev/null &
agent=$!
pids+=("$agent")
for _ in $(seq 100); do
  grep -q '"status":"connected"' "$work/agent.out" 2>/dev/null && break
  sleep 0.1
done
grep -q '"status":"connected"' "$work/agent.out" || { echo "agent did not attach" >&2; exit 1; }
sleep 5 # first heartbeat sent, allocator settled

ticks() { awk '{print $14 + $15}' "/proc/$agent/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$agent/status"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
start=$(date +%s.%N)
max=0
sum=0
n=0
for _ in $(seq "$DURATION"); do
  sleep 1
  r=$(rss_kb)
  sum=$((sum + r))
  n=$((n + 1))
  [ "$r" -gt "$max" ] && max=$r
done
t1=$(ticks)
end=$(date +%s.%N)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent/status")
threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent/status")
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
    -v max="$max" -v sum="$sum" -v n="$n" -v hwm="$hwm" -v th="$threads" 'BEGIN {
  wall = e - s
  cpu = (t1 - t0) / hz
  printf "duration_s      %.1f\n", wall
  printf "cpu_time_s      %.2f\n", cpu
  printf "cpu_percent     %.3f\n", 100 * cpu / wall
  printf "rss_mean_mib    %.1f\n", sum / n / 1024
  printf "rss_max_mib     %.1f\n", max / 1024
  printf "rss_peak_mib    %.1f   (VmHWM, including start-up)\n", hwm / 1024
  printf "threads         %d\n", th
}'
