#!/usr/bin/env bash
# Starling as a cluster against Starling alone: the cross-broker rows of compare-brokers.sh (fan-in,
# fan-out, pairs) run once against a single node and once against NODES nodes clustered on
# loopback, in the same run, with `bin/starling bench pubsub --brokers` spreading the clients over
# the nodes. It reports each node's part, the cluster's total, the single node's figure and the
# forwarding cost (defined below).
#
#   bench/scripts/cluster-bench.sh [WARMUP] [DURATION]   (default 2s 5s)
#
# Needs cli/target/starling.jar: build it first, nothing here builds, with
#   ./mvnw -o -q -DskipTests package -pl cli -am
# Every scenario starts fresh brokers (one node, then the cluster) in temporary directories, with
# the default configuration but the ports (and cluster.members: every node): persistence on, as
# compare-brokers' Starling row. The bench starts once each node has logged `view N with NODES
# members` and a session-ownership leader. Three fresh JVMs on one core warm up slowly: quote
# figures from a warm-up of 15 s or more (docs/performance.md). Every command runs under
# `timeout`, a watchdog ends the script after the worst-case total it prints first, and the exit
# trap stops every broker and bench it started and deletes the temporary directories.
#
# Clients: subscriber j connects to node j mod NODES, publisher i to node (i+1) mod NODES (see
# `starling bench pubsub --help`). With 3 nodes: fan-in (1 subscriber on node 0, 8 publishers
# 2/3/3) forwards 6 of every 8 messages; fan-out (1 publisher on node 1, 50 subscribers 17/17/16)
# makes 33 of 50 deliveries on another node than the publisher's (each message is forwarded once to
# each of the 2 other nodes); pairs (100) forwards every message. The report gives the share measured.
#
# Figures, all deliveries per second over the measured interval, as compare-brokers' "rate":
#   per node   what that node took from its publishers (in) and delivered to its subscribers (out);
#              the bench counts it per connection, and these counts equal the node's own counters
#              (cli SpreadBenchTest checks it against each node's metrics)
#   total      deliveries per second over all nodes
#   single     the same scenario against one node without a cluster, in the same run
#   ratio      total / single; forwarding cost = 1 - ratio (negative: the cluster was faster)
# What the ratio means depends on the cores (PIN below). With PIN=shared every broker, the single
# node and all cluster nodes alike, shares the same broker cores, so the ratio is throughput per
# broker core: the cost is what forwarding (encoding, JGroups, the extra hop, NODES JVMs sharing a
# core) takes from each core. With PIN=spread each node has a core of its own and the single node
# one core: the ratio is the scaling from 1 to NODES cores, and ratio/NODES the efficiency.
# On a 2-core machine only shared pinning is possible, and it measures CPU sharing, not scaling.
#
# Environment: SCENARIOS (default "fanin0 fanin1 fanout0 pairs1"), NODES (default 3), PIN (shared,
# spread or none; default spread when there are NODES + 1 cores or more, else shared; shared: the
# brokers on core 0 (all cores but the bench's when there are 4 or more), the bench on the last
# core; spread: node i on core i, the single node on core 0, the bench on the cores after the
# nodes'), BASE_PORT (the first port tried; the MQTT and cluster ports are the free ones from it
# up, default 28881), RESULTS (directory for the raw JSON lines and broker logs, default
# /tmp/cluster-bench-<timestamp>), STARLING_BROKER_JAVA_OPTS (JVM flags of every broker instead of
# bin/starling's defaults), BENCH_OPTS (more `bench pubsub` options for both setups, e.g.
# "--max-backlog 10000 -V 5"), REPORT_FROM (a results directory: print its report again, run nothing).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
warmup="${1:-2s}"
duration="${2:-5s}"
scenarios="${SCENARIOS:-fanin0 fanin1 fanout0 pairs1}"
nodes="${NODES:-3}"
base_port="${BASE_PORT:-28881}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
results="${RESULTS:-/tmp/cluster-bench-$stamp}"
drain_s=5          # the bench's default --drain
stop_wait_s=15     # SIGTERM, then SIGKILL after this long
start_wait_s=60    # a broker must listen within this
form_wait_s=60     # the nodes must form one cluster within this

scenario_options() {
  case "$1" in
    fanin0) echo "--shape fan-in --publishers 8 -q 0" ;;
    fanin1) echo "--shape fan-in --publishers 8 -q 1" ;;
    fanout0) echo "--shape fan-out --subscribers 50 -q 0" ;;
    pairs1) echo "--shape pairs --publishers 100 -q 1" ;;
    *) echo "cluster-bench: unknown scenario $1 (fanin0 fanin1 fanout0 pairs1)" >&2; return 1 ;;
  esac
}

if [ -n "${REPORT_FROM:-}" ]; then
  results="$REPORT_FROM"
else
# ---- preconditions -----------------------------------------------------------------------------
if [ ! -f cli/target/starling.jar ]; then
  echo "missing cli/target/starling.jar; build it with: (cd '$repo' && ./mvnw -o -q -DskipTests package -pl cli -am)" >&2
  exit 1
fi
if ! bin/starling bench pubsub --help | grep -q -- '--brokers'; then
  echo "cli/target/starling.jar has no 'bench pubsub --brokers'; rebuild it with: ./mvnw -o -q -DskipTests package -pl cli -am" >&2
  exit 1
fi
for scenario in $scenarios; do scenario_options "$scenario" >/dev/null || exit 2; done
[[ "$nodes" =~ ^[1-9][0-9]?$ ]] || { echo "cluster-bench: NODES is 1 to 99, not '$nodes'" >&2; exit 2; }
for tool in ss python3 timeout; do
  command -v "$tool" >/dev/null || { echo "cluster-bench: needs $tool" >&2; exit 1; }
done
cores="$(nproc)"
pin="${PIN:-}"
if [ -z "$pin" ]; then
  if [ "$cores" -ge $((nodes + 1)) ]; then pin=spread; else pin=shared; fi
fi
command -v taskset >/dev/null || { [ "$pin" = none ] || echo "warning: no taskset; running unpinned" >&2; pin=none; }
# broker_cores I: the cores of node I (0: also the single node); bench_cores: the bench's
case "$pin" in
  shared)
    [ "$cores" -ge 2 ] || { echo "cluster-bench: PIN=shared needs 2 cores" >&2; exit 2; }
    if [ "$cores" -ge 4 ]; then shared_cores="0-$((cores - 2))"; else shared_cores=0; fi
    bench_cores="$((cores - 1))"
    broker_cores() { echo "$shared_cores"; } ;;
  spread)
    [ "$cores" -ge $((nodes + 1)) ] || { echo "cluster-bench: PIN=spread needs NODES + 1 = $((nodes + 1)) cores, not $cores" >&2; exit 2; }
    bench_cores="$nodes-$((cores - 1))"
    broker_cores() { echo "$1"; } ;;
  none) bench_cores="" ; broker_cores() { echo ""; } ;;
  *) echo "cluster-bench: PIN is shared, spread or none, not '$pin'" >&2; exit 2 ;;
esac
pinned() { # CORES COMMAND...: execs COMMAND, pinned to CORES unless they are empty
  local cpus="$1"; shift
  if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}
bench_pin=()
[ -n "$bench_cores" ] && bench_pin=(taskset -c "$bench_cores")

# ---- time budget -------------------------------------------------------------------------------
seconds() { python3 -c '
import re, sys
m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", sys.argv[1])
if not m: sys.exit("not a duration: " + sys.argv[1])
print(float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)])' "$1"; }
warmup_s="$(seconds "$warmup")"
duration_s="$(seconds "$duration")"
n_scenarios="$(wc -w <<<"$scenarios")"
read -r -a bench_opts <<<"${BENCH_OPTS:-}"
bench_timeout="$(python3 -c "import math; print(math.ceil($warmup_s + $duration_s + $drain_s + 30))")"
read -r expected worst < <(python3 -c "
s, n = $n_scenarios, $nodes
typical = 2 * ($warmup_s + $duration_s + 12) + 20    # both runs, JVM starts and stops, the cluster forming
worst = 2 * ($start_wait_s + $bench_timeout) + $form_wait_s + (n + 1) * $stop_wait_s
print(round(s * typical), round(s * worst + 60))")
echo "cluster-bench: $nodes nodes against 1, scenarios [$scenarios], warm-up $warmup, measured $duration, pinning $pin"
echo "  (brokers on cores [$(broker_cores 0)$([ "$pin" = spread ] && echo "..$((nodes - 1))")], bench on [${bench_cores:-any}]);"
echo "expected total about ${expected} s; the watchdog stops everything after ${worst} s."
[ "$pin" = shared ] && echo "note: the brokers share core(s) $(broker_cores 0): this measures the cost of forwarding per core, not scaling."

# ---- clean-up ----------------------------------------------------------------------------------
exec 3>&2   # the script's own standard error, for the trap (see compare-brokers.sh)
mkdir -p "$results"
work="$(mktemp -d "${TMPDIR:-/tmp}/cluster-bench.XXXXXX")"
broker_pids=()
fg_pid=""
watchdog_pid=""
# is_running and stop_pid
source bench/scripts/lib/processes.sh
stop_brokers() { # SIGTERM to all at once (a leaving node is noticed at once), then wait for each
  local pid
  for pid in "${broker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${broker_pids[@]}"; do stop_pid "$pid" "broker"; done
  broker_pids=()
}
cleanup() {
  set +e
  [ -n "$fg_pid" ] && stop_pid "$fg_pid" "bench"
  stop_brokers
  [ -n "$watchdog_pid" ] && kill "$watchdog_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
bounded() { # COMMAND...: run and wait in the background, so that a signal's trap runs at once
  local rc=0
  "$@" 3>&- &
  fg_pid=$!
  wait "$fg_pid" || rc=$?
  fg_pid=""
  return "$rc"
}
trap 'echo "cluster-bench: stopped" >&3; exit 143' TERM INT
( for ((i = 0; i < worst; i++)); do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
  echo "cluster-bench: over ${worst} s, stopping" >&2; kill -TERM $$ ) 3>&- &
watchdog_pid=$!

# ---- ports and brokers -------------------------------------------------------------------------
port_busy() { [ -n "$(ss -Htan "( sport = :$1 )")" ]; }
# free_ports N: N ports from BASE_PORT up on which nothing listens or connects (below Linux's
# ephemeral range by default, so that no client socket of the bench takes one meanwhile)
free_ports() {
  local want="$1" port="$base_port" found=()
  while [ "${#found[@]}" -lt "$want" ]; do
    [ "$port" -le 65535 ] || { echo "cluster-bench: no $want free ports from $base_port" >&2; return 1; }
    port_busy "$port" || found+=("$port")
    port=$((port + 1))
  done
  echo "${found[@]}"
}
listening() { [ -n "$(ss -Htln "( sport = :$1 )")" ]; }
await_listening() { # PID PORT LOG
  local i
  for ((i = 0; i < start_wait_s * 10; i++)); do
    listening "$2" && return 0
    is_running "$1" || break
    sleep 0.1
  done
  echo "cluster-bench: a broker did not listen on $2; see $3" >&2
  return 1
}

# start_single LOG: one node, no cluster, as compare-brokers starts Starling; sets mqtt_ports
start_single() {
  local dir
  read -r -a mqtt_ports < <(free_ports 1)
  dir="$(mktemp -d "$work/single.XXXXXX")"
  (cd "$dir" && pinned "$(broker_cores 0)" "$repo/bin/starling" broker -p "${mqtt_ports[0]}") >"$1" 2>&1 &
  broker_pids=($!)
  await_listening "${broker_pids[0]}" "${mqtt_ports[0]}" "$1"
}

# start_cluster LOG-PREFIX: NODES nodes, seeds all of them; sets mqtt_ports; waits for one view of NODES members
start_cluster() {
  local ports i dir seeds="" members="" log
  read -r -a ports < <(free_ports $((2 * nodes)))
  mqtt_ports=("${ports[@]:0:nodes}")
  for ((i = 0; i < nodes; i++)); do
    seeds="${seeds:+$seeds, }127.0.0.1:${ports[nodes + i]}"
    members="${members:+$members, }node-$i"
  done
  broker_pids=()
  for ((i = 0; i < nodes; i++)); do
    dir="$(mktemp -d "$work/node$i.XXXXXX")"
    cat >"$dir/node.yaml" <<EOF
listeners:
  - bind: 127.0.0.1
    port: ${mqtt_ports[i]}
data_dir: $dir/data
cluster:
  node_name: node-$i
  bind: 127.0.0.1
  port: ${ports[nodes + i]}
  seeds: [$seeds]
  members: [$members]
EOF
    (cd "$dir" && pinned "$(broker_cores "$i")" "$repo/bin/starling" broker -c "$dir/node.yaml") >"$1-node$i.log" 2>&1 &
    broker_pids+=($!)
  done
  for ((i = 0; i < nodes; i++)); do
    await_listening "${broker_pids[i]}" "${mqtt_ports[i]}" "$1-node$i.log" || return 1
  done
  [ "$nodes" -gt 1 ] || return 0
  local t
  for ((t = 0; t < form_wait_s * 10; t++)); do
    local formed=0
    for ((i = 0; i < nodes; i++)); do
      # the node's latest view must have them all
      log="$1-node$i.log"
      # and know the session owners' leader, or the clients' CONNECTs would wait for one
      [ "$(grep -o 'view [0-9]* with [0-9]* members' "$log" | tail -n 1 | awk '{ print $4 }')" = "$nodes" ] \
        && grep -q 'session ownership decided by a majority' "$log" && formed=$((formed + 1))
      is_running "${broker_pids[i]}" || { echo "cluster-bench: node $i died; see $log" >&2; return 1; }
    done
    [ "$formed" = "$nodes" ] && return 0
    sleep 0.1
  done
  echo "cluster-bench: the nodes did not form one cluster of $nodes in ${form_wait_s} s; see $1-node*.log" >&2
  return 1
}

# record SCENARIO SETUP JSON-OR-EMPTY ERROR: one line of runs.jsonl
record() {
  python3 -c '
import json, sys
scenario, setup, raw, error = sys.argv[1:5]
try:
    result = json.loads(raw) if raw.strip() else None
except ValueError:
    result, error = None, (error + "; " if error else "") + "unparseable output: " + raw[:200]
print(json.dumps({"scenario": scenario, "setup": setup, "result": result, "error": error or None}))' \
    "$@" >>"$results/runs.jsonl"
}

# run SCENARIO SETUP: SETUP is single or cluster
run() {
  local scenario="$1" setup="$2" out error="" target=() pid
  out="$results/$scenario-$setup"
  if [ "$setup" = single ]; then
    start_single "$out.broker.log" || error="the broker did not start"
    target=(-h 127.0.0.1 -p "${mqtt_ports[0]:-1}")
  else
    start_cluster "$out" || error="the cluster did not form"
    target=(--brokers "$(printf '127.0.0.1:%s,' "${mqtt_ports[@]}" | sed 's/,$//')")
  fi
  if [ -z "$error" ]; then
    # shellcheck disable=SC2046
    bounded timeout "$bench_timeout" "${bench_pin[@]}" bin/starling bench pubsub "${target[@]}" -s 64 $(scenario_options "$scenario") \
        "${bench_opts[@]}" --warmup "$warmup" --duration "$duration" --json --quiet >"$out.bench.out" 2>"$out.bench.err" \
      || error="bench exited with $?"
    [ -n "$error" ] && [ -s "$out.bench.err" ] && error="$error: $(tail -n 1 "$out.bench.err" | cut -c 1-300)"
    for pid in "${broker_pids[@]}"; do is_running "$pid" || error="${error:+$error; }a broker died"; done
  fi
  stop_brokers
  touch "$out.bench.out"
  record "$scenario" "$setup" "$(tail -n 1 "$out.bench.out")" "$error"
}

# ---- environment for the report ----------------------------------------------------------------
starling_flags="${STARLING_JAVA_OPTS:-${STARLING_BROKER_JAVA_OPTS:-}}"
[ -n "$starling_flags" ] || starling_flags="$(sed -n 's/^ *default_opts="\(.*\)"$/\1/p' bin/starling | head -n 1) (bin/starling's broker defaults)"
starling_rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && starling_rev="$starling_rev with local changes"
python3 -c 'import json, sys
json.dump(dict(arg.split("=", 1) for arg in sys.argv[2:]), open(sys.argv[1], "w"), indent=1)' "$results/environment.json" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" "nproc=$cores" \
  "cpu=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" "kernel=$(uname -r)" \
  "load=$(cut -d' ' -f1-3 /proc/loadavg)" \
  "warmup=$warmup" "duration=$duration" "nodes=$nodes" "pin=$pin" "bench_opts=${BENCH_OPTS:-}" \
  "broker_cores=$(broker_cores 0)$([ "$pin" = spread ] && echo " to $((nodes - 1)), one per node")" "bench_cores=${bench_cores:-any}" \
  "starling=$(bin/starling --version 2>/dev/null | head -n 1), commit $starling_rev" \
  "java=$(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -n 1)" "flags=$starling_flags"

# ---- run: per scenario the single node, then the cluster, minutes apart at most -----------------
for scenario in $scenarios; do
  echo "  $scenario on 1 node" >&2
  run "$scenario" single
  echo "  $scenario on $nodes nodes" >&2
  run "$scenario" cluster
done
fi

# ---- report ------------------------------------------------------------------------------------
python3 - "$results" <<'PY' | tee "$results/report.md"
import json, sys

results = sys.argv[1]
env = json.load(open(results + "/environment.json"))
runs = {}
order = []
with open(results + "/runs.jsonl") as lines:
    for line in lines:
        run = json.loads(line)
        runs[(run["scenario"], run["setup"])] = run
        if run["scenario"] not in order:
            order.append(run["scenario"])
LABELS = {"fanin0": "fan-in QoS 0, 8 publishers", "fanin1": "fan-in QoS 1, 8 publishers",
          "fanout0": "fan-out QoS 0, 50 subscribers", "pairs1": "100 pairs QoS 1"}
nodes = int(env["nodes"])


def ok(run):
    return run is not None and run["result"] is not None and not run["error"]


def lossy(run):
    r = run and run["result"]
    return bool(r) and bool(r.get("lost") or r.get("duplicated"))


def rate(run):
    if not ok(run):
        return "failed" if run else "not run"
    text = f"{run['result']['rate']:,.0f}"
    return text + (f" ⚠ {run['result']['lost']:,} lost" if lossy(run) else "")


print(f"Run {env['date']}: {env['nproc']} cores ({env['cpu']}), Linux {env['kernel']}, load {env['load']} at the start; "
      f"warm-up {env['warmup']}, measured {env['duration']}, 64-byte payloads; {nodes} nodes on loopback; "
      f"pinning {env['pin']}: brokers on core(s) {env['broker_cores']}, bench on {env['bench_cores']}"
      + (f"; bench options {env['bench_opts']}" if env.get("bench_opts") else "") + ".")
print(f"- Starling: {env['starling']}; {env['java']}; flags {env['flags']}; default configuration (persistence on)")
if env["pin"] == "shared":
    print(f"- The single node and all {nodes} cluster nodes share the same broker core(s): the ratio is throughput per "
          "broker core, and the cost is what forwarding takes from it. This is not scaling.")
elif env["pin"] == "spread":
    print(f"- Each node has a core, the single node one: the ratio is the scaling from 1 to {nodes} cores "
          f"(efficiency = ratio / {nodes}).")
print()
print("Deliveries per second over the measured interval. ratio = cluster total / single node; "
      "forwarding cost = 1 − ratio. Forwarded = deliveries whose publisher was on another node.")
print()
print(f"| scenario | single node | cluster total | ratio | forwarding cost | forwarded | per node: in / out |")
print("|---|---|---|---|---|---|---|")
for scenario in order:
    single, cluster = runs.get((scenario, "single")), runs.get((scenario, "cluster"))
    ratio = cost = forwarded = per_node = "–"
    if ok(single) and ok(cluster) and single["result"]["rate"] > 0:
        r = cluster["result"]["rate"] / single["result"]["rate"]
        ratio, cost = f"{r:.2f}×", f"{(1 - r) * 100:.0f} %"
    if ok(cluster):
        c = cluster["result"]
        if c.get("expected"):
            forwarded = f"{100 * c.get('crossing', 0) / c['expected']:.0f} %"
        per_node = "; ".join(f"{b['send_rate']:,.0f} / {b['rate']:,.0f}" for b in c.get("brokers", []))
    print(f"| {LABELS.get(scenario, scenario)} | {rate(single)} | {rate(cluster)} | {ratio} | {cost} | {forwarded} | {per_node} |")
print()
print("Per node (cluster runs): publishers/subscribers connected, messages taken in from its publishers and "
      "deliveries out to its subscribers, per second:")
print()
for scenario in order:
    cluster = runs.get((scenario, "cluster"))
    if not ok(cluster):
        continue
    parts = [f"node {i} ({b['broker']}): {b['publishers']} pub / {b['subscribers']} sub, in {b['send_rate']:,.0f}, "
             f"out {b['rate']:,.0f}" for i, b in enumerate(cluster["result"].get("brokers", []))]
    print(f"- {LABELS.get(scenario, scenario)}: " + "; ".join(parts))
errors = [f"{s} ({setup}): {run['error']}" for (s, setup), run in runs.items() if run["error"]]
if errors:
    print()
    print("Errors: " + "; ".join(errors))
PY
echo
echo "raw JSON lines: $results/runs.jsonl (bench output and broker logs beside it)"
