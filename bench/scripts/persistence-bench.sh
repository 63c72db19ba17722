#!/usr/bin/env bash
# QoS 1 throughput with persistence off and on (fsync never, batch, always), side by side.
# Each run starts a fresh `bin/starling broker` on its own store, pinned to core 0 with taskset,
# and drives it with `bin/starling bench pubsub --persistent` pinned to core 1, so that every
# delivery goes to a persistent session and, with persistence on, is stored before PUBACK.
# Needs the jar (./mvnw -q -DskipTests package) and two cores. Traffic stays on 127.0.0.1;
# every run is bounded (warm-up + duration + drain). Usage:
#   bench/scripts/persistence-bench.sh [WARMUP] [DURATION]      (default 2s 5s)
set -euo pipefail
cd "$(dirname "$0")/../.."
warmup="${1:-2s}"
duration="${2:-5s}"
work="$(mktemp -d "${TMPDIR:-/tmp}/starling-persistence-bench.XXXXXX")"
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# run MODE SCENARIO BENCH-OPTIONS...: prints "rate lost duplicated"
run() {
  local mode="$1"; shift
  local dir="$work/$mode-$RANDOM"
  mkdir -p "$dir"
  local port
  port="$(free_port)"
  {
    echo "listeners: [{bind: 127.0.0.1, port: $port}]"
    echo "max_queued_messages: 100000"
    if [ "$mode" = off ]; then echo "persistence: false"; else echo "data_dir: $dir/data"; echo "fsync: $mode"; fi
  } >"$dir/broker.yaml"
  taskset -c 0 bin/starling broker -c "$dir/broker.yaml" >"$dir/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  local json
  json="$(taskset -c 1 bin/starling bench pubsub -h 127.0.0.1 -p "$port" -q 1 --persistent --quiet --json \
      --warmup "$warmup" --duration "$duration" "$@" | tail -1)"
  kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""
  python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("%d %d %d" % (s["rate"], s["lost"], s["duplicated"]))' "$json"
}

printf '| scenario | persistence off | fsync never | fsync batch (default) | fsync always |\n|---|---|---|---|---|\n'
for scenario in "fan-in, 8 publishers:--shape fan-in --publishers 8" "100 pairs:--shape pairs --publishers 100"; do
  name="${scenario%%:*}"; options="${scenario#*:}"
  row="| $name QoS 1, persistent subscribers |"
  for mode in off never batch always; do
    # shellcheck disable=SC2086
    read -r rate lost dup < <(run "$mode" $options)
    cell="$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,} msg/s")' "$rate")"
    [ "$lost" != 0 ] && cell="$cell, $lost lost"
    [ "$dup" != 0 ] && cell="$cell, $dup duplicated"
    row="$row $cell |"
  done
  echo "$row"
done
