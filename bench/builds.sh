#!/usr/bin/env bash
# Build times (issue 12, "Builds"): `xlint verify --compare` for a Go and a C example on the test
# builder of test/builder/setup.sh (dockerd 20.10 + BuildKit, QEMU, the local registry's images),
# before and after the fix, next to the limit: twice the native single-platform build (the
# original Dockerfile built for linux/amd64 only, no cache). Prints the machine and a markdown table.
#
#   bash bench/builds.sh              # or: npm run bench:builds
#   BENCH_RUNS=3 bash bench/builds.sh # runs per measurement (default 2); best and spread are reported
#   BENCH_REPORT_ONLY=1 bash bench/builds.sh  # print the table again from the last run's JSON reports
#
# The examples:
#   go  test/fixtures/verify/go-emulated.Dockerfile: `CGO_ENABLED=0 go build -a` of go-app, so the
#       standard library it uses is compiled too (without -a the arm64 Go image's precompiled
#       standard library makes a hello-world favour emulation, DESIGN §4). Fixed by `xlint --fix`
#       (the Go cross-compile fix is safe).
#   c   bench/builds/c-lua.Dockerfile: Lua 5.4.4 (Debian's lua5.4 source package, about 30,000 lines
#       of C) with make and gcc 12. xlint's C fix is display-only (it needs a cross toolchain), so
#       neither --fix nor --fix --unsafe-fixes writes one: the fixed file is the one its suggestion
#       describes, bench/builds/c-lua.cross.Dockerfile (--against).
# Every build is without cache; each run builds the original and the fixed Dockerfile for
# linux/amd64 and linux/arm64 (one platform after the other: the docker CLI driver), then the
# original for linux/amd64 alone. Raw JSON reports stay in $XLINT_BUILDER_DIR/bench-builds/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${BENCH_RUNS:-2}
DIR=${XLINT_BUILDER_DIR:-/var/tmp/xlint-builder}
OUT=$DIR/bench-builds
PLATFORMS=linux/amd64,linux/arm64
log() { printf '[bench:builds] %s\n' "$*" >&2; }

measure() {
  [ -f dist/xlint.js ] || npm run -s build >&2
  XLINT_BUILDER_GCC=1 bash test/builder/setup.sh >&2
  set -a; . "$DIR/env"; set +a
  unset XLINT_DOCKER # let xlint find the CLI that can build, as the e2e suites do

  # The C example's context: Lua's source from Debian (deb-src through a private apt state, so the
  # machine's apt configuration is untouched).
  local C_CTX=$DIR/work/bench-c
  if [ ! -f "$C_CTX/lua/src/lua.c" ]; then
    apt_dir=$DIR/apt-src
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/src"
    echo 'deb-src http://deb.debian.org/debian bookworm main' >"$apt_dir/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
    ls "$apt_dir"/src/lua5.4_*.orig.tar.* >/dev/null 2>&1 || {
      apt-get "${apt_opts[@]}" update -qq
      (cd "$apt_dir/src" && apt-get "${apt_opts[@]}" source --download-only -qq lua5.4)
    }
    rm -rf "$C_CTX" && mkdir -p "$C_CTX/lua"
    tar xf "$(ls "$apt_dir"/src/lua5.4_*.orig.tar.* | head -1)" -C "$C_CTX/lua" --strip-components=1
  fi

  rm -rf "$OUT" && mkdir -p "$OUT"
  xlint() { node "$ROOT/dist/xlint.js" "$@"; }
  # name | Dockerfile | context | compare options
  EXAMPLES=(
    "go|test/fixtures/verify/go-emulated.Dockerfile|test/fixtures/verify|--compare"
    "c|bench/builds/c-lua.Dockerfile|$C_CTX|--compare --against bench/builds/c-lua.cross.Dockerfile"
  )
  {
    echo "started=$(date -u +%FT%TZ)"
    echo "cores=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//;s/\..*//') MHz"
    echo "docker=$(docker version --format '{{.Server.Version}}' 2>/dev/null || /usr/bin/docker version --format '{{.Server.Version}}')"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$OUT/machine"

  for run in $(seq 1 "$RUNS"); do
    for example in "${EXAMPLES[@]}"; do
      IFS='|' read -r name file ctx opts <<<"$example"
      echo "$name $run $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load" # the load as this run's compare starts
      log "run $run/$RUNS, $name: verify $opts (original and fixed, $PLATFORMS, no cache); load $(cut -d' ' -f1-3 /proc/loadavg)"
      # shellcheck disable=SC2086 # opts are words
      xlint verify "$file" --context "$ctx" --platform "$PLATFORMS" $opts --format json -q >"$OUT/$name-compare-$run.json" || true
      log "run $run/$RUNS, $name: the original for linux/amd64 only (no cache)"
      xlint verify "$file" --context "$ctx" --platform linux/amd64 --no-cache --format json -q >"$OUT/$name-native-$run.json" || true
    done
  done
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine"
}

[ "${BENCH_REPORT_ONLY:-}" = 1 ] || measure
[ -f "$OUT/machine" ] || { log "no measurements in $OUT"; exit 1; }
RUNS=$(ls "$OUT"/go-compare-*.json | wc -l)

node - "$OUT" "$RUNS" <<'JS'
const { existsSync, readFileSync } = require('node:fs');
const [out, runs] = [process.argv[2], Number(process.argv[3])];
const machine = Object.fromEntries(readFileSync(`${out}/machine`, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const loads = existsSync(`${out}/load`) ? readFileSync(`${out}/load`, 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
const loadOf = (name, run) => loads.find((l) => l[0] === name && l[1] === String(run))?.[2] ?? '?';
const read = (f) => { try { return JSON.parse(readFileSync(`${out}/${f}`, 'utf8')); } catch { return null; } };
const s = (ms) => (ms / 1000).toFixed(1);
const x = (r) => `${r.toFixed(1)}×`;
const x2 = (r) => `${r.toFixed(2)}×`;
const min = (xs) => Math.min(...xs);
const worst = (xs, f) => (xs.length > 1 ? ` (worst ${f(Math.max(...xs))})` : '');
const spread = (xs, f) => (xs.length > 1 ? ` (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : '');
const rows = [], perRun = [], notes = [];
const TITLES = { go: 'Go: go-emulated.Dockerfile (`go build -a`)', c: 'C: c-lua.Dockerfile (Lua 5.4, make)' };
for (const name of ['go', 'c']) {
  const compares = [], natives = [];
  for (let i = 1; i <= runs; i++) {
    const c = read(`${name}-compare-${i}.json`), n = read(`${name}-native-${i}.json`);
    if (!c?.original || !c?.fixed) { notes.push(`${name} run ${i}: the compare gave no report`); continue; }
    if (!n?.ok) { notes.push(`${name} run ${i}: the native amd64 build failed`); continue; }
    compares.push(c); natives.push(n.wallMs);
    const arm = (which) => s(c[which].platforms.find((p) => p.platform === 'linux/arm64')?.durationMs ?? NaN);
    const files = c.platforms.map((p) => {
      const f = p.files;
      if (!f) return `${p.platform} not compared (a build failed)`;
      if (!f.same) return `${p.platform} DIFFERENT: ${JSON.stringify({ onlyInFirst: f.onlyInFirst, onlyInSecond: f.onlyInSecond, differ: f.differ })}`;
      return `${p.platform} same files${f.elfContentDiffers.length ? ` (${f.elfContentDiffers.length} ELF files differ in bytes, same machine)` : ''}`;
    });
    const failed = [...c.original.platforms, ...c.fixed.platforms].filter((p) => p.error || !p.ok).map((p) => p.platform);
    perRun.push(`- ${name} run ${i} (load ${loadOf(name, i)}): original ${s(c.original.wallMs)} s (arm64 ${arm('original')} s), fixed ${s(c.fixed.wallMs)} s (arm64 ${arm('fixed')} s), native amd64 ${s(n.wallMs)} s; ${files.join(', ')}${failed.length ? `; FAILED or wrong architecture in the fixed build: ${failed.join(', ')}` : ''}`);
  }
  if (compares.length === 0) continue;
  const same = compares.every((c) => c.fixed.ok && c.platforms.every((p) => p.files?.same)) ? 'yes' : 'NO';
  const fix = compares[0].fixes.length ? `\`--fix\` (${compares[0].fixes.join(', ')}, safe)` : 'the suggested cross build (`--against`)';
  const row = (platforms, orig, fixed, factor) => {
    const limits = natives.map((n) => factor * n);
    rows.push(`| ${TITLES[name]} | ${platforms} | ${s(min(orig))}${worst(orig, s)} | ${s(min(fixed))}${worst(fixed, s)} | ${s(min(limits))}${worst(limits, s)} | ${x(min(orig) / min(fixed))}${spread(orig.map((o, i) => o / fixed[i]), x)} | ${x2(min(fixed) / min(limits))}${spread(fixed.map((f, i) => f / limits[i]), x2)} | ${fix} | ${same} |`);
  };
  const dur = (c, which) => c[which].platforms.find((p) => p.platform === 'linux/arm64')?.durationMs ?? NaN;
  row('amd64 + arm64', compares.map((c) => c.original.wallMs), compares.map((c) => c.fixed.wallMs), 2);
  row('arm64 (its part of the same builds)', compares.map((c) => dur(c, 'original')), compares.map((c) => dur(c, 'fixed')), 1);
}
console.log(`Machine: ${machine.cores} cores, ${machine.cpu} (/proc/cpuinfo); docker ${machine.docker} with BuildKit (one platform per build), QEMU user emulation for arm64; load average ${machine.load_start} at the start, ${machine.load_end} at the end (the machine is shared); ${runs} runs, no cache, ${machine.started}.`);
console.log('');
console.log('| example | platforms | original s | fixed s | limit s | speed-up | fixed / limit | fix | same files |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
console.log('Times: best of the runs (worst in brackets). Ratios: of the best times (in brackets, the range over the runs, each pairing the builds of one run). Limit: the original Dockerfile built natively for linux/amd64 alone, no cache; twice that for two platforms, once for arm64. Same files: `--compare` found the same files for every platform in every run, each ELF of the platform\'s machine.');
console.log('');
for (const l of [...perRun, ...notes.map((n) => `- ${n}`)]) console.log(l);
JS
