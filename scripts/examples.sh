#!/usr/bin/env bash
# The main job on the shipped examples: lint them, show how each would be fixed, explain one build.
# Exit 0 when xlint ran (findings are expected: several examples are wrong on purpose).
set -uo pipefail
cd "$(dirname "$0")/.."
xlint() { node dist/xlint.js "$@"; }
echo "== xlint examples/"
xlint examples/; status=$?
echo; echo "== xlint --diff --unsafe-fixes examples/   (what --fix would change; nothing is written)"
xlint --diff --unsafe-fixes examples/ >/tmp/xlint-examples.diff; cat /tmp/xlint-examples.diff
echo; echo "== xlint explain-build examples/go-emulated.Dockerfile"
xlint explain-build examples/go-emulated.Dockerfile
[ "$status" -le 1 ]
