#!/usr/bin/env bash
# Starts the loopback S3 server used by hpolab's AWS tests:
# @20minutes/s3rver 5.0.0, which checks SigV4 signatures (path style).
#   s3-server-start.sh NODE_DIR DATA_DIR PIDFILE [BUCKET...]
# NODE_DIR (in the build tree) receives the npm packages when missing.
# Prints the port on stdout; stop with s3-server-stop.sh PIDFILE. With
# HPOLAB_S3_SERVER_OWNER_PID set, the server also stops when that process ends.
set -euo pipefail

node_dir=$1 data_dir=$2 pidfile=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

command -v node >/dev/null || { echo "s3-server-start: node not found (tools/dev/deps.sh installs nodejs)" >&2; exit 1; }
mkdir -p "$node_dir" "$data_dir"
# Test programs run in parallel and share node_dir: one installs while the
# others wait on the lock, and the marker (written last) says the install
# is complete, not merely begun.
marker="$node_dir/.installed-s3rver-5.0.0"
exec 9>"$node_dir/.install.lock"
flock 9
if [ ! -f "$marker" ]; then
  command -v npm >/dev/null || { echo "s3-server-start: npm not found (tools/dev/deps.sh installs npm)" >&2; exit 1; }
  [ -f "$node_dir/package.json" ] || echo '{"name":"hpolab-aws-test","private":true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --silent @20minutes/s3rver@5.0.0 >&2) ||
    { echo "s3-server-start: npm install @20minutes/s3rver@5.0.0 failed" >&2; exit 1; }
  touch "$marker"
fi
cp "$here/s3-server.cjs" "$node_dir/s3-server.cjs.$$"
mv "$node_dir/s3-server.cjs.$$" "$node_dir/s3-server.cjs"
flock -u 9
exec 9>&-

log="$data_dir.log"
# the legacy provider: s3rver encrypts continuation tokens with DES
NODE_PATH="$node_dir/node_modules" node --openssl-legacy-provider \
  "$node_dir/s3-server.cjs" 0 "$data_dir" "$@" >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 200); do
  if port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" 2>/dev/null) && [ -n "$port" ]; then
    echo "$port"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "s3-server-start: the server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.05
done
echo "s3-server-start: no 'listening' line after 10 s" >&2
kill "$pid" 2>/dev/null || true
exit 1
