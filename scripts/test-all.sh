#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine (npm packages, Debian packages, the
# test builder, the editors), runs the whole suite with the real parts mandatory, and stops what it
# started. Used by CI (.ci/run) and by anyone who wants the full run: `npm run test:all`.
set -euo pipefail
cd "$(dirname "$0")/.."
export XLINT_E2E=1
# The slow fuzz regression fixtures (2 MB inputs that once overflowed the stack, ~1 min in all) run in CI too.
export XLINT_FUZZ_SLOW=1
export DEBIAN_FRONTEND=noninteractive

started=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - started ))s)"; }

step "npm ci"
npm ci --no-audit --no-fund

step "Debian packages for the CLI suites (pre-commit, Graphviz for the graph render, docker-registry and openssl for --check-images)"
if ! command -v pre-commit >/dev/null || ! command -v dot >/dev/null || [ ! -x /usr/bin/docker-registry ] || ! command -v openssl >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq pre-commit git graphviz docker-registry openssl >/dev/null
fi

teardown() {
  step "teardown"
  if [ -x test/builder/teardown.sh ]; then bash test/builder/teardown.sh || true; fi
}
trap teardown EXIT

if [ -f test/builder/setup.sh ]; then
  step "test builder (docker, qemu, registry, base images)"
  bash test/builder/setup.sh
fi
if [ -f test/e2e/setup-editors.sh ]; then
  step "editors (neovim, code-server, chromium)"
  bash test/e2e/setup-editors.sh
fi

step "tests"
npm test
step "done"
