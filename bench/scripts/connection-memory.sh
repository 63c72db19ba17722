#!/usr/bin/env bash
# Memory per idle connection of the Starling broker.
#
# Usage: bench/scripts/connection-memory.sh [-V VERSION[,VERSION...]] [COUNT...]   (default: -V 311, 10000)
#
# -V VERSION (also --protocol VERSION) is the MQTT version of the bench's connections, in the
# bench's spellings: 311 or mqttv311 (3.1.1, the default), 5 or mqttv5 (5.0), 31 or mqttv31 (3.1).
# Several (-V 311,5, or -V repeated) measure each COUNT in each version, each on a fresh broker;
# every result is headed with its version.
#
# For each COUNT, on a fresh broker: start `bin/starling broker` pinned to core 0, warm it up with
# a burst of connections, wait until they are all gone, read the broker JVM's RSS and live heap,
# open COUNT idle connections (`bench conn`, pinned to core 1), wait until the broker has all of
# them established and the bench saw every CONNACK, read RSS and live heap again, and print both
# per connection. Live heap is the total of `jcmd PID GC.class_histogram` (it runs a full GC
# first, so only reachable objects count); the two histograms are kept, and the classes that grew
# most are printed per connection, so a change can be traced to the structure it shrank.
#
# Environment:
#   WARMUP=1000       connections in the warm-up burst. Kept small on purpose: a warm-up of COUNT
#                     connections would commit the heap for COUNT before the baseline and hide it
#                     from the RSS difference (the live heap figure is unaffected either way).
#   HOLD=120s         how long the bench holds the idle connections (must outlast the measurement)
#   KEEPALIVE=60      keep alive of the bench's CONNECTs, in seconds
#   TOP=25            classes shown in the per-class difference
#   STARLING_JAVA_OPTS  JVM flags for both processes, as bin/starling reads them
#   KEEP=1            keep the temporary directory (logs, histograms) and print where it is
#
# Limits: each process needs a file descriptor per connection, plus headroom. The script raises
# its soft limit up to the hard one and stops with what to raise when that is not enough. One
# local address has about 28k ephemeral ports toward one broker port, so above 25000 connections
# the bench spreads them over 127.0.0.1 to 127.0.0.4.
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd -P "$here/../.." && pwd)"

die() { echo "connection-memory: $*" >&2; exit 1; }

# protocol_of SPELLING: "LABEL BENCH-VALUE" for one of the bench's -V spellings; fails for others
protocol_of() {
  case "${1,,}" in
    5 | mqttv5 | 5.0) echo "5.0 mqttv5" ;;
    311 | mqttv311 | 3.1.1 | 4) echo "3.1.1 mqttv311" ;;
    31 | mqttv31 | 3.1 | 3) echo "3.1 mqttv31" ;;
    *) return 1 ;;
  esac
}
protocol_args=()
counts=()
while [ $# -gt 0 ]; do
  case "$1" in
    -V | --protocol | --protocol-version)
      [ $# -ge 2 ] || die "$1 needs a version (311, 5 or 31)"
      protocol_args+=("$2"); shift 2 ;;
    --protocol=* | --protocol-version=*) protocol_args+=("${1#*=}"); shift ;;
    -V?*) protocol_args+=("${1#-V}"); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see $0 --help)" ;;
    *) counts+=("$1"); shift ;;
  esac
done
[ ${#counts[@]} -eq 0 ] && counts=(10000)
[ ${#protocol_args[@]} -eq 0 ] && protocol_args=(311)
# protocols: the labels (3.1.1, 5.0, 3.1) in the order given, each once
protocols=""
for arg in "${protocol_args[@]}"; do
  for spelling in ${arg//,/ }; do
    read -r label _ < <(protocol_of "$spelling") \
      || die "the protocol version is 311, 5 or 31 (or mqttv311, mqttv5, mqttv31), not '$spelling'"
    [[ " $protocols " == *" $label "* ]] || protocols="${protocols:+$protocols }$label"
  done
done
[ -n "$protocols" ] || die "-V names no version"
warmup="${WARMUP:-1000}"
hold="${HOLD:-120s}"
keepalive="${KEEPALIVE:-60}"
top="${TOP:-25}"
headroom=512

for n in "${counts[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "COUNT must be a positive integer, not '$n'"
done
for tool in taskset ss jcmd java awk; do
  command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done
[ -f "$repo/cli/target/starling.jar" ] || die "build first: (cd '$repo' && ./mvnw -q -o -pl codec,store-rocksdb,broker,client,cli install -DskipTests)"
[ "$(nproc)" -ge 2 ] || echo "connection-memory: warning: fewer than 2 cores; broker and bench share core 0" >&2

# ---- file descriptors: both processes inherit this shell's limit ----
max=0
for n in "${counts[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
need=$((max + headroom))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  hard="$(ulimit -Hn)"
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    die "$max connections need about $need open files in each of the broker and the bench, but the hard limit is $hard.
  Raise it (as root, or in /etc/security/limits.conf: '* hard nofile $need'; for a systemd session:
  DefaultLimitNOFILE=$need), or run 'ulimit -Hn $need && ulimit -n $need' in a root shell, then run this again.
  With the current limit, counts up to $((hard - headroom)) work."
  fi
  ulimit -n "$need"
fi

# ---- a private copy of the launcher and jar, so that a rebuild during the run changes nothing ----
work="$(mktemp -d "${TMPDIR:-/tmp}/starling-connmem.XXXXXX")"
mkdir -p "$work/bin" "$work/cli/target" "$work/run"
cp "$repo/bin/starling" "$work/bin/starling"
cp "$repo/cli/target/starling.jar" "$work/cli/target/starling.jar"
starling="$work/bin/starling"

broker_pid=""
bench_pid=""
stop() {
  # only the two processes this script started, by their ids
  for pid in "$bench_pid" "$broker_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  bench_pid=""
  broker_pid=""
}
cleanup() {
  stop
  if [ "${KEEP:-0}" = 1 ]; then
    echo "connection-memory: logs and histograms kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port below the ephemeral range that nothing listens on.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if [ -z "$(ss -Htln "( sport = :$port )")" ]; then echo "$port"; return; fi
  done
  die "no free port found"
}

established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

# Waits (at most $2 seconds) until "$1" succeeds.
wait_for() {
  local condition="$1" seconds="$2" i
  for ((i = 0; i < seconds * 10; i++)); do
    if eval "$condition"; then return 0; fi
    sleep 0.1
  done
  return 1
}

rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# Live heap in bytes: the histogram's total, after the full GC the command itself runs.
live_heap() {
  local pid="$1" out="$2"
  jcmd "$pid" GC.run >/dev/null
  jcmd "$pid" GC.class_histogram >"$out"
  awk '$1 == "Total" { print $3 }' "$out"
}

# The classes whose live bytes grew most between two histograms, per connection.
class_growth() {
  local before="$1" after="$2" n="$3"
  awk -v n="$n" '
    FNR == 1 { file++ }
    $1 ~ /^[0-9]+:$/ { bytes[file, $4] = $3; count[file, $4] = $2; names[$4] = 1 }
    END {
      for (c in names) {
        d = bytes[2, c] - bytes[1, c]
        k = count[2, c] - count[1, c]
        if (d != 0) printf "%10.1f B %8.3f objects  %s\n", d / n, k / n, c
      }
    }' "$before" "$after" | sort -k1,1 -g -r | head -n "$top"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1024 }'; }

measure() { # COUNT VERSION-LABEL
  local n="$1" protocol="$2" version port run sources=""
  read -r _ version < <(protocol_of "$protocol")
  port="$(free_port)"
  run="$work/run/$n-$protocol"
  mkdir -p "$run"
  [ "$n" -gt 25000 ] && sources="--source-address 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4"

  (cd "$run" && exec taskset -c 0 "$starling" broker -p "$port" >"$run/broker.log" 2>&1) &
  broker_pid=$!
  wait_for "[ -n \"\$(ss -Htln '( sport = :$port )')\" ]" 60 \
    || { tail -n 20 "$run/broker.log" >&2; die "the broker did not listen on port $port within 60 s"; }
  # bin/starling and taskset exec the JVM, so the shell's child is the broker JVM itself
  wait_for "jcmd $broker_pid VM.uptime >/dev/null 2>&1" 30 || die "jcmd cannot attach to the broker (pid $broker_pid)"

  echo "== $n idle connections, MQTT $protocol (broker pid $broker_pid, port $port; warm-up $warmup)"
  taskset -c 1 "$starling" bench conn -p "$port" -h 127.0.0.1 -V "$version" -c "$warmup" --duration 3s --keepalive "$keepalive" \
    --quiet >"$run/warmup.log" 2>&1 || { cat "$run/warmup.log" >&2; die "the warm-up failed"; }
  wait_for "[ \$(established $port) -eq 0 ]" 60 || die "warm-up connections still open after 60 s"

  local rss0 heap0 rss1 heap1
  heap0="$(live_heap "$broker_pid" "$run/histogram-before.txt")"
  rss0="$(rss_bytes "$broker_pid")"

  # shellcheck disable=SC2086 # $sources is empty or two words
  (exec taskset -c 1 "$starling" bench conn -p "$port" -h 127.0.0.1 -V "$version" -c "$n" --duration "$hold" \
    --keepalive "$keepalive" $sources >"$run/bench.log" 2>&1) &
  bench_pid=$!
  local limit=$((60 + n / 500))
  if ! wait_for "[ \$(established $port) -ge $n ]" "$limit"; then
    tail -n 5 "$run/bench.log" >&2
    die "only $(established "$port") of $n connections established after $limit s"
  fi
  # established is TCP; the sessions exist once every CONNACK went out (the bench's progress line)
  if ! wait_for "grep -q ' conns $n\\b' '$run/bench.log'" 30; then
    tail -n 5 "$run/bench.log" >&2
    die "the bench did not report $n connections with CONNACK within 30 s"
  fi
  heap1="$(live_heap "$broker_pid" "$run/histogram-after.txt")"
  rss1="$(rss_bytes "$broker_pid")"
  local open
  open="$(established "$port")"
  [ "$open" -eq "$n" ] || echo "connection-memory: warning: $open connections established at the end, not $n" >&2

  local drss=$((rss1 - rss0)) dheap=$((heap1 - heap0))
  printf "RSS        %10.1f MiB -> %10.1f MiB   per connection %8d B (%s KiB)\n" \
    "$(awk -v b="$rss0" 'BEGIN { print b / 1048576 }')" "$(awk -v b="$rss1" 'BEGIN { print b / 1048576 }')" \
    $((drss / n)) "$(kib $((drss / n)))"
  printf "live heap  %10.1f MiB -> %10.1f MiB   per connection %8d B (%s KiB)\n" \
    "$(awk -v b="$heap0" 'BEGIN { print b / 1048576 }')" "$(awk -v b="$heap1" 'BEGIN { print b / 1048576 }')" \
    $((dheap / n)) "$(kib $((dheap / n)))"
  echo "largest growth per connection (bytes, objects, class):"
  class_growth "$run/histogram-before.txt" "$run/histogram-after.txt" "$n"
  stop
}

for n in "${counts[@]}"; do
  for protocol in $protocols; do
    measure "$n" "$protocol"
  done
done
