#!/usr/bin/env bash
# Installs the real editors the end-to-end tests drive (DESIGN §4), from Debian's packages and the
# npm registry only. Idempotent: a second run with everything present takes about a second.
#   neovim                 a real LSP client (test/e2e/neovim.test.ts)
#   chromium, code-server  a real VS Code in a headless browser (test/e2e/vscode.test.ts)
#   playwright-core        drives chromium
# code-server is heavy (~320 MB unpacked with VS Code and its native modules built here, ~1 min),
# so it goes into its own prefix, not into the project's dependencies. Override the prefix with XLINT_EDITORS_PREFIX.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="${XLINT_EDITORS_PREFIX:-$PWD/.tmp/editors}"
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.56.1
# What code-server $CODE_SERVER_VERSION's VS Code pins (lib/vscode/npm-shrinkwrap.json).
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_VERSION=v13.0.0-10
start=$(date +%s)

need_apt=()
command -v nvim >/dev/null || need_apt+=(neovim)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-editors: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

installed_version() {
  node -e "try{console.log(require('$PREFIX/node_modules/$1/package.json').version)}catch{}" 2>/dev/null
}
# Written only after a complete install: a half-built prefix (an interrupted run) is installed again.
STAMP="$PREFIX/.installed-code-server-$CODE_SERVER_VERSION-playwright-core-$PLAYWRIGHT_VERSION"
if [ ! -f "$STAMP" ] || [ ! -x "$PREFIX/node_modules/.bin/code-server" ]; then
  echo "setup-editors: npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION into $PREFIX"
  mkdir -p "$PREFIX"
  [ -f "$PREFIX/package.json" ] || echo '{"name":"xlint-e2e-editors","private":true}' >"$PREFIX/package.json"
  # VS Code's @vscode/ripgrep downloads rg from GitHub in its postinstall unless its download cache
  # (in the temp dir) already holds the archive: put Debian's rg there.
  mkdir -p "$PREFIX/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION" "$PREFIX/tmp/rg"
  case "$(uname -m)" in aarch64) rg_target=aarch64-unknown-linux-musl ;; *) rg_target=x86_64-unknown-linux-musl ;; esac
  cp "$(command -v rg)" "$PREFIX/tmp/rg/rg"
  tar czf "$PREFIX/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION/ripgrep-$RIPGREP_VERSION-$rg_target.tar.gz" -C "$PREFIX/tmp/rg" rg
  # code-server builds native modules (kerberos, node-pty, spdlog) in its postinstall: scripts must
  # run, as root they want unsafe-perm, and node-pty's runs `npx node-gyp` (needs yes).
  # Debian's nodejs ships its headers: node-gyp must use them, not download them.
  if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  TMPDIR="$PREFIX/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error --foreground-scripts=false \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
  rm -f "$PREFIX"/.installed-*
  touch "$STAMP"
fi
echo "setup-editors: nvim $(nvim --version | head -1 | cut -d' ' -f2), $(chromium --version 2>/dev/null | head -1), code-server $(installed_version code-server), playwright-core $(installed_version playwright-core) ($(( $(date +%s) - start )) s)"
