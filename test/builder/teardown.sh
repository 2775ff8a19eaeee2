#!/usr/bin/env bash
# Stops what test/builder/setup.sh started: dockerd (and the containerd it runs) and the registry.
# Safe to run at any time, also when setup failed half-way or never ran. Keeps the images and the
# downloaded packages under $XLINT_BUILDER_DIR so the next setup is fast; XLINT_BUILDER_PURGE=1
# removes them too.
set -uo pipefail

DIR="${XLINT_BUILDER_DIR:-/var/tmp/xlint-builder}"

stop_pidfile() { # name pidfile
  local name=$1 file=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[teardown] $name ($pid) did not stop in 10 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "[teardown] stopped $name ($pid)" >&2
  fi
  rm -f "$file"
}

[ -d "$DIR" ] || { echo "[teardown] nothing to stop ($DIR does not exist)" >&2; exit 0; }
stop_pidfile registry "$DIR/registry.pid"
stop_pidfile dockerd "$DIR/dockerd.pid"
rm -f "$DIR/env"
if [ "${XLINT_BUILDER_PURGE:-}" = 1 ]; then
  # dockerd may leave overlay mounts under its data root.
  grep -o " $DIR/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
  rm -rf "$DIR"
  echo "[teardown] removed $DIR" >&2
fi
exit 0
