#!/usr/bin/env bash
# slurm-stop.sh: stop exactly the daemons slurm-start.sh started, by their
# PID files (never by name; a PID counts only while it runs that daemon's
# binary). Cancels remaining jobs first and waits for the node to go idle, so
# no job process is orphaned. --purge also removes $HPOLAB_SLURM_DIR.
set -uo pipefail

D=${HPOLAB_SLURM_DIR:-/tmp/hpolab-slurm}
export SLURM_CONF=$D/etc/slurm.conf
unset SLURM_JWT
log() { echo "slurm-stop: $*"; }

alive() { # name: its PID file names a live process running that binary
  local f=$D/run/$1.pid pid exe
  [ -s "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null)
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  case "${exe% (deleted)}" in */"$1" | */"$1"-wlm) return 0 ;; esac
  return 1
}

stop() { # timeout name...: SIGTERM together, SIGKILL after timeout
  local t=$1 name i left; shift
  local -A pids=()
  for name in "$@"; do
    if alive "$name"; then pids[$name]=$(cat "$D/run/$name.pid"); kill -TERM "${pids[$name]}"; fi
    [ -n "${pids[$name]:-}" ] || rm -f "$D/run/$name.pid"
  done
  for ((i = 0; i <= t * 10; i++)); do
    left=""
    for name in "${!pids[@]}"; do
      if [ -e "/proc/${pids[$name]}" ] && alive "$name"; then left+=" $name"; fi
    done
    [ -z "$left" ] && break
    sleep 0.1
  done
  for name in $left; do log "$name ignored SIGTERM for ${t}s: SIGKILL"; kill -KILL "${pids[$name]}" 2>/dev/null; done
  for name in "${!pids[@]}"; do log "stopped $name (pid ${pids[$name]})"; rm -f "$D/run/$name.pid"; done
}

if alive slurmctld && alive slurmd; then
  if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
    log "cancelling remaining jobs"
    scancel --quiet --partition=debug 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      out=$(squeue -h -o %i 2>/dev/null); st=$(sinfo -h -n localhost -o %T 2>/dev/null)
      [ -z "$out" ] && [ "$st" = idle ] && break
      sleep 0.1
    done
  fi
fi
stop 20 slurmd slurmctld
stop 10 munged
rm -f "$D/munge/munge.socket.2" "$D/munge/munge.socket.2.lock"
if [ "${1:-}" = --purge ]; then rm -rf "${D:?}"; fi
exit 0
