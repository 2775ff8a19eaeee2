// xlint's performance against its peers, run in the same script (issue 12, DESIGN §6). Reports; never fails.
//   1. real files (../shared/corpus/files + examples/): one warm process; one fresh process over the
//      whole tree (as CI runs it); one fresh process per file (as a pre-commit hook runs it); against
//      dockerfile-utils' validate and dockerfile-ast's parse alone, run the same way (bundled by esbuild
//      like dist/cli.js, in interleaved rounds, best of N); CPU time and peak RSS of each process; the
//      top of a CPU profile of the warm lint and where a fresh CLI run spends its time.
//   2. the generated corpus for scale: 1,000 and 10,000 files, one fresh process each.
//   3. the editor loop (bench/lsp.mjs): moby-sized and 5,000-line files, push and pull, against
//      dockerfile-language-server-nodejs.
//   4. cold start: `node -e 0` against `xlint <small file>`, split into start-up, loading the bundle and
//      the run, and what a V8 code cache would save; the bundle's size.
// Then a table of the targets of issue 12 next to the measured figures.
// Usage: npm run bench [-- --quick] [-- --rounds N] [-- --only cold,real,scale,editor]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bytes, generated, realFiles, root, shuffled, walk, writeTree } from './fixtures.mjs';
import { editorBench } from './lsp.mjs';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const QUICK = argv.includes('--quick');
const ROUNDS = Number(option('rounds', QUICK ? 2 : 5));
const WARM_ROUNDS = QUICK ? 3 : ROUNDS * 2;
const ONLY = new Set(option('only', 'cold,real,scale,editor').split(','));
const CORES = availableParallelism?.() ?? cpus().length;
const CLI = join(root, 'dist', 'xlint.js');
/** The CLI bundle itself (dist/xlint.js is the launcher that loads it with V8's compile cache). */
const BUNDLE = join(root, 'dist', 'cli.js');
const RUSAGE = join(root, 'bench', 'rusage.cjs');
const began = performance.now();

const log = (line = '') => console.log(line);
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const ratio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const pad = (s, n) => String(s).padStart(n);

/** A line when the machine is busy: other processes compete for the two cores, and wall times grow. */
function loadNote() {
  const [one] = loadavg();
  return one > CORES * 0.75
    ? `  ⚠ load average ${one.toFixed(1)} on ${CORES} cores: other processes compete, wall times are inflated and noisy (best of N taken; CPU times are the steadier figure)`
    : `  (load average ${one.toFixed(1)} on ${CORES} cores)`;
}
const loads = [];
const durations = [];
function section(title, name) {
  const now = performance.now();
  durations.at(-1)?.push(now);
  durations.push([name, now]);
  loads.push(loadavg()[0]);
  log(`\n${title}`);
  log(loadNote());
}

const tmp = mkdtempSync(join(tmpdir(), 'xlint-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// The engine exactly as the CLI bundles it (scripts/build.mjs: `conditions: []`), with a source map for
// the profile; the peers bundled the same way as dist/cli.js, so that loading costs are alike.
const bundleOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', conditions: [], logLevel: 'warning' };
await build({ ...bundleOptions, entryPoints: [join(root, 'bench', 'entry.ts')], outfile: join(tmp, 'engine.js'), sourcemap: 'linked' });
await build({
  ...bundleOptions,
  minifyWhitespace: true,
  minifyIdentifiers: true,
  keepNames: true,
  entryPoints: { parse: join(root, 'bench', 'peers', 'parse.cjs'), validate: join(root, 'bench', 'peers', 'validate.cjs') },
  outdir: join(tmp, 'peers'),
});
const TOOLS = {
  parse: { label: 'dockerfile-ast parse alone', argv: (paths) => [join(tmp, 'peers', 'parse.js'), ...paths] },
  xlint: { label: 'xlint (CLI, all rules)', argv: (paths) => [CLI, ...paths] },
  validate: { label: 'dockerfile-utils validate', argv: (paths) => [join(tmp, 'peers', 'validate.js'), ...paths] },
};
const ORDER = ['parse', 'xlint', 'validate'];

/** One fresh process: wall time (here), CPU time and peak RSS (its own process.resourceUsage, via bench/rusage.cjs). */
function processRun(args, { rusage = true, timeout = 600_000, env = {}, cwd = root } = {}) {
  const file = join(tmp, 'rusage.jsonl');
  rmSync(file, { force: true });
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, rusage ? ['-r', RUSAGE, ...args] : args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, XLINT_BENCH_RUSAGE: file, ...env },
    timeout,
    maxBuffer: 64 << 20,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const usage = rusage && existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((u) => u.pid === r.pid) : null;
  const failed = r.error || (r.status !== 0 && r.status !== 1) ? `${r.error?.code ?? `exit ${r.status ?? r.signal}`}: ${String(r.stderr).trim().split('\n').slice(-2).join(' | ')}` : null;
  return { wall, cpu: usage?.cpuMs ?? NaN, rss: usage ? usage.rssKb / 1024 : NaN, failed };
}

/** Best of `rounds` for each named task, the tasks interleaved (rotated) within a round. */
function bestOf(rounds, names, run) {
  const best = Object.fromEntries(names.map((n) => [n, { wall: Infinity, cpu: Infinity, rss: Infinity, failed: null }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const m = run(name);
      const b = best[name];
      b.wall = Math.min(b.wall, m.wall);
      b.cpu = Math.min(b.cpu, m.cpu ?? Infinity);
      b.rss = Math.min(b.rss, m.rss ?? Infinity);
      b.failed ??= m.failed;
    }
  }
  return best;
}

const failures = new Set();
function noteFailures(results) {
  for (const [name, r] of Object.entries(results)) if (r.failed && !failures.has(name)) {
    failures.add(name);
    log(`  ⚠ ${name} failed: ${r.failed}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// CPU profiles: self time per function, mapped through the bundle's source map to the original file.

/** [url, { map, dir }] for a bundle with a linked source map (its sources are relative to its directory). */
function sourceMapOf(file) {
  const map = `${file}.map`;
  return [`file://${file}`, existsSync(map) ? { map: new SourceMap(JSON.parse(readFileSync(map, 'utf8'))), dir: join(file, '..') } : null];
}

function areaOf(source, functionName) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: V8 compile, runtime)';
  if (!source) return 'other';
  if (source.startsWith('node:')) return 'node internals (fs, module loader)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  // dockerfile-ast keeps its text in a vscode-languageserver-textdocument and builds -types ranges.
  if (m) return /^vscode-languageserver-(types|textdocument)$/.test(m[1]) ? 'dockerfile-ast' : m[1];
  const top = /^(core|rules|cli|server|builder|bench)\//.exec(source);
  return top ? `${top[1]}/` : 'other';
}

/**
 * From a .cpuprofile (`maps`: url → { map, dir }): total sampled ms; self time by area and by function;
 * `callers`: the time spent in dockerfile-ast (parse excluded) by the nearest xlint function that called
 * it; `inclusive`: total time (self and callees) of xlint's own functions, each counted once per sample.
 */
function readProfile(profile, maps) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = new Map();
  const frameOf = (id) => {
    if (frames.has(id)) return frames.get(id);
    const f = nodes.get(id).callFrame;
    let where = f.url;
    let source = f.url.startsWith('node:') ? f.url : null;
    const map = maps.get(f.url);
    if (map && f.lineNumber >= 0) {
      const e = map.map.findEntry(f.lineNumber, f.columnNumber);
      if (e?.originalSource) {
        source = originalPath(e.originalSource, map.dir);
        where = `${source}:${e.originalLine + 1}`;
      }
    } else if (f.url.startsWith('file://')) {
      source = relative(root, fileURLToPath(f.url));
      where = `${source}:${f.lineNumber + 1}`;
    }
    const name = f.functionName || '(anonymous)';
    const frame = { key: `${name}|${where}`, name, where: where || '', area: areaOf(source, f.functionName), ours: /^(core|rules|cli|server)\//.test(source ?? '') };
    frames.set(id, frame);
    return frame;
  };
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  const functions = new Map();
  const areas = new Map();
  const callers = new Map();
  const inclusive = new Map();
  const rules = new Map();
  const library = new Map();
  const add = (map, frame, ms) => {
    const e = map.get(frame.key) ?? { ms: 0, name: frame.name, where: frame.where };
    e.ms += ms;
    map.set(frame.key, e);
  };
  let total = 0;
  let parse = 0;
  for (const [id, ms] of self) {
    const frame = frameOf(id);
    if (frame.name === '(idle)' || frame.name === '(root)') continue;
    areas.set(frame.area, (areas.get(frame.area) ?? 0) + ms);
    total += ms;
    add(functions, frame, ms);
    const seen = new Set();
    let caller = null;
    let parsing = false;
    for (let up = id; up !== undefined; up = parent.get(up)) {
      const f = frameOf(up);
      if (f.name === 'parse' && f.area === 'dockerfile-ast') parsing = true;
      if (f.area === 'dockerfile-ast' && !seen.has(f.key)) {
        seen.add(f.key);
        add(library, f, ms);
      }
      if (!f.ours) continue;
      caller ??= f;
      if (!seen.has(f.key)) {
        seen.add(f.key);
        add(inclusive, f, ms);
      }
      const rule = /^rules\/([^/]+)\.ts:/.exec(f.where)?.[1];
      if (rule && rule !== 'index' && !seen.has(rule)) {
        seen.add(rule);
        rules.set(rule, (rules.get(rule) ?? 0) + ms);
      }
    }
    if (frame.area === 'dockerfile-ast' && caller && !parsing) add(callers, caller, ms);
    if (parsing) parse += ms;
  }
  const sorted = (map) => [...map.values()].sort((a, b) => b.ms - a.ms);
  return { total, parse, areas: [...areas].sort((a, b) => b[1] - a[1]), top: sorted(functions), callers: sorted(callers), inclusive: sorted(inclusive), rules: [...rules].sort((a, b) => b[1] - a[1]), library: sorted(library) };
}

function originalPath(source, dir) {
  const path = source.startsWith('file://') ? fileURLToPath(source) : source;
  const i = path.lastIndexOf('node_modules/');
  if (i >= 0) return path.slice(i);
  return relative(root, path.startsWith('/') ? path : join(dir, path));
}

function printAreas(p, indent = '    ') {
  const parts = p.areas.filter(([, ms]) => ms / p.total >= 0.01).map(([a, ms]) => `${a} ${((100 * ms) / p.total).toFixed(0)}%`);
  const lines = [''];
  for (const part of parts) {
    if (lines[lines.length - 1].length + part.length > 110) lines.push('');
    lines[lines.length - 1] += `${lines[lines.length - 1] ? ', ' : ''}${part}`;
  }
  for (const line of lines) log(`${indent}${line}`);
}

function printTop(p, n = 10, indent = '    ', list = p.top, title = 'self ms') {
  log(`${indent}${title.padStart(8)} ${'%'.padStart(5)}  function (source; inlined callees count in their caller)`);
  for (const f of list.slice(0, n)) log(`${indent}${pad(fmt(f.ms), 8)} ${pad(((100 * f.ms) / p.total).toFixed(1), 5)}  ${f.name}  ${f.where}`);
}

/** Where a profile's time goes among xlint's own functions, and which of them make dockerfile-ast work after the parse. */
function printOurs(p, indent = '    ') {
  const parseMs = p.areas.find(([a]) => a === 'dockerfile-ast')?.[1] ?? 0;
  const after = p.callers.reduce((n, c) => n + c.ms, 0);
  log(`${indent}inside DockerfileParser.parse (all it calls, GC and xlint's wrappers included): ${fmt(p.parse)} ms, ${((100 * p.parse) / p.total).toFixed(0)}%`);
  const lib = p.library.filter((f) => f.name !== 'parse').slice(0, 5);
  log(`${indent}dockerfile-ast's own functions by total time: ${lib.map((f) => `${f.name} ${fmt(f.ms)} ms (${f.where.replace(/^node_modules\/dockerfile-ast\//, '')})`).join(', ')}`);
  log(`${indent}dockerfile-ast outside its parse (getters called later: arguments, flags, variables): ${fmt(after)} ms of its ${fmt(parseMs)} ms self time, by the xlint function that asked:`);
  log(p.callers.slice(0, 6).map((c) => `${indent}  ${pad(fmt(c.ms), 6)} ms  ${c.name}  ${c.where}`).join('\n'));
  log(`${indent}xlint's own functions by total time (self and callees, GC included where it struck):`);
  log(p.inclusive.slice(0, 10).map((c) => `${indent}  ${pad(fmt(c.ms), 6)} ms ${pad(((100 * c.ms) / p.total).toFixed(0), 3)}%  ${c.name}  ${c.where}`).join('\n'));
  const rules = p.rules.map(([r, ms]) => `${r} ${fmt(ms)}`);
  log(`${indent}rules by total time (ms): ${rules.slice(0, 6).join(', ')}${rules.length > 6 ? `; the other ${rules.length - 6} ${fmt(p.rules.slice(6).reduce((n, [, ms]) => n + ms, 0))}` : ''}`);
}

// ---------------------------------------------------------------------------------------------------
const summary = [];
const target = (what, goal, measured, met) => summary.push({ what, goal, measured, met });

log(`xlint benchmark${QUICK ? ' (quick)' : ''}: node ${process.version}, ${CORES} cores (${cpus()[0]?.model?.trim() ?? '?'}), best of ${ROUNDS} rounds unless said`);

// 4 first: the cold start, while nothing else of the benchmark has warmed the page cache up for it.
if (ONLY.has('cold')) {
  section('Cold start: one small file, fresh processes (wall, best of N)', 'cold');
  const small = join(root, 'examples', 'go-cross.Dockerfile');
  const cache = join(tmp, 'xlint.codecache');
  const times = join(tmp, 'times.json');
  const phases = (mode, extra = []) => {
    rmSync(times, { force: true });
    const r = processRun([join(root, 'bench', 'cold-child.cjs'), mode, BUNDLE, ...extra, small], { rusage: false, env: { XLINT_BENCH_TIMES: times } });
    return existsSync(times) ? { ...r, ...JSON.parse(readFileSync(times, 'utf8')) } : { ...r, failed: r.failed ?? 'no timings' };
  };
  phases('cache', [cache]); // writes the code cache
  const N = QUICK ? 5 : 10;
  const best = { node: Infinity, xlint: Infinity, version: Infinity, uncached: Infinity };
  processRun([CLI, small], { rusage: false }); // the launcher writes its compile cache
  const split = { require: {}, cache: {} };
  for (let r = 0; r < N; r++) {
    const tasks = [
      ['node', () => processRun(['-e', '0'], { rusage: false })],
      ['xlint', () => processRun([CLI, small], { rusage: false })],
      ['version', () => processRun([CLI, '--version'], { rusage: false })],
      ['uncached', () => processRun([CLI, small], { rusage: false, env: { XLINT_NO_COMPILE_CACHE: '1' } })],
      ['require', () => phases('require')],
      ['cache', () => phases('cache', [cache])],
    ];
    for (let i = 0; i < tasks.length; i++) {
      const [name, run] = tasks[(i + r) % tasks.length];
      const m = run();
      if (m.failed && !failures.has(`cold ${name}`)) {
        failures.add(`cold ${name}`);
        log(`  ⚠ cold ${name}: ${m.failed}`);
      }
      if (name in best) best[name] = Math.min(best[name], m.wall);
      else for (const k of ['wall', 'node', 'load', 'main']) split[name][k] = Math.min(split[name][k] ?? Infinity, m[k] ?? Infinity);
    }
  }
  const size = statSync(BUNDLE).size;
  const gz = gzipSync(readFileSync(BUNDLE)).length;
  const others = ['server.js', 'verify.js'].filter((f) => existsSync(join(root, 'dist', f))).map((f) => `dist/${f} ${fmt(statSync(join(root, 'dist', f)).size / 1024)} KB`);
  const s = split.require;
  const c = split.cache;
  log(`  node -e 0                            ${pad(fmt(best.node), 5)} ms`);
  log(`  xlint --version (loads the bundle)   ${pad(fmt(best.version), 5)} ms`);
  log(`  xlint examples/go-cross.Dockerfile   ${pad(fmt(best.xlint), 5)} ms   ${ratio(best.xlint / best.node)} node -e 0, +${fmt(best.xlint - best.node)} ms   (target ≤ 90 ms; the launcher's compile cache warm, as after a first run)`);
  log(`    the same without the compile cache   ${pad(fmt(best.uncached), 5)} ms   (XLINT_NO_COMPILE_CACHE=1: the bundle compiled afresh)`);
  log(`    inside the process (best of each): node start-up ${fmt(s.node)} ms, loading dist/cli.js ${fmt(s.load)} ms (read, compile, top level), the run ${fmt(s.main)} ms (lint, output, lazy compile)`);
  log(`    with a V8 code cache of the bundle (vm.Script cachedData): loading ${fmt(c.load)} ms, the run ${fmt(c.main)} ms, whole ${fmt(c.wall)} ms against ${fmt(s.wall)} ms uncached in the same harness`);
  log(`  bundle: dist/cli.js ${fmt(size / 1024)} KB (${fmt(gz / 1024)} KB gzipped); loaded only by lsp / verify: ${others.join(', ')}`);
  const peerSizes = ['parse', 'validate'].map((p) => `${p}.js ${fmt(statSync(join(tmp, 'peers', `${p}.js`)).size / 1024)} KB`);
  log(`  the peers, bundled the same way for the process runs below: ${peerSizes.join(', ')}`);
  target('cold: one small file', '≤ 90 ms (node -e 0 ×1.4)', `${fmt(best.xlint)} ms (node -e 0: ${fmt(best.node)} ms, ${ratio(best.xlint / best.node)})`, best.xlint <= 90);
}

// 1. Real files.
let realTree = null;
if (ONLY.has('real')) {
  const real = realFiles();
  const texts = real.all.map((p) => readFileSync(p, 'utf8'));
  const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);
  section(
    `Real files: ${real.all.length} (${real.corpus.length} of ${real.dir ? relative(root, real.dir) : 'NO CORPUS FOUND'} + ${real.examples.length} examples/), ${fmt(lines)} lines, ${fmt(bytes(real.all) / 1024)} KB`,
    'real files',
  );
  if (real.corpus.length === 0) log('  ⚠ no real corpus: set XLINT_CORPUS or place shared/corpus/files above the repository');

  // Warm: one process, every file read already.
  const { lint, buildModel, rules, BundledParser } = require(join(tmp, 'engine.js'));
  const { DockerfileParser } = require('dockerfile-ast');
  const { validate } = require('dockerfile-utils');
  const options = { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };
  let findings = 0;
  const warmTasks = {
    parse: () => texts.forEach((t) => DockerfileParser.parse(t)),
    bundledParse: () => texts.forEach((t) => BundledParser.parse(t)),
    model: () => texts.forEach((t) => buildModel(t, options)),
    xlint: () => {
      findings = 0;
      for (const t of texts) findings += lint(t, options).diagnostics.length;
    },
    validate: () => texts.forEach((t) => validate(t)),
  };
  for (const run of Object.values(warmTasks)) run(); // the JIT compares like with like
  // (No forced collection between tasks: a full gc() here makes every task 3-4× slower afterwards.)
  const warm = bestOf(WARM_ROUNDS, Object.keys(warmTasks), (name) => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    warmTasks[name]();
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
  });
  log(`  warm, one process, files in memory (best of ${WARM_ROUNDS}, interleaved)        wall ms  cpu ms  files/s`);
  const warmLine = (label, r, extra = '') => log(`    ${label.padEnd(62)} ${pad(fmt(r.wall), 6)} ${pad(fmt(r.cpu), 7)} ${pad(fmt((1000 * texts.length) / r.wall), 8)}  ${extra}`);
  const vs = (a, b) => `${ratio(a.wall / b.wall)} (cpu ${ratio(a.cpu / b.cpu)})`;
  warmLine('dockerfile-ast parse alone', warm.parse);
  warmLine("dockerfile-ast parse in xlint's bundle (memo wrappers on)", warm.bundledParse, `${vs(warm.bundledParse, warm.parse)} the parse`);
  warmLine('xlint model alone (parse + model)', warm.model, `${vs(warm.model, warm.parse)} the parse`);
  warmLine(`xlint lint (${rules.length} rules, ${findings} findings)`, warm.xlint, `${vs(warm.xlint, warm.parse)} the parse`);
  warmLine('dockerfile-utils validate', warm.validate, `xlint ${vs(warm.validate, warm.xlint)} faster`);

  // Fresh process over the whole tree.
  const paths = [real.dir, join(root, 'examples')].filter(Boolean);
  const tree = bestOf(ROUNDS, ORDER, (name) => processRun(TOOLS[name].argv(paths)));
  noteFailures(tree);
  realTree = tree;
  const n = real.all.length;
  log(`  one fresh process over the tree, as CI runs it (best of ${ROUNDS})        wall ms  cpu ms  files/s  peak RSS`);
  for (const name of ORDER) {
    const r = tree[name];
    log(`    ${TOOLS[name].label.padEnd(62)} ${pad(fmt(r.wall), 6)} ${pad(fmt(r.cpu), 7)} ${pad(fmt((1000 * n) / r.wall), 8)}  ${pad(fmt(r.rss), 4)} MB`);
  }
  const x = tree.xlint;
  log(
    `    → xlint ${ratio(tree.validate.wall / x.wall)} faster than validate (cpu ${ratio(tree.validate.cpu / x.cpu)}), ${ratio(x.wall / tree.parse.wall)} the parse (cpu ${ratio(x.cpu / tree.parse.cpu)}), RSS ${x.rss >= tree.validate.rss ? '+' : ''}${fmt(x.rss - tree.validate.rss)} MB against validate`,
  );

  // One fresh process per file: a time-boxed random sample, each file given to each tool twice (interleaved).
  const budget = QUICK ? 5_000 : 40_000;
  const sample = shuffled(real.all);
  const sum = Object.fromEntries(ORDER.map((t) => [t, { wall: 0, cpu: 0, rss: 0 }]));
  let done = 0;
  const until = performance.now() + budget;
  for (const file of sample) {
    if (performance.now() > until) break;
    const best = bestOf(2, ORDER, (name) => processRun(TOOLS[name].argv([file])));
    noteFailures(best);
    for (const t of ORDER) {
      sum[t].wall += best[t].wall;
      sum[t].cpu += best[t].cpu;
      sum[t].rss = Math.max(sum[t].rss, best[t].rss);
    }
    done++;
  }
  log(`  one fresh process per file, as a pre-commit hook runs it (${done} of ${n} files, a random sample time-boxed to ${budget / 1000} s, best of 2 each)`);
  log(`    ${''.padEnd(62)} ms/file cpu/file files/s  peak RSS`);
  for (const t of ORDER) {
    const r = sum[t];
    log(`    ${TOOLS[t].label.padEnd(62)} ${pad(fmt(r.wall / done), 6)} ${pad(fmt(r.cpu / done), 8)} ${pad(fmt((1000 * done) / r.wall, 1), 7)}  ${pad(fmt(r.rss), 4)} MB`);
  }
  log(
    `    → xlint ${ratio(sum.validate.wall / sum.xlint.wall)} faster than validate (cpu ${ratio(sum.validate.cpu / sum.xlint.cpu)}), ${ratio(sum.xlint.wall / sum.parse.wall)} the parse (cpu ${ratio(sum.xlint.cpu / sum.parse.cpu)})`,
  );

  // Where the time goes: the warm lint, profiled in this process; a fresh CLI over the tree, profiled by node.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const until2 = performance.now() + (QUICK ? 1500 : 4000);
  let passes = 0;
  while (performance.now() < until2 || passes < 2) {
    warmTasks.xlint();
    passes++;
  }
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const warmProfile = readProfile(profile, new Map([sourceMapOf(join(tmp, 'engine.js'))]));
  log(`  CPU profile of the warm lint (${passes} passes over the files, ${fmt(warmProfile.total)} ms sampled), self time by area:`);
  printAreas(warmProfile);
  printTop(warmProfile);
  printOurs(warmProfile);

  const profDir = join(tmp, 'prof');
  mkdirSync(profDir);
  if (!QUICK) processRun(['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', profDir, CLI, ...paths], { rusage: false });
  const profFile = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (profFile) {
    const cli = readProfile(JSON.parse(readFileSync(join(profDir, profFile), 'utf8')), new Map([sourceMapOf(CLI)]));
    log(`  CPU profile of one fresh CLI run over the tree (${fmt(cli.total)} ms sampled, start-up included), self time by area:`);
    printAreas(cli);
    printTop(cli, 5);
  }

  target('real tree, fresh process: xlint vs validate', '≥ 1.5× faster', `${ratio(tree.validate.wall / x.wall)} (cpu ${ratio(tree.validate.cpu / x.cpu)}); per-file processes ${ratio(sum.validate.wall / sum.xlint.wall)}; warm ${ratio(warm.validate.wall / warm.xlint.wall)} (cpu ${ratio(warm.validate.cpu / warm.xlint.cpu)})`, tree.validate.wall / x.wall >= 1.5);
  target('real tree, fresh process: xlint vs parse alone', '≤ 1.3×', `${ratio(x.wall / tree.parse.wall)} (cpu ${ratio(x.cpu / tree.parse.cpu)}); per-file processes ${ratio(sum.xlint.wall / sum.parse.wall)}; warm ${ratio(warm.xlint.wall / warm.parse.wall)} (cpu ${ratio(warm.xlint.cpu / warm.parse.cpu)})`, x.wall / tree.parse.wall <= 1.3);
  target('real tree: peak RSS', `≤ validate + 20 MB (${fmt(tree.validate.rss + 20)} MB)`, `${fmt(x.rss)} MB (validate ${fmt(tree.validate.rss)}, parse ${fmt(tree.parse.rss)})`, x.rss <= tree.validate.rss + 20);
}

// 2. The generated corpus, for scale.
if (ONLY.has('scale')) {
  const sizes = QUICK ? [1000] : [1000, 10000];
  section(`Generated corpus for scale (examples/ varied per file), one fresh process over the tree${QUICK ? ' (quick: 10,000 files skipped)' : ''}`, 'generated');
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout ?? '';
  log(`  ${'files'.padStart(6)}  ${'tool'.padEnd(28)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'ms/file'.padStart(8)} ${'files/s'.padStart(8)}  peak RSS`);
  const perFile = {};
  const parallel = {};
  const WORKERS = Math.min(CORES, 4);
  const compareWorkers = (count, dir, rounds) => {
    const res = bestOf(rounds, ['one', 'many'], (name) => processRun([CLI, dir], { env: { XLINT_WORKERS: name === 'one' ? '0' : String(WORKERS) } }));
    noteFailures(res);
    parallel[count] = res;
  };
  compareWorkers(100, writeTree(join(tmp, 'gen-100'), generated(100)), 3);
  for (const count of sizes) {
    const texts = generated(count);
    const dir = writeTree(join(tmp, `gen-${count}`), texts);
    const rounds = count >= 10000 || QUICK ? 1 : 3;
    const res = bestOf(rounds, ORDER, (name) => processRun(TOOLS[name].argv([dir])));
    noteFailures(res);
    for (const t of ORDER) {
      const r = res[t];
      log(`  ${pad(fmt(count), 6)}  ${TOOLS[t].label.padEnd(28)} ${pad(fmt(r.wall), 8)} ${pad(fmt(r.cpu), 8)} ${pad(fmt(r.wall / count, 2), 8)} ${pad(fmt((1000 * count) / r.wall), 8)}  ${pad(fmt(r.rss), 4)} MB`);
    }
    log(`  ${''.padStart(6)}  → xlint ${ratio(res.validate.wall / res.xlint.wall)} faster than validate, ${ratio(res.xlint.wall / res.parse.wall)} the parse (best of ${rounds})`);
    perFile[count] = res;
    compareWorkers(count, dir, rounds);
    if (count >= 10000) rmSync(dir, { recursive: true, force: true });
    if (count === 1000 && /--cache\b/.test(help)) {
      // In the tree's own directory: a cache file lands in the working directory, as ESLint's does.
      // The tree was written seconds ago, so its files' stamps vouch for them (cli/lint-cache.ts).
      const cached = () => processRun([CLI, '--cache', '.'], { cwd: dir });
      cached();
      const second = Math.min(cached().wall, cached().wall, cached().wall);
      log(`  ${pad(fmt(count), 6)}  xlint --cache, unchanged tree  ${pad(fmt(second), 8)} ms (best of 3 after a first run)   (target < 300 ms)`);
      // As after a checkout: the same texts with new times, so every file is read and hashed.
      const now = new Date();
      for (const file of walk(dir)) utimesSync(file, now, now);
      const touched = Math.min(cached().wall, cached().wall);
      log(`  ${pad(fmt(count), 6)}  xlint --cache, same texts, new times  ${pad(fmt(touched), 8)} ms (best of 2: every file read and hashed, none analysed)`);
      target('--cache: unchanged 1,000 files', '< 300 ms', `${fmt(second)} ms`, second < 300);
    }
  }
  if (!/--cache\b/.test(help)) {
    log('  xlint --cache: not measured (no --cache option in `xlint --help` yet)');
    target('--cache: unchanged 1,000 files', '< 300 ms', 'not measured: no --cache option', null);
  }
  log(`  lint workers (XLINT_WORKERS=N; off by default) against one thread, same trees, best of each:`);
  for (const [count, pair] of Object.entries(parallel)) {
    log(`  ${pad(fmt(Number(count)), 6)}  one thread ${pad(fmt(pair.one.wall), 7)} ms (cpu ${fmt(pair.one.cpu)})   ${WORKERS} workers ${pad(fmt(pair.many.wall), 7)} ms (cpu ${fmt(pair.many.cpu)})   → workers ${ratio(pair.one.wall / pair.many.wall)} as fast`);
    target(`parallel lint pays at ${fmt(Number(count))} files`, 'workers faster, else off', `${ratio(pair.one.wall / pair.many.wall)} (${WORKERS} workers vs one thread)`, null);
  }
  if (perFile[10000]) {
    const a = perFile[1000].xlint;
    const b = perFile[10000].xlint;
    log(`  growth 1,000 → 10,000 files: xlint ${ratio(b.wall / a.wall)} the time (linear: 10×), ${fmt(b.rss - a.rss)} MB more peak RSS`);
    target('10,000 generated files, one process', '< 15 s', `${fmt(b.wall / 1000, 1)} s (cpu ${fmt(b.cpu / 1000, 1)} s)`, b.wall < 15000);
  } else target('10,000 generated files, one process', '< 15 s', 'not measured (--quick)', null);
}

// 3. The editor loop.
if (ONLY.has('editor')) {
  section(`Editor loop: one-character edits over stdio, p50 / p95 (${QUICK ? 'quick: few edits' : 'every edit waits for its diagnostics before the next'})`, 'editor');
  const dir = join(tmp, 'editor');
  mkdirSync(dir);
  const { files, peer } = await editorBench({ quick: QUICK, log, dir, engine: join(tmp, 'engine.js') });
  for (const [i, f] of files.entries()) {
    const limit = i === 0 ? 20 : 100;
    const measured = [f.push, f.pull].filter((m) => m.edits).map((m) => m.edits.p95);
    const worst = measured.length === 2 || (QUICK && measured.length === 1) ? Math.max(...measured) : Infinity;
    const p = f.peer.edits?.p95;
    const show = (m) => (m.edits ? `${fmt(m.edits.p95)} ms${m.error ? ` (${m.edits.n} edits: ${m.error})` : ''}` : `— (${m.error})`);
    target(
      `editor p95, ${f.name} (${fmt(f.lines)} lines)`,
      `≤ ${limit} ms and ≤ rcjsuen`,
      `xlint push ${show(f.push)}, pull ${show(f.pull)}; rcjsuen push ${p === undefined ? `— (${f.peer.error ?? 'not run'})` : `${fmt(p)} ms`}`,
      worst > limit || (p !== undefined && worst > p) ? false : p === undefined ? null : true,
    );
  }
  if (!peer.entry) target('editor: the peer ran', 'dockerfile-language-server-nodejs', `NOT RUN: ${peer.reason}`, false);
}

// ---------------------------------------------------------------------------------------------------
const elapsed = (performance.now() - began) / 1000;
durations.at(-1)?.push(performance.now());
const spent = durations.map(([name, a, b]) => `${name} ${((b - a) / 1000).toFixed(0)} s`).join(', ');
log(`\nTargets of issue 12 (this run; wall times, best of N; ${elapsed.toFixed(0)} s in all: ${spent})`);
const w1 = Math.max(...summary.map((s) => s.what.length), 10);
const w2 = Math.max(...summary.map((s) => s.goal.length), 6);
log(`  ${'what'.padEnd(w1)}  ${'target'.padEnd(w2)}  met  measured`);
for (const s of summary) log(`  ${s.what.padEnd(w1)}  ${s.goal.padEnd(w2)}  ${s.met === null ? ' — ' : s.met ? 'yes' : 'NO '}  ${s.measured}`);
const peak = Math.max(...loads, loadavg()[0]);
if (peak > CORES * 0.75) log(`  ⚠ the load average reached ${peak.toFixed(1)} on ${CORES} cores during this run: other processes were competing; rerun on a quiet machine before trusting small differences.`);
