#!/usr/bin/env bash
# Interop checks against the real launcher, run by CI after the Maven build: starts
# `bin/starling broker` on a free loopback port and talks to it over MQTT 3.1, 3.1.1 and 5.0 with
# Mosquitto's command-line clients (mosquitto_pub, mosquitto_sub 2.0; Debian package
# mosquitto-clients) and Python paho-mqtt 1.6 (Debian package python3-paho-mqtt, see
# interop_paho.py for 3.1.1 and 3.1, interop_paho5.py for 5.0). Ends with "interop: N passed, M
# failed" and exits 1 when a check failed. All traffic goes to 127.0.0.1; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's python3 with paho; a pyenv python3 on PATH would not have it.
python=/usr/bin/python3
host=127.0.0.1
for tool in mosquitto_pub mosquitto_sub "$python"; do
  command -v "$tool" >/dev/null || { echo "interop: $tool is missing (apt-get install mosquitto-clients python3-paho-mqtt)" >&2; exit 1; }
done
"$python" -c 'import paho.mqtt.client' 2>/dev/null \
  || { echo "interop: $python has no paho-mqtt (apt-get install python3-paho-mqtt)" >&2; exit 1; }
[ -f cli/target/starling.jar ] || { echo "interop: cli/target/starling.jar is missing; run ./mvnw -B -q -DskipTests install first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/starling-interop.XXXXXX")"
broker_log="$work/broker.log"
broker_pid=""
passed=0
failed=0
started=$SECONDS

# Stops this shell's background processes that have not been waited for (jobs -p: never a pid
# that was reaped and could belong to someone else by now): SIGTERM, then SIGKILL after 3 s.
cleanup() {
  local pid running
  running="$(jobs -p)"
  for pid in $running; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $running; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
# An unexpected error (set -e) still ends with the broker log and the summary line.
finished=0
aborted_at=""
set -o errtrace
trap 'aborted_at="line $LINENO: $BASH_COMMAND"' ERR
on_exit() {
  local status=$?
  if [ "$finished" = 0 ]; then
    failed=$((failed + 1))
    echo "FAIL interop.sh stopped early (exit status $status) at ${aborted_at:-an unknown place}" >&2
    [ -s "$broker_log" ] && show_broker_log
    echo "interop: $passed passed, $failed failed"
    status=1
  fi
  cleanup
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1" >&2
  shift
  local line
  for line in "$@"; do printf '     %s\n' "$line" >&2; done
}
show_broker_log() {
  echo "---- broker log ($broker_log) ----" >&2
  cat "$broker_log" >&2 || true
  echo "---- end of broker log ----" >&2
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds; 1 on timeout.
wait_until() {
  local tries=$(($1 * 10))
  shift
  while ! "$@" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}

# wait_exit PID SECONDS: waits for a background child of this shell (so not in a $(...)
# subshell); sets exit_status to its exit status, or to "timeout".
exit_status=""
wait_exit() {
  local pid=$1
  if ! wait_until "$2" eval "! kill -0 $pid"; then
    exit_status=timeout
    return
  fi
  exit_status=0
  wait "$pid" || exit_status=$?
}

log_has() { grep -qE -- "$1" "$broker_log"; }

# ---- the broker ----
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
# from the work directory, so that its store (./data) is the run's own and goes with it
(cd "$work" && exec "$OLDPWD/bin/starling" broker -p "$port") >"$broker_log" 2>&1 &
broker_pid=$!
port_open() { kill -0 "$broker_pid" && (exec 3<>"/dev/tcp/$host/$port"); }
if ! wait_until 10 port_open; then
  echo "interop: the broker did not accept connections on $host:$port within 10 s" >&2
  show_broker_log
  failed=1
  finished=1
  echo "interop: $passed passed, $failed failed"
  exit 1
fi
echo "broker: pid $broker_pid on $host:$port, log $broker_log"

pub() { mosquitto_pub -h "$host" -p "$port" "$@"; }

# start_sub NAME COUNT ARGS...: starts mosquitto_sub in the background with ARGS (its own -t
# filters, -q, output format), exiting after COUNT messages or 10 s, output in $work/NAME.out, pid
# in sub_pid. Returns once the subscription is in place: the subscriber also subscribes to a sync
# topic holding a retained message, last in its SUBSCRIBE, and the retained copy arrives only
# after every earlier filter is subscribed. That copy is the first line of the output.
sub_pid=""
start_sub() {
  local name=$1 count=$2
  shift 2
  local sync="interop/sync/$name" out="$work/$name.out"
  if ! pub -t "$sync" -m ready -r -q 1; then
    fail "$name: mosquitto_pub could not publish the sync message"
    return 1
  fi
  mosquitto_sub -h "$host" -p "$port" -i "interop-$name" "$@" -t "$sync" -C "$((count + 1))" -W 10 \
    >"$out" 2>"$work/$name.err" &
  sub_pid=$!
  if ! wait_until 10 grep -q "interop/sync/$name" "$out"; then
    fail "$name: mosquitto_sub did not receive its sync message within 10 s" "stderr: $(cat "$work/$name.err")"
    return 1
  fi
}

# expect_sub NAME EXPECTED: waits for the subscriber of start_sub, then compares its output
# (without the sync line) with EXPECTED (lines joined by \n) and its exit status with 0.
expect_sub() {
  local name=$1 expected=$2 status actual
  wait_exit "$sub_pid" 15
  status=$exit_status
  actual="$(grep -v "interop/sync/$name" "$work/$name.out" || true)"
  if [ "$status" = 0 ] && [ "$actual" = "$expected" ]; then
    pass "$name"
  else
    fail "$name" "mosquitto_sub exit status: $status (expected 0)" "expected output:" "$expected" \
      "actual output:" "$actual" "stderr: $(cat "$work/$name.err")"
  fi
}

# ---- mosquitto_pub -> mosquitto_sub at QoS 0, 1 and 2 (3.1.1), and 3.1 ----
# One publisher sends four messages in order at one QoS; messages of one QoS on one topic arrive
# in order [MQTT-4.6.0-6], so "end" is last and a lost or duplicated message shows up as a
# different output. -C stops the subscriber exactly after the expected count.
for qos in 0 1 2; do
  name="mosquitto-qos$qos"
  topic="interop/mosquitto/qos$qos"
  if start_sub "$name" 4 -q "$qos" -v -t "$topic"; then
    printf 'm1\nm2\nm3\nend\n' | pub -q "$qos" -t "$topic" -l
    expect_sub "$name" "$(printf '%s m1\n%s m2\n%s m3\n%s end' "$topic" "$topic" "$topic" "$topic")"
  fi
done

name="mosquitto-v31-qos2"
topic="interop/mosquitto/v31"
if start_sub "$name" 2 -V mqttv31 -q 2 -F '%q %r %t %p' -t "$topic"; then
  printf 'first\nsecond\n' | pub -V mqttv31 -q 2 -t "$topic" -l
  expect_sub "$name" "$(printf '2 0 %s first\n2 0 %s second' "$topic" "$topic")"
fi

# Outgoing QoS is min(published, granted): a QoS 2 message to a QoS 1 subscription arrives at
# QoS 1, a QoS 1 message to a QoS 2 subscription at QoS 1, a QoS 2 message to QoS 0 at QoS 0.
# (mosquitto_sub requests one QoS for all its -t filters, so one subscriber per case)
for spec in "0:2:0" "1:2:1" "2:1:1"; do
  IFS=: read -r sub_qos pub_qos got_qos <<<"$spec"
  name="mosquitto-qos-sub$sub_qos-pub$pub_qos"
  topic="interop/down/sub$sub_qos"
  if start_sub "$name" 1 -q "$sub_qos" -F '%q %t %p' -t "$topic"; then
    pub -q "$pub_qos" -t "$topic" -m down
    expect_sub "$name" "$got_qos $topic down"
  fi
done

# ---- retained messages ----
topic="interop/retained"
# a subscriber already there gets the live message with RETAIN 0 [MQTT-3.3.1-9]
name="retained-live"
if start_sub "$name" 1 -q 1 -F '%r %q %t %p' -t "$topic"; then
  pub -r -q 1 -t "$topic" -m kept
  expect_sub "$name" "0 1 $topic kept"
fi
# a new subscriber gets the stored copy with RETAIN 1 [MQTT-3.3.1-8]
if out="$(mosquitto_sub -h "$host" -p "$port" -i interop-retained-new -q 1 -t "$topic" -F '%r %q %t %p' -C 1 -W 5 2>&1)" \
    && [ "$out" = "1 1 $topic kept" ]; then
  pass "retained-new-subscriber"
else
  fail "retained-new-subscriber" "expected: 1 1 $topic kept" "actual: $out"
fi
# an empty retained message deletes it [MQTT-3.3.1-10/11]: a new subscriber waits 2 s in vain
pub -r -n -q 1 -t "$topic"
status=0
out="$(mosquitto_sub -h "$host" -p "$port" -i interop-retained-cleared -q 1 -t "$topic" -F '%r %q %t %p' -W 2 2>/dev/null)" || status=$?
if [ "$status" = 27 ] && [ -z "$out" ]; then   # 27: mosquitto_sub's exit status on -W timeout
  pass "retained-cleared"
else
  fail "retained-cleared" "expected: no message and a -W timeout (exit status 27)" "actual: exit status $status, output: $out"
fi

# ---- will ----
topic="interop/will"
name="will"
if start_sub "$name" 1 -q 1 -F '%q %r %t %p' -t "$topic"; then
  # A client that sends DISCONNECT loses its will [MQTT-3.1.2-10]; had the broker published it,
  # "clean" would arrive before "gone" and the output would differ.
  pub -i interop-will-clean --will-topic "$topic" --will-payload clean --will-qos 1 -t interop/will/other -m x
  if wait_until 5 log_has "client interop-will-clean disconnected: client sent DISCONNECT\$"; then
    pass "will-clean-disconnect-logged"
  else
    fail "will-clean-disconnect-logged" "no 'client interop-will-clean disconnected: client sent DISCONNECT' line"
  fi
  mosquitto_sub -h "$host" -p "$port" -i interop-will-dies -t interop/will/other \
    --will-topic "$topic" --will-payload gone --will-qos 1 >/dev/null 2>&1 &
  dying=$!
  if wait_until 10 log_has "client interop-will-dies connected from"; then
    kill -KILL "$dying"
    wait "$dying" 2>/dev/null || true
    # [MQTT-3.1.2-8] the connection ended without DISCONNECT: the will is published, at its QoS
    expect_sub "$name" "1 0 $topic gone"
    if wait_until 5 log_has "client interop-will-dies disconnected: .*; will published"; then
      pass "will-logged"
    else
      fail "will-logged" "no 'client interop-will-dies disconnected: ...; will published' line"
    fi
  else
    fail "$name" "the will client did not connect within 10 s"
  fi
fi

# ---- MQTT 5.0: mosquitto_pub -V mqttv5 -> mosquitto_sub -V mqttv5 ----
# mosquitto_sub -F shows 5.0 properties: %P user properties (key:value, space separated), %C content
# type, %R response topic, %D correlation data, %F payload format indicator, %E message expiry
# interval, %S subscription identifiers. libmosquitto 2.0 cannot receive topic aliases (a PUBLISH
# with an empty topic is a protocol error to it), so mosquitto_sub never offers a Topic Alias
# Maximum here; mosquitto_pub sends aliases of its own (-D publish topic-alias).
pub5() { pub -V mqttv5 "$@"; }
for qos in 0 1 2; do
  name="mosquitto5-qos$qos"
  topic="interop/v5/qos$qos"
  if start_sub "$name" 3 -V mqttv5 -q "$qos" -F '%q %r %t %p' -t "$topic"; then
    printf 'm1\nm2\nend\n' | pub5 -q "$qos" -t "$topic" -l
    expect_sub "$name" "$(printf '%s 0 %s m1\n%s 0 %s m2\n%s 0 %s end' "$qos" "$topic" "$qos" "$topic" "$qos" "$topic")"
  fi
done

# every PUBLISH property arrives unchanged, user properties in order with a repeated key
# [MQTT-3.3.2-15..18] [MQTT-3.3.2-20]; the expiry interval is the one left, rounded up [MQTT-3.3.2-6]
name="mosquitto5-properties"
topic="interop/v5/properties"
if start_sub "$name" 1 -V mqttv5 -q 1 -F '%t %p|%P|%C|%R|%D|%F|%E' -t "$topic"; then
  pub5 -q 1 -t "$topic" -m hello -D publish user-property k 2 -D publish user-property a 1 \
    -D publish user-property k 1 -D publish content-type text/plain -D publish response-topic interop/v5/reply \
    -D publish correlation-data c0ffee -D publish payload-format-indicator 1 -D publish message-expiry-interval 3600
  expect_sub "$name" "$topic hello|k:2 a:1 k:1|text/plain|interop/v5/reply|c0ffee|1|3600"
fi

# topic aliases from the client: the first PUBLISH sets alias 1, the next two carry only the alias
# [MQTT-3.3.2-12]; the subscriber gets the topic each time
name="mosquitto5-topic-alias"
topic="interop/v5/alias"
if start_sub "$name" 3 -V mqttv5 -q 1 -F '%t %p' -t "$topic"; then
  printf 'a1\na2\na3\n' | pub5 -q 1 -t "$topic" -l -D publish topic-alias 1
  expect_sub "$name" "$(printf '%s a1\n%s a2\n%s a3' "$topic" "$topic" "$topic")"
fi

# a Subscription Identifier comes back with each message of its subscription [MQTT-3.3.4-3]
name="mosquitto5-subscription-identifier"
topic="interop/v5/subid"
if start_sub "$name" 1 -V mqttv5 -q 1 -D subscribe subscription-identifier 7 -F '%S %t %p' -t "$topic"; then
  pub5 -q 1 -t "$topic" -m tagged
  expect_sub "$name" "7 $topic tagged"
fi

# PUBACK 0x10 No matching subscribers
if out="$(pub5 -d -q 1 -t interop/v5/nobody -m x 2>&1)" && grep -q 'received PUBACK (Mid: 1, RC:16)' <<<"$out"; then
  pass "mosquitto5-puback-no-matching-subscribers"
else
  fail "mosquitto5-puback-no-matching-subscribers" "expected 'received PUBACK (Mid: 1, RC:16)' in mosquitto_pub -d output:" "$out"
fi

# shared subscription, a 5.0 member and a 3.1.1 member: each message goes to one, in turn (4.8.2)
topic="interop/v5/shared"
if start_sub mosquitto5-shared-v5 2 -V mqttv5 -q 1 -F '%t %p' -t "\$share/interop/$topic"; then
  member_v5=$sub_pid
  if start_sub mosquitto5-shared-v311 2 -V mqttv311 -q 1 -F '%t %p' -t "\$share/interop/$topic"; then
    member_v311=$sub_pid
    printf '0\n1\n2\n3\n' | pub5 -q 1 -t "$topic" -l
    wait_exit "$member_v5" 15
    status_v5=$exit_status
    wait_exit "$member_v311" 15
    status_v311=$exit_status
    got_v5="$(grep -v interop/sync/ "$work/mosquitto5-shared-v5.out" | tr '\n' ' ' || true)"
    got_v311="$(grep -v interop/sync/ "$work/mosquitto5-shared-v311.out" | tr '\n' ' ' || true)"
    even="$topic 0 $topic 2 "
    odd="$topic 1 $topic 3 "
    if [ "$status_v5" = 0 ] && [ "$status_v311" = 0 ] \
        && { { [ "$got_v5" = "$even" ] && [ "$got_v311" = "$odd" ]; } || { [ "$got_v5" = "$odd" ] && [ "$got_v311" = "$even" ]; }; }; then
      pass "mosquitto5-shared-subscription"
    else
      fail "mosquitto5-shared-subscription" "expected one member to get 0 and 2, the other 1 and 3" \
        "5.0 member (exit status $status_v5): $got_v5" "3.1.1 member (exit status $status_v311): $got_v311"
    fi
  fi
fi

# Session Expiry Interval 60 (-c -x 60): the session outlives the connection and gets the messages
# published meanwhile [MQTT-3.1.2-23]; one that expired meanwhile is dropped [MQTT-3.3.2-5], the
# others carry the seconds left [MQTT-3.3.2-6]. "short" goes first: delivered, it would show first.
name="mosquitto5-session-expiry"
topic="interop/v5/session"
id="interop-mosquitto5-session"
if mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i "$id" -c -x 60 -q 1 -t "$topic" -E -W 10 >/dev/null 2>&1 \
    && wait_until 10 log_has "client $id disconnected: client sent DISCONNECT"; then
  pub5 -q 1 -t "$topic" -m short -D publish message-expiry-interval 1
  printf 'q1\nq2\n' | pub5 -q 1 -t "$topic" -l -D publish message-expiry-interval 60
  sleep 1.5   # past the short one's expiry
  status=0
  out="$(mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i "$id" -c -x 60 -q 1 -t "$topic" -C 2 -W 10 -F '%t %p %E' 2>&1)" \
    || status=$?
  if [ "$status" = 0 ] && [[ "$out" =~ ^"$topic q1 "(58|59)$'\n'"$topic q2 "(58|59)$ ]] \
      && log_has "client $id connected from [^ ]+ \(V5, session resumed, session expiry 60 s"; then
    pass "$name"
  else
    fail "$name" "expected q1 and q2 (not short) with 58 or 59 s left, exit status 0, and 'session resumed' logged" \
      "actual: exit status $status, output:" "$out" "log: $(grep "client $id connected" "$broker_log" || true)"
  fi
  # leave no session behind: Clean Start 1, Session Expiry Interval 0
  mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i "$id" -t "$topic" -E -W 10 >/dev/null 2>&1 || true
else
  fail "$name" "mosquitto_sub -c -x 60 -E did not subscribe and disconnect within 10 s"
fi

# Will Delay Interval 1 s: the will comes no sooner than 1 s after the client died, with its
# properties [MQTT-3.1.2-8] (%U: the arrival time, seconds.nanoseconds)
name="mosquitto5-will-delay"
topic="interop/v5/will"
if start_sub "$name" 1 -V mqttv5 -q 1 -F '%U %t %p %P' -t "$topic"; then
  mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i interop-mosquitto5-will-dies -x 60 -t interop/v5/will/other \
    --will-topic "$topic" --will-payload gone --will-qos 1 -D will will-delay-interval 1 \
    -D will user-property why killed >/dev/null 2>&1 &
  dying=$!
  if wait_until 10 log_has "client interop-mosquitto5-will-dies connected from"; then
    killed_at=$EPOCHREALTIME
    kill -KILL "$dying"
    wait "$dying" 2>/dev/null || true
    wait_exit "$sub_pid" 15
    status=$exit_status
    line="$(grep -v "interop/sync/$name" "$work/$name.out" || true)"
    read -r arrived rest <<<"$line"
    if [ "$status" = 0 ] && [ "$rest" = "$topic gone why:killed" ] \
        && awk -v a="$arrived" -v k="$killed_at" 'BEGIN { exit !(a - k >= 1.0) }'; then
      pass "$name"
    else
      fail "$name" "expected '$topic gone why:killed' at least 1 s after the kill at $killed_at" \
        "actual: exit status $status, output: $line"
    fi
    # leave no session behind
    mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i interop-mosquitto5-will-dies -t "$topic" -E -W 10 >/dev/null 2>&1 || true
  else
    fail "$name" "the will client did not connect within 10 s"
  fi
fi

# take-over: the first connection gets DISCONNECT 0x8E (Session taken over) [MQTT-3.1.4-3]; -d
# prints it (its output is buffered until mosquitto_sub exits, so the wait is on the broker's log)
name="mosquitto5-takeover"
mosquitto_sub -h "$host" -p "$port" -V mqttv5 -d -i interop-mosquitto5-takeover -t interop/v5/takeover -W 10 \
  >"$work/$name.out" 2>&1 &
first=$!
if wait_until 10 log_has "client interop-mosquitto5-takeover connected from"; then
  mosquitto_sub -h "$host" -p "$port" -V mqttv5 -i interop-mosquitto5-takeover -t interop/v5/takeover -E -W 10 \
    >/dev/null 2>&1 || true
  wait_exit "$first" 15
  if [ "$exit_status" = 0 ] && grep -q '^Received DISCONNECT (142)$' "$work/$name.out"; then
    pass "$name"
  else
    fail "$name" "expected exit status 0 and 'Received DISCONNECT (142)'" \
      "actual: exit status $exit_status, output: $(cat "$work/$name.out")"
  fi
else
  fail "$name" "the first mosquitto_sub did not connect within 10 s"
fi

# mixed versions: 3.1.1 publisher to a 5.0 subscriber (no properties), 5.0 with properties to 3.1.1
name="mosquitto-311-to-5"
topic="interop/v5/mixed/up"
if start_sub "$name" 1 -V mqttv5 -q 2 -F '%q %t %p|%P|%C' -t "$topic"; then
  pub -V mqttv311 -q 2 -t "$topic" -m plain
  expect_sub "$name" "2 $topic plain||"
fi
name="mosquitto-5-to-311"
topic="interop/v5/mixed/down"
if start_sub "$name" 1 -V mqttv311 -q 2 -F '%q %r %t %p' -t "$topic"; then
  pub5 -q 2 -t "$topic" -m rich -D publish user-property k v -D publish content-type text/plain
  expect_sub "$name" "2 0 $topic rich"
fi

# ---- Python paho-mqtt: 3.1.1 and 3.1 (interop_paho.py), 5.0 (interop_paho5.py), and paho <-> mosquitto ----
for script in interop_paho.py interop_paho5.py; do
  paho_out="$work/$script.out"
  status=0
  "$python" -B ".ci/$script" "$host" "$port" >"$paho_out" 2>&1 || status=$?
  cat "$paho_out"
  paho_passed=$(grep -c '^ok ' "$paho_out" || true)
  paho_failed=$(grep -c '^FAIL ' "$paho_out" || true)
  passed=$((passed + paho_passed))
  failed=$((failed + paho_failed))
  if [ "$status" != 0 ] && [ "$paho_failed" = 0 ]; then
    fail "$script" "exited with status $status without naming a failed check"
  elif [ "$status" = 0 ] && [ "$paho_passed" = 0 ]; then
    fail "$script" "ran no checks"
  fi
done

# ---- shutdown: SIGTERM -> exit status 0 within 5 s, with a client still connected ----
mosquitto_sub -h "$host" -p "$port" -i interop-at-shutdown -t interop/shutdown >/dev/null 2>&1 &
wait_until 10 log_has "client interop-at-shutdown connected from" \
  || fail "shutdown-client-connected" "mosquitto_sub interop-at-shutdown did not connect within 10 s"
if kill -TERM "$broker_pid" 2>/dev/null; then
  wait_exit "$broker_pid" 5
  if [ "$exit_status" = 0 ]; then
    pass "sigterm-exit-0"
    broker_pid=""
  else
    fail "sigterm-exit-0" "expected exit status 0 within 5 s of SIGTERM, got: $exit_status"
  fi
else
  exit_status=0
  wait "$broker_pid" || exit_status=$?
  fail "sigterm-exit-0" "the broker had already exited, with status $exit_status, before SIGTERM"
  broker_pid=""
fi
if log_has '^[^ ]+ INFO +Connection: client interop-mosquitto-qos1 connected from /127\.0\.0\.1:[0-9]+ \('; then
  pass "log-connected-lines"
else
  fail "log-connected-lines" "no INFO line 'client interop-mosquitto-qos1 connected from /127.0.0.1:PORT (...)'"
fi
if log_has '^[^ ]+ INFO +Connection: client interop-mosquitto-qos1 disconnected: '; then
  pass "log-disconnected-lines"
else
  fail "log-disconnected-lines" "no INFO line 'client interop-mosquitto-qos1 disconnected: REASON'"
fi
if log_has '^[^ ]+ INFO +Connection: client interop-at-shutdown disconnected: '; then
  pass "log-shutdown-disconnects-clients"
else
  fail "log-shutdown-disconnects-clients" "no INFO line 'client interop-at-shutdown disconnected: REASON' after SIGTERM"
fi
if log_has '^[^ ]+ (ERROR|WARN) '; then
  fail "log-no-errors" "the broker logged ERROR or WARN lines: $(grep -E '^[^ ]+ (ERROR|WARN) ' "$broker_log" | head -5)"
else
  pass "log-no-errors"
fi

[ "$failed" = 0 ] || show_broker_log
finished=1
echo "interop: took $((SECONDS - started)) s"
echo "interop: $passed passed, $failed failed"
[ "$failed" = 0 ]
