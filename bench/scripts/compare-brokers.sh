#!/usr/bin/env bash
# Starling, Mosquitto and HiveMQ CE side by side: throughput, QoS 1 latency and memory per idle
# connection, each broker pinned to core 0 with taskset and driven by `bin/starling bench` pinned
# to core 1. Every scenario starts a fresh broker, so one scenario's leftovers (queues, garbage,
# sockets in TIME_WAIT) cannot affect the next; the three brokers run one after the other within a
# scenario so that the ratios compare runs made minutes, not a quarter of an hour, apart.
#
#   bench/scripts/compare-brokers.sh [-V VERSION[,VERSION...]] [WARMUP] [DURATION]   (default -V 311, 2s 5s)
#
# -V VERSION (also --protocol VERSION) is the MQTT version every bench invocation speaks, with
# every broker (Mosquitto and HiveMQ CE speak 5.0 too), in the bench's spellings: 311 or mqttv311
# (3.1.1, the default), 5 or mqttv5 (5.0), 31 or mqttv31 (3.1). Several versions, comma-separated
# or with -V repeated (-V 311,5), run every scenario in each of them, the brokers one after the
# other within a version, so that 5.0 and 3.1.1 compare within one run; the report has a row per
# scenario and version, labelled with it. In 5.0 a broker's Receive Maximum caps the bench's
# in-flight window (Mosquitto's default is 20, where the bench asks 64): the raw JSON's scenario
# says so.
#
# Needs cli/target/starling.jar (./mvnw -q -DskipTests package), the HiveMQ CE launcher
# (./mvnw -q -Ppeers -pl bench-peers -am package -DskipTests) and two cores; installs Mosquitto
# with apt-get if it is missing. Traffic stays on 127.0.0.1. Every command runs under `timeout`,
# a watchdog ends the whole script after the worst-case total it prints first, and the exit trap
# stops every broker and bench it started.
#
# Environment: CONNS (idle connections for the memory row, default 10000), BURST_CONNS (the warm-up
# burst before the memory baseline, default 1000; see the note at run_rss), BASE_PORT (brokers
# listen on BASE_PORT, +1, +2; default 28861), RESULTS (directory for the raw JSON lines and broker
# logs, default /tmp/compare-brokers-<timestamp>), BROKERS (default "starling mosquitto hivemq"),
# SCENARIOS (default "fanin0 fanin1 fanout0 pairs1 latency1 rss"), HIVEMQ_JAVA (java for HiveMQ,
# default $JAVA_HOME/bin/java or java, as bin/starling does), STARLING_BROKER_JAVA_OPTS (JVM flags
# of the Starling broker instead of bin/starling's defaults), REPORT_FROM (a results directory:
# print its report again without running anything), LATENCY_WARMUP, LATENCY_DURATION and
# LATENCY_BENCH_JAVA_OPTS (the latency row's warm-up, default 30s, measured time, default 30s, and
# bench JVM flags, default C1 only; see latency_bench_opts).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
# protocol_of SPELLING: "LABEL BENCH-VALUE FILE-TAG" for one of the bench's -V spellings; fails for others
protocol_of() {
  case "${1,,}" in
    5 | mqttv5 | 5.0) echo "5.0 mqttv5 -v5" ;;
    311 | mqttv311 | 3.1.1 | 4) echo "3.1.1 mqttv311 -" ;;
    31 | mqttv31 | 3.1 | 3) echo "3.1 mqttv31 -v31" ;;
    *) return 1 ;;
  esac
}
protocol_args=()
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    -V | --protocol | --protocol-version)
      [ $# -ge 2 ] || { echo "compare-brokers: $1 needs a version (311, 5 or 31)" >&2; exit 2; }
      protocol_args+=("$2"); shift 2 ;;
    --protocol=* | --protocol-version=*) protocol_args+=("${1#*=}"); shift ;;
    -V?*) protocol_args+=("${1#-V}"); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; positional+=("$@"); break ;;
    -*) echo "compare-brokers: unknown option $1 (see $0 --help)" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#protocol_args[@]} -eq 0 ] && protocol_args=(311)
# protocols: the labels (3.1.1, 5.0, 3.1) in the order given, each once
protocols=""
for arg in "${protocol_args[@]}"; do
  for spelling in ${arg//,/ }; do
    if ! read -r label _ _ < <(protocol_of "$spelling"); then
      echo "compare-brokers: the protocol version is 311, 5 or 31 (or mqttv311, mqttv5, mqttv31), not '$spelling'" >&2
      exit 2
    fi
    [[ " $protocols " == *" $label "* ]] || protocols="${protocols:+$protocols }$label"
  done
done
[ -n "$protocols" ] || { echo "compare-brokers: -V names no version" >&2; exit 2; }
warmup="${positional[0]:-2s}"
duration="${positional[1]:-5s}"
conns="${CONNS:-10000}"
burst_conns="${BURST_CONNS:-$((conns < 1000 ? conns : 1000))}"
# Below Linux's default ephemeral range (32768-60999), so no client socket of the bench can take them.
base_port="${BASE_PORT:-28861}"
brokers="${BROKERS:-starling mosquitto hivemq}"
scenarios="${SCENARIOS:-fanin0 fanin1 fanout0 pairs1 latency1 rss}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
results="${RESULTS:-/tmp/compare-brokers-$stamp}"
java_cmd="java"
[ -n "${JAVA_HOME:-}" ] && java_cmd="$JAVA_HOME/bin/java"
hivemq_java="${HIVEMQ_JAVA:-$java_cmd}"
drain_s=5           # the bench's default --drain
conn_hold=30s       # how long the measured idle connections are held (we stop the bench earlier)
stop_wait_s=15      # SIGTERM, then SIGKILL after this long
start_wait_s=60     # a broker must listen within this

if [ -n "${REPORT_FROM:-}" ]; then
  # only print the report of an earlier run's results directory
  results="$REPORT_FROM"
else
# ---- preconditions: build nothing, say exactly what to build ----------------------------------
missing=0
if [ ! -f cli/target/starling.jar ]; then
  echo "missing cli/target/starling.jar; build it with: (cd '$repo' && ./mvnw -q -DskipTests package)" >&2
  missing=1
fi
if [[ " $brokers " == *" hivemq "* ]] && { [ ! -f bench-peers/target/classes/io/starling/bench/peers/HiveMqPeer.class ] \
    || ! compgen -G 'bench-peers/target/lib/hivemq-community-edition-embedded-*.jar' >/dev/null; }; then
  echo "missing the HiveMQ CE launcher; build it with: (cd '$repo' && ./mvnw -q -Ppeers -pl bench-peers -am package -DskipTests)" >&2
  missing=1
fi
[ "$missing" = 0 ] || exit 1
if [[ " $brokers " == *" mosquitto "* ]] && ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
  echo "mosquitto is missing: installing it with apt-get install -y mosquitto"
  timeout 300 apt-get install -y mosquitto >/dev/null \
    || { timeout 300 apt-get update >/dev/null && timeout 300 apt-get install -y mosquitto >/dev/null; }
fi
mosquitto_cmd="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
for tool in taskset ss python3 timeout; do
  command -v "$tool" >/dev/null || { echo "compare-brokers: needs $tool" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || echo "warning: fewer than 2 cores; broker and bench will share core 0" >&2

# ---- time budget -------------------------------------------------------------------------------
seconds() { python3 -c '
import re, sys
m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", sys.argv[1])
if not m: sys.exit("not a duration: " + sys.argv[1])
print(float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)])' "$1"; }
warmup_s="$(seconds "$warmup")"
duration_s="$(seconds "$duration")"
# every scenario runs once per protocol version
read -r n_brokers n_pubsub n_rss < <(python3 -c 'import sys
b, s, v = sys.argv[1].split(), sys.argv[2].split(), len(sys.argv[3].split())
print(len(b), v * len([x for x in s if x != "rss"]), v if "rss" in s else 0)' "$brokers" "$scenarios" "$protocols")
# The latency row measures a sender that must not stall: on its one core, the bench's C2 compiler
# threads preempt the event loop for milliseconds at a time (measured: p99 2 to 3 ms against every
# broker, Mosquitto included, with C2; 0.3 to 1.4 ms with C1 only, which compiles in microseconds).
# So that row runs the bench with C1 only; its rate is low, so the bench is nowhere near its limit.
# The bench also busy-polls (--busy-poll): waking a sleeping event loop cost it about 65 us of every
# round trip (p50 105 us against 38 us polling, the same for Mosquitto and Starling), which is the
# bench's latency, not the broker's. And the row warms up longer (LATENCY_WARMUP, default 30s): at
# 10,000 msg/s a JVM broker on one core still compiles methods 20 s after the traffic started.
# It also measures longer (LATENCY_DURATION, default 30s): on this kind of machine 0.75 to 1.3 % of
# the messages of any broker wait out a stall of the virtual CPU, so the p99 falls on the edge of
# that noise, and in 5 s (50,000 messages, the 500 slowest) one stall more or less moves it by
# hundreds of microseconds.
latency_warmup="${LATENCY_WARMUP:-30s}"
latency_duration="${LATENCY_DURATION:-30s}"
latency_bench_opts="${LATENCY_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms1g -Xmn768m -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1}"
latency_extra_s="$(python3 -c "import math; print(max(0, math.ceil($(seconds "$latency_warmup") - $warmup_s))
    + max(0, math.ceil($(seconds "$latency_duration") - $duration_s)))")"
pubsub_timeout="$(python3 -c "import math; print(math.ceil($warmup_s + $duration_s + $drain_s + 30))")"
read -r expected worst < <(python3 -c "
b, p, r = $n_brokers, $n_pubsub, $n_rss
typical_run = $warmup_s + $duration_s + 6       # broker start and stop, bench JVM start, drain
typical_rss = 34                               # burst, idle wait, $conns connects, settle
worst_run = $start_wait_s + $pubsub_timeout + $stop_wait_s
worst_rss = $start_wait_s + 70 + 30 + 130 + 13 + $stop_wait_s
extra = $latency_extra_s * len('$protocols'.split()) if 'latency1' in '$scenarios'.split() else 0
print(round(b * (p * typical_run + r * typical_rss + extra)), round(b * (p * worst_run + r * worst_rss + extra) + 60))")
echo "compare-brokers: brokers [$brokers], scenarios [$scenarios], MQTT [$protocols], warm-up $warmup, measured $duration;"
echo "expected total about ${expected} s; the watchdog stops everything after ${worst} s."

# ---- clean-up ----------------------------------------------------------------------------------
# fd 3 is the script's own standard error: a trap can run inside `bounded ... 2>file`, whose
# redirection would otherwise swallow what the trap and the clean-up say.
exec 3>&2
mkdir -p "$results"
work="$(mktemp -d "${TMPDIR:-/tmp}/compare-brokers.XXXXXX")"
broker_pid=""
broker_name=""
conn_pid=""
fg_pid=""
watchdog_pid=""
# is_running and stop_pid
source bench/scripts/lib/processes.sh
cleanup() {
  set +e # clean up as much as possible, whatever fails
  [ -n "$fg_pid" ] && stop_pid "$fg_pid" "bench"
  [ -n "$conn_pid" ] && stop_pid "$conn_pid" "bench conn"
  [ -n "$broker_pid" ] && stop_pid "$broker_pid" "$broker_name"
  [ -n "$watchdog_pid" ] && kill "$watchdog_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# bounded COMMAND...: runs it and waits for it. In the background, because bash runs a trap only
# after a foreground command ends, while `wait` returns at once on SIGTERM or Ctrl-C.
bounded() {
  local rc=0
  "$@" 3>&- &
  fg_pid=$!
  wait "$fg_pid" || rc=$?
  fg_pid=""
  return "$rc"
}
trap 'echo "compare-brokers: stopped" >&3; exit 143' TERM INT
# A bounded loop rather than one long sleep, so that no sleep outlives the script.
( for ((i = 0; i < worst; i++)); do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
  echo "compare-brokers: over ${worst} s, stopping" >&2; kill -TERM $$ ) 3>&- &
watchdog_pid=$!

# ---- brokers -----------------------------------------------------------------------------------
port_of() { case "$1" in starling) echo "$base_port" ;; mosquitto) echo $((base_port + 1)) ;; hivemq) echo $((base_port + 2)) ;; esac; }
listening() { [ -n "$(ss -Htln "( sport = :$1 )")" ]; }

# HiveMQ CE with the JVM options of its own bin/run.sh, minus remote JMX (it opens port 9010 on
# every interface without authentication) and -Dhivemq.home (the embedded API gets its folders).
hivemq_opts() {
  echo "-Djava.net.preferIPv4Stack=true" \
    "--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED" \
    "--add-opens java.base/sun.nio.ch=ALL-UNNAMED" \
    "--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED" \
    "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED" \
    "-Djava.security.egd=file:/dev/./urandom" \
    "-XX:+CrashOnOutOfMemoryError -XX:+HeapDumpOnOutOfMemoryError" \
    "-XX:HeapDumpPath=$1/heap-dump.hprof -XX:ErrorFile=$1/hs_err_pid%p.log"
}

# start_broker NAME LOG: a fresh broker on its port, pinned to core 0; sets broker_pid to the
# broker's own process (exec all the way down, so that /proc/PID is the JVM or mosquitto).
start_broker() {
  local name="$1" log="$2" port dir
  port="$(port_of "$name")"
  if listening "$port"; then
    echo "compare-brokers: port $port is already in use; set BASE_PORT" >&2
    return 1
  fi
  dir="$(mktemp -d "$work/$name.XXXXXX")"
  case "$name" in
    starling)
      # Default configuration but the port; it writes ./data, hence its own working directory.
      (cd "$dir" && exec taskset -c 0 "$repo/bin/starling" broker -p "$port") >"$log" 2>&1 &
      ;;
    mosquitto)
      printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$dir/mosquitto.conf"
      taskset -c 0 "$mosquitto_cmd" -c "$dir/mosquitto.conf" >"$log" 2>&1 &
      ;;
    hivemq)
      # shellcheck disable=SC2046
      taskset -c 0 "$hivemq_java" $(hivemq_opts "$dir") \
        -cp "$repo/bench-peers/target/classes:$repo/bench-peers/target/lib/*" \
        io.starling.bench.peers.HiveMqPeer "$port" >"$log" 2>&1 &
      ;;
  esac
  broker_pid=$!
  broker_name="$name"
  local i
  for ((i = 0; i < start_wait_s * 10; i++)); do
    listening "$port" && break
    is_running "$broker_pid" || break
    sleep 0.1
  done
  if ! listening "$port"; then
    echo "compare-brokers: $name did not listen on $port; see $log" >&2
    stop_pid "$broker_pid" "$name"; broker_pid=""
    return 1
  fi
  # The memory row reads /proc/PID of this process, so it must be the broker, not a wrapper.
  local comm
  comm="$(cat "/proc/$broker_pid/comm" 2>/dev/null || echo gone)"
  case "$comm" in
    java | mosquitto) ;;
    *) echo "compare-brokers: warning: $name runs as '$comm' (pid $broker_pid), not the broker itself" >&2 ;;
  esac
}
stop_broker() { [ -n "$broker_pid" ] && stop_pid "$broker_pid" "$broker_name"; broker_pid=""; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
connections() { ss -Htn state "$1" "( sport = :$2 )" | wc -l; }
busy_connections() { ss -Htn state connected exclude time-wait "( sport = :$1 )" | wc -l; }

# record BROKER SCENARIO JSON-OR-EMPTY ERROR: one line of runs.jsonl, for the protocol version being run
record() {
  python3 -c '
import json, sys
broker, scenario, raw, error, protocol = sys.argv[1:6]
try:
    result = json.loads(raw) if raw.strip() else None
except ValueError:
    result, error = None, (error + "; " if error else "") + "unparseable output: " + raw[:200]
print(json.dumps({"broker": broker, "scenario": scenario, "protocol": protocol, "result": result,
                  "error": error or None}))' \
    "$@" "$protocol" >>"$results/runs.jsonl"
}

# use_protocol LABEL: the version the next runs speak: sets protocol (3.1.1, 5.0, 3.1), the bench's
# -V value, and the tag in result file names (none for 3.1.1, so its names are what they always were)
use_protocol() {
  local value tag
  read -r protocol value tag < <(protocol_of "$1")
  protocol_opt=(-V "$value")
  file_tag="${tag#-}"
  file_tag="${file_tag:+-$file_tag}"
}

# ---- scenarios ---------------------------------------------------------------------------------
scenario_options() {
  case "$1" in
    fanin0) echo "--shape fan-in --publishers 8 -q 0" ;;
    fanin1) echo "--shape fan-in --publishers 8 -q 1" ;;
    fanout0) echo "--shape fan-out --subscribers 50 -q 0" ;;
    pairs1) echo "--shape pairs --publishers 100 -q 1" ;;
    latency1) echo "--shape fan-in --publishers 8 -q 1 --rate 10000 --busy-poll" ;;
    *) echo "compare-brokers: unknown scenario $1" >&2; return 1 ;;
  esac
}

run_pubsub() { # BROKER SCENARIO
  local broker="$1" scenario="$2" port out error=""
  port="$(port_of "$broker")"
  out="$results/$scenario$file_tag-$broker"
  if ! start_broker "$broker" "$out.broker.log"; then
    record "$broker" "$scenario" "" "broker did not start"; return 0
  fi
  local run_warmup="$warmup" run_duration="$duration" bench_opts=()
  if [ "$scenario" = latency1 ]; then
    # See latency_bench_opts: a longer warm-up and run, and a bench whose JIT does not stall its sender.
    run_warmup="$latency_warmup"
    run_duration="$latency_duration"
    bench_opts=(env "STARLING_JAVA_OPTS=$latency_bench_opts")
  fi
  # shellcheck disable=SC2046
  bounded timeout "$((pubsub_timeout + latency_extra_s))" "${bench_opts[@]}" taskset -c 1 bin/starling bench pubsub \
      -h 127.0.0.1 -p "$port" "${protocol_opt[@]}" -s 64 $(scenario_options "$scenario") --warmup "$run_warmup" --duration "$run_duration" \
      --json --quiet >"$out.bench.out" 2>"$out.bench.err" || error="bench exited with $?"
  # the bench says why in one line (a 5.0 refusal names its reason code)
  [ -n "$error" ] && [ -s "$out.bench.err" ] && error="$error: $(tail -n 1 "$out.bench.err" | cut -c 1-300)"
  is_running "$broker_pid" || error="${error:+$error; }broker died"
  stop_broker
  tail -n 1 "$out.bench.out" >"$out.json"
  record "$broker" "$scenario" "$(cat "$out.json")" "$error"
}

run_rss() { # BROKER
  local broker="$1" port out error="" before after established=0 i source_opt=()
  port="$(port_of "$broker")"
  out="$results/rss$file_tag-$broker"
  if [ "$conns" -gt 25000 ]; then
    if bin/starling bench conn --help | grep -q -- '--source-address'; then
      source_opt=(--source-address 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4)
    else
      echo "  warning: $conns connections from one source address may run out of local ports" >&2
    fi
  fi
  if ! start_broker "$broker" "$out.broker.log"; then
    record "$broker" rss "" "broker did not start"; return 0
  fi
  # Warm-up burst, opened and closed before the baseline is read, so that class loading, JIT and
  # buffer pools are not counted per connection. Memory a broker keeps after the burst (a JVM's
  # committed heap, glibc's free lists in Mosquitto) is then reused by the measured connections:
  # a burst as large as CONNS hides up to all of the per-connection cost (Mosquitto then shows
  # 0.00 KiB), so the default burst is 1000, a tenth of the default CONNS.
  bounded timeout 70 taskset -c 1 bin/starling bench conn -h 127.0.0.1 -p "$port" "${protocol_opt[@]}" -c "$burst_conns" "${source_opt[@]}" \
      --duration 3s --json --quiet >"$out.warmup.out" 2>"$out.warmup.err" || error="warm-up burst exited with $?"
  for ((i = 0; i < 300; i++)); do [ "$(busy_connections "$port")" = 0 ] && break; sleep 0.1; done
  [ "$(busy_connections "$port")" = 0 ] || error="${error:+$error; }connections still open after the burst"
  # let the broker finish the clean-up the closes started, and Starling trim its native heap once
  # quiet (1 to 2 s after the last close): the baseline then holds what the burst left for good
  sleep 3
  before="$(rss_kib "$broker_pid")"
  timeout 130 taskset -c 1 bin/starling bench conn -h 127.0.0.1 -p "$port" "${protocol_opt[@]}" -c "$conns" "${source_opt[@]}" \
      --duration "$conn_hold" --json --quiet >"$out.bench.out" 2>"$out.bench.err" 3>&- &
  conn_pid=$!
  for ((i = 0; i < 1200; i++)); do
    established="$(connections established "$port")"
    [ "$established" -ge "$conns" ] && break
    is_running "$conn_pid" || break
    sleep 0.1
  done
  # settle: accepted, CONNACKed, any per-connection lazy state created, and what the storm left behind
  # given back. A JVM's JIT goes on compiling for a few seconds after a storm and frees its memory
  # when done: Starling's RSS fell by about 17 MB between 1 and 4 s after the 10,000th connection,
  # so a reading at 3 s was 1.1 or 2.8 KiB per connection by chance.
  sleep 10
  established="$(connections established "$port")"
  after="$(rss_kib "$broker_pid")"
  [ "$established" -ge "$conns" ] || error="${error:+$error; }only $established of $conns connections established"
  is_running "$broker_pid" || error="${error:+$error; }broker died"
  stop_pid "$conn_pid" "bench conn"; conn_pid=""
  stop_broker
  if [ -z "$before" ] || [ -z "$after" ]; then
    record "$broker" rss "" "${error:-no RSS reading}"; return 0
  fi
  record "$broker" rss "$(python3 -c 'import json, sys
b, a, n, c = (int(x) for x in sys.argv[1:5])
print(json.dumps({"command": "rss", "connections": c, "established": n, "rss_before_kib": b,
    "rss_after_kib": a, "kib_per_connection": (a - b) / c}))' "$before" "$after" "$established" "$conns")" "$error"
}

# ---- environment for the report ----------------------------------------------------------------
java_version() { "$1" -version 2>&1 | head -n 1; }
# the broker's flags: the overrides bin/starling reads, else the first default it lists (the broker's)
starling_flags="${STARLING_JAVA_OPTS:-${STARLING_BROKER_JAVA_OPTS:-}}"
if [ -z "$starling_flags" ]; then
  starling_flags="$(sed -n 's/^ *default_opts="\(.*\)"$/\1/p' bin/starling | head -n 1) (bin/starling's broker defaults)"
fi
starling_rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && starling_rev="$starling_rev with local changes"
hivemq_jar="$(compgen -G 'bench-peers/target/lib/hivemq-community-edition-embedded-*.jar' | head -n 1 || true)"
hivemq_version="${hivemq_jar##*-embedded-}"
python3 -c 'import json, sys
pairs = (arg.split("=", 1) for arg in sys.argv[2:])
json.dump({key: value for key, value in pairs}, open(sys.argv[1], "w"), indent=1)' "$results/environment.json" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
  "nproc=$(nproc)" \
  "cpu=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  "kernel=$(uname -r)" \
  "warmup=$warmup" "duration=$duration" "conns=$conns" "burst_conns=$burst_conns" "protocols=$protocols" \
  "latency_warmup=$latency_warmup" "latency_duration=$latency_duration" \
  "starling=$(bin/starling --version 2>/dev/null | head -n 1), commit $starling_rev" \
  "starling_java=$(java_version "$java_cmd")" \
  "starling_flags=$starling_flags" \
  "mosquitto=$("$mosquitto_cmd" -h 2>/dev/null | head -n 1)" \
  "hivemq=HiveMQ CE ${hivemq_version%.jar} (embedded, in-memory persistence)" \
  "hivemq_java=$(java_version "$hivemq_java")" \
  "hivemq_flags=$(hivemq_opts '<tmp>')"

# ---- run ---------------------------------------------------------------------------------------
for scenario in $scenarios; do
  for version in $protocols; do
    use_protocol "$version"
    for broker in $brokers; do
      echo "  $scenario on $broker, MQTT $protocol" >&2
      if [ "$scenario" = rss ]; then run_rss "$broker"; else run_pubsub "$broker" "$scenario"; fi
    done
  done
done

fi

# ---- report: one markdown table, then the message accounting -----------------------------------
python3 - "$results" <<'PY' | tee "$results/report.md"
import json, sys

results = sys.argv[1]
env = json.load(open(results + "/environment.json"))
runs = {}
protocols = []
with open(results + "/runs.jsonl") as lines:
    for line in lines:
        run = json.loads(line)
        # results from before -V have no protocol: they are 3.1.1
        protocol = run.get("protocol") or "3.1.1"
        if protocol not in protocols:
            protocols.append(protocol)
        runs[(run["scenario"], protocol, run["broker"])] = run

conns = int(env["conns"])
# scenario, label, metric, better, (target ratio, absolute bound).
# The issue gives each row's target against the best peer's reference figure: 480 k against
# HiveMQ's 320 k, 105 k against 70 k, 530 k against 355 k, 105 k against 70 k, a p99 of 1 ms
# against HiveMQ's 1.3 ms, and 2 KiB against Mosquitto's 0.7 KiB. The same ratio is applied here to
# the best peer measured in this run (the higher rate, the lower latency or memory), so the
# target moves with the machine; latency and memory also have the issue's absolute bound.
ROWS = [
    ("fanin0", "fan-in QoS 0, 8 publishers, msgs/s", "rate", "higher", (480 / 320, None)),
    ("fanin1", "fan-in QoS 1, 8 publishers, msgs/s", "rate", "higher", (105 / 70, None)),
    ("fanout0", "fan-out QoS 0, 50 subscribers, deliveries/s", "rate", "higher", (530 / 355, None)),
    ("pairs1", "100 pairs QoS 1, msgs/s", "rate", "higher", (105 / 70, None)),
    ("latency1", "QoS 1 at 10,000 msgs/s, p99 latency", "p99", "lower", (1 / 1.3, 1000.0)),
    ("rss", f"RSS per idle connection, {conns:,} connections after a burst of {int(env['burst_conns']):,}",
     "rss", "lower", (2 / 0.7, 2.0)),
]
PEERS = [("mosquitto", "Mosquitto"), ("hivemq", "HiveMQ CE"), ("starling", "Starling")]


def value(run, metric):
    if run is None or run["result"] is None or run["error"]:
        return None
    result = run["result"]
    if metric == "rate":
        return result["rate"]
    if metric == "p99":
        return result["latency_us"]["p99"]
    return result["kib_per_connection"]


def lossy(run):
    result = run and run["result"]
    return bool(result) and bool(result.get("lost") or result.get("duplicated"))


def show(number, metric):
    if metric == "rate":
        return f"{number:,.0f}"
    if metric == "p99":
        return f"{number / 1000:.2f} ms" if number >= 1000 else f"{number:.0f} µs"
    return f"{number:.2f} KiB"


def cell(run, metric):
    if run is None:
        return "not run"
    number = value(run, metric)
    if number is None:
        return "failed"
    text = show(number, metric)
    if lossy(run):
        text += " ⚠ " + ", ".join(f"{run['result'][k]:,} {k}" for k in ("lost", "duplicated") if run["result"][k])
    return text


print(f"Run {env['date']}: {env['nproc']} cores ({env['cpu']}), Linux {env['kernel']}; "
      f"MQTT {' and '.join(protocols) or env.get('protocols', '3.1.1')}; "
      f"warm-up {env['warmup']}, measured {env['duration']} (latency row: "
      f"{env.get('latency_warmup', '?')} and {env.get('latency_duration', env['duration'])}), 64-byte payloads; "
      f"broker pinned to core 0, bench to core 1.")
print(f"- Starling: {env['starling']}; {env['starling_java']}; flags {env['starling_flags']}")
print(f"- Mosquitto: {env['mosquitto']} (listener on 127.0.0.1, anonymous, no persistence)")
print(f"- HiveMQ CE: {env['hivemq']}; {env['hivemq_java']}; flags {env['hivemq_flags']}")
print()
print("| scenario | Mosquitto | HiveMQ CE | Starling | Starling/Mosquitto | Starling/HiveMQ | target | met? |")
print("|---|---|---|---|---|---|---|---|")
ROWS = [(scenario, protocol, f"{label}, MQTT {protocol}", metric, better, target)
        for scenario, label, metric, better, target in ROWS for protocol in protocols]
for scenario, protocol, label, metric, better, (target_ratio, bound) in ROWS:
    if not any((scenario, protocol, broker) in runs for broker, _ in PEERS):
        continue
    cells = {broker: runs.get((scenario, protocol, broker)) for broker, _ in PEERS}
    values = {broker: value(run, metric) for broker, run in cells.items()}
    starling = values["starling"]
    sign = "≥" if better == "higher" else "≤"
    ratios, verdicts = [], []
    for peer in ("mosquitto", "hivemq"):
        ratios.append("–" if starling is None or not values[peer] else f"{starling / values[peer]:.2f}×")
    measured = [values[peer] for peer in ("mosquitto", "hivemq") if values[peer]]
    best_name = None
    targets = []
    if measured:
        best = max(measured) if better == "higher" else min(measured)
        best_name = "M" if values["mosquitto"] == best else "H"
        target = best * target_ratio
        targets.append(f"{sign} {target_ratio:.2f}× {best_name} = {show(target, metric)}")
        if starling is not None:
            verdicts.append(starling >= target if better == "higher" else starling <= target)
    if len(measured) < 2:
        verdicts.append(None)
    if bound is not None:
        targets.append(f"≤ {show(bound, metric)}")
        if starling is not None:
            verdicts.append(starling <= bound)
    if starling is None:
        met = "n/a"
    elif lossy(cells["starling"]):
        met = "no (lost messages)"
    elif False in verdicts:
        met = "no"
    elif None in verdicts:
        met = "? (a peer failed)"
    else:
        met = "yes"
    print(f"| {label} | {cell(cells['mosquitto'], metric)} | {cell(cells['hivemq'], metric)} | "
          f"{cell(cells['starling'], metric)} | {ratios[0]} | {ratios[1]} | {', '.join(targets)} | {met} |")

print()
print("Accounting per cell (lost / duplicated messages; memory row: connections established):")
print()
print("| scenario | Mosquitto | HiveMQ CE | Starling |")
print("|---|---|---|---|")
for scenario, protocol, label, metric, _, _ in ROWS:
    if not any((scenario, protocol, broker) in runs for broker, _ in PEERS):
        continue
    row = []
    for broker, _ in PEERS:
        run = runs.get((scenario, protocol, broker))
        result = run and run["result"]
        if not result:
            row.append("–")
        elif metric == "rss":
            row.append(f"{result['established']:,} of {result['connections']:,}, "
                       f"RSS {result['rss_before_kib']:,} → {result['rss_after_kib']:,} KiB")
        else:
            mark = " ⚠" if lossy(run) else ""
            row.append(f"{result['lost']:,} / {result['duplicated']:,}{mark}")
    print(f"| {label} | " + " | ".join(row) + " |")
errors = [f"{scenario} on {broker}, MQTT {protocol}: {run['error']}"
          for (scenario, protocol, broker), run in runs.items() if run["error"]]
if errors:
    print()
    print("Errors: " + "; ".join(errors))
PY
echo
echo "raw JSON lines: $results/runs.jsonl (bench output and broker logs beside it)"
