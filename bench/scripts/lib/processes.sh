# Sourced by the bench scripts (not run on its own): telling whether a process runs, and stopping one.
# Needs stop_wait_s (seconds between SIGTERM and SIGKILL) and file descriptor 3 open on the
# script's own standard error (for messages from an exit trap).

is_running() { # PID: true while it runs (a zombie counts as ended)
  local state
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_pid() { # PID WHAT: SIGTERM, then SIGKILL after stop_wait_s; reaps it
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < stop_wait_s * 10; i++)); do is_running "$pid" || break; sleep 0.1; done
  if is_running "$pid"; then
    echo "  $2 (pid $pid) did not stop in ${stop_wait_s} s; killing it" >&3
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
