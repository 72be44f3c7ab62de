#!/usr/bin/env bash
# Stops the stand-in started by start.sh, by its PID (the server kills the
# process groups of its running jobs on SIGTERM).
#   stop.sh PIDFILE
set -uo pipefail
pidfile=$1
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
rm -f "$pidfile"
