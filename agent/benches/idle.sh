#!/usr/bin/env bash
# Idle CPU and RSS of the headless agent (BENCHMARKS.md, "Agent idle
# (headless)"). Starts a server (debug build: only the agent is measured),
# enrols a release-built agent, lets it attach and settle, then samples
# /proc/PID for DURATION seconds (default 60): CPU time used and resident
# memory. Linux only. Usage: agent/benches/idle.sh [DURATION]
# (SKIP_BUILD=1 uses the binaries already in target/.)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-60}
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build -q -p bilik-server --bin bilik-server
  cargo build -q --release -p bilik-agent --bin bilik-agent
fi
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

# CPU time of the whole process (threads that exited included), in clock
# ticks (10 ms), and in ns for the threads alive at the time (schedstat).
ticks() { awk '{print $14 + $15}' "/proc/$agent/stat"; }
task_ns() { cat /proc/"$agent"/task/*/schedstat | awk '{s += $1} END {print s}'; }
hz=$(getconf CLK_TCK)
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$agent/status"; }
t0=$(ticks)
n0=$(task_ns)
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
n1=$(task_ns)
end=$(date +%s.%N)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent/status")
threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent/status")
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v n0="$n0" -v n1="$n1" -v s="$start" -v e="$end" \
    -v max="$max" -v sum="$sum" -v n="$n" -v hwm="$hwm" -v th="$threads" 'BEGIN {
  wall = e - s
  cpu = (t1 - t0) / hz
  live = (n1 - n0) / 1e9
  printf "duration_s      %.1f\n", wall
  printf "cpu_time_ms     %.0f   (whole process, %d ms ticks)\n", cpu * 1000, 1000 / hz
  printf "cpu_percent     %.3f\n", 100 * cpu / wall
  printf "cpu_live_ms     %.1f   (threads alive at both ends, ns precision: %.4f %%)\n", live * 1000, 100 * live / wall
  printf "rss_mean_mib    %.1f\n", sum / n / 1024
  printf "rss_max_mib     %.1f\n", max / 1024
  printf "rss_peak_mib    %.1f   (VmHWM, including start-up)\n", hwm / 1024
  printf "threads         %d\n", th
}'
