#!/usr/bin/env bash
# Starts the loopback SageMaker + CloudWatch Logs + STS stand-in (server.cjs).
#   start.sh NODE_DIR DATA_DIR PIDFILE
# NODE_DIR (in the build tree, shared with tools/dev/s3-server-start.sh)
# receives the pinned npm packages when missing, under the same lock.
# Settings come from the environment (README.md): HPOLAB_STANDIN_*.
# Prints the port on stdout; stop with stop.sh PIDFILE.
set -euo pipefail

node_dir=$1 data_dir=$2 pidfile=$3
here=$(cd "$(dirname "$0")" && pwd)
pkgs="@smithy/signature-v4@5.7.5 @aws-crypto/sha256-js@5.2.0 @smithy/protocol-http@5.6.2"

command -v node >/dev/null || { echo "standin start: node not found (tools/dev/deps.sh installs nodejs)" >&2; exit 1; }
mkdir -p "$node_dir" "$data_dir"
# parallel test programs: one installs, the others wait; the marker is
# written last, so it means the install finished
marker="$node_dir/.installed-smithy-5.7.5"
exec 9>"$node_dir/.install.lock"
flock 9
if [ ! -f "$marker" ]; then
  command -v npm >/dev/null || { echo "standin start: npm not found" >&2; exit 1; }
  [ -f "$node_dir/package.json" ] || echo '{"name":"hpolab-aws-test","private":true}' >"$node_dir/package.json"
  # shellcheck disable=SC2086
  (cd "$node_dir" && npm install --no-audit --no-fund --silent --save-exact $pkgs >&2) ||
    { echo "standin start: npm install $pkgs failed" >&2; exit 1; }
  touch "$marker"
fi
flock -u 9
exec 9>&-

log="$data_dir.log"
NODE_PATH="$node_dir/node_modules" node "$here/server.cjs" "$data_dir" >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 200); do
  if port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" 2>/dev/null) && [ -n "$port" ]; then
    echo "$port"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "standin start: the server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.05
done
echo "standin start: no 'listening' line after 10 s" >&2
kill "$pid" 2>/dev/null || true
exit 1
