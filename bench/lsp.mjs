// Editor loop (issue 12, DESIGN §6): one-character edits typed into a RUN line in the middle of two
// large Dockerfiles built from real corpus files, a moby-sized one (~650 lines, ~58 stages) and one
// eight times over (~5,200 lines, hundreds of stages); the time from didChange until diagnostics,
// p50 / p95, over stdio:
//   xlint push   didChange until publishDiagnostics for that version (as Neovim; the debounce counts)
//   xlint pull   didChange, then textDocument/diagnostic, until the answer (as VS Code)
//   rcjsuen push the same edits to dockerfile-language-server-nodejs, the peer (it only pushes)
// and, in a child process, the analysis alone for each edit: xlint's lint (fresh, and taking over the
// previous edit's parse as the editor's worker does), dockerfile-utils' validate
// (what the peer runs per edit) and dockerfile-ast's parse.
// Reports; never fails. Usage: npm run build && node bench/lsp.mjs [--quick]
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { editor, mobySized, realFiles, repeated, root } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const CLI = join(root, 'dist', 'xlint.js');
const XLINT_SETTINGS = { enable: true, platforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/amd64' };

/** The peer's entry, or null with the reason it cannot run. */
export function peerServer() {
  try {
    const entry = require.resolve('dockerfile-language-server-nodejs/lib/server.js');
    return { entry, version: JSON.parse(readFileSync(join(entry, '..', '..', 'package.json'), 'utf8')).version };
  } catch (error) {
    return { entry: null, reason: `dockerfile-language-server-nodejs is not installed (${error.code ?? error.message}); run npm ci` };
  }
}

/** The LSP change that turns `before` into `after`: the span between their common prefix and suffix. */
function change(before, after) {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const position = (offset) => {
    const line = before.slice(0, offset).split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n', offset - 1) + 1) };
  };
  return { range: { start: position(start), end: position(before.length - end) }, text: after.slice(start, after.length - end) };
}

export function stats(samples) {
  if (samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

const within = (promise, ms, what) => {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${(ms / 1000).toFixed(0)} s`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

/**
 * One language server over stdio given `edits` one-character edits (the first `warm` not counted).
 * Returns { open: ms until the first diagnostics, edits: stats, error?: why it stopped early }.
 */
async function overStdio({ argv, path, text, mode, edits, warm, openTimeout, editTimeout, deadline }) {
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(`exited (${signal ?? code})`)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let published = null;
  connection.onNotification('textDocument/publishDiagnostics', (p) => published?.(p));
  connection.onNotification(() => undefined);
  connection.onRequest((method, params) =>
    method === 'workspace/configuration' ? params.items.map((item) => (item.section === 'xlint' ? XLINT_SETTINGS : null)) : null,
  );
  connection.onError(() => undefined);
  connection.listen();
  const pull = mode === 'pull';
  const uri = pathToFileURL(path).href;
  const samples = [];
  let open = null;
  let error = null;
  let last = null;
  const answer = (version, ms, what) =>
    within(
      Promise.race([
        pull
          ? connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })
          : new Promise((resolve) => (published = (p) => p.uri === uri && (p.version === undefined || p.version === version) && resolve(p))),
        exited.then((why) => Promise.reject(new Error(`the server ${why}`))),
      ]),
      ms,
      what,
    );
  try {
    await within(
      connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(join(path, '..')).href,
        capabilities: {
          workspace: { configuration: true },
          textDocument: { synchronization: { dynamicRegistration: false }, ...(pull ? { diagnostic: {} } : { publishDiagnostics: { versionSupport: true } }) },
        },
      }),
      20_000,
      'answer to initialize',
    );
    await connection.sendNotification('initialized', {});
    let start = performance.now();
    let waiting = pull ? null : answer(1, openTimeout, 'diagnostics after didOpen');
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    last = await (pull ? answer(1, openTimeout, 'diagnostics after didOpen') : waiting);
    open = performance.now() - start;
    const edit = editor(text);
    let current = text;
    for (let k = 1; k <= edits + warm; k++) {
      if (performance.now() > deadline) {
        error = `stopped at the time limit after ${samples.length} edits`;
        break;
      }
      const version = k + 1;
      // An incremental change, as editors send them: the typed character, not the whole text.
      const next = edit.text(k);
      const delta = change(current, next);
      current = next;
      start = performance.now();
      waiting = pull ? null : answer(version, editTimeout, `diagnostics after edit ${k}`);
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [delta] });
      last = await (pull ? answer(version, editTimeout, `diagnostics after edit ${k}`) : waiting);
      if (k > warm) samples.push(performance.now() - start);
    }
    await within(connection.sendRequest('shutdown'), 3000, 'answer to shutdown').catch(() => undefined);
    await connection.sendNotification('exit').catch(() => undefined);
  } catch (e) {
    error = e.message + (/exited/.test(e.message) && stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '');
  } finally {
    connection.dispose();
    const gone = await within(exited, 2000, 'exit').then(() => true, () => false);
    if (!gone) child.kill('SIGKILL');
  }
  // What the last answer held: a server that gives up on a file (a time budget) answers fast, and says so.
  const items = last?.diagnostics ?? last?.items ?? null;
  const gaveUp = items?.find((d) => /too complex|stopped after|not analysed|not checked/i.test(d.message));
  if (gaveUp && !error) error = `its answer is not an analysis: "${gaveUp.message.slice(0, 100)}"`;
  return { open, edits: stats(samples), error, diagnostics: items?.length ?? null };
}

/** The analysis alone per edit, in a child process (a slow analysis cannot hang the benchmark). */
function analysisAlone(engine, path, edits, budgetMs, timeoutMs) {
  const script = `
    const { readFileSync } = require('node:fs');
    const { lint, rules, IncrementalParser } = require(${JSON.stringify(engine)});
    const { DockerfileParser } = require('dockerfile-ast');
    const { validate } = require('dockerfile-utils');
    import(${JSON.stringify(pathToFileURL(join(root, 'bench', 'fixtures.mjs')).href)}).then(({ editor }) => {
      const text = readFileSync(${JSON.stringify(path)}, 'utf8');
      const edit = editor(text);
      const options = { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };
      // As the editor's worker lints: the document's parser takes over the instructions an edit left unchanged.
      const parser = new IncrementalParser();
      const tasks = { lint: (t) => lint(t, options), editor: (t) => lint(t, { ...options, parser }), validate: (t) => validate(t), parse: (t) => DockerfileParser.parse(t) };
      const out = { lint: [], editor: [], validate: [], parse: [] };
      const names = Object.keys(tasks);
      // Warm up, as a server that has been open a while is (the lint's JIT needs ~100 runs to settle).
      const warmUntil = performance.now() + ${Math.round(budgetMs / 3)};
      for (let k = 0; k < 100 && (k < 3 || performance.now() < warmUntil); k++) for (const name of names) tasks[name](edit.text(k));
      const until = performance.now() + ${Math.round((2 * budgetMs) / 3)};
      for (let k = 0; k < ${edits} && (k < 5 || performance.now() < until); k++) {
        const t = edit.text(k);
        names.forEach((_, i) => {
          const name = names[(i + k) % names.length];
          const start = performance.now();
          tasks[name](t);
          out[name].push(performance.now() - start);
        });
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0 || !r.stdout) return { error: r.error?.code === 'ETIMEDOUT' ? `no result within ${timeoutMs / 1000} s` : (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-2).join(' | ') };
  const out = JSON.parse(r.stdout);
  return { lint: stats(out.lint), editor: stats(out.editor), validate: stats(out.validate), parse: stats(out.parse) };
}

/** `xlint FILE` in a fresh process, best wall time of `runs`, or the reason there is none. */
function cliCold(path, runs, timeoutMs) {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const p = spawnSync(process.execPath, [CLI, path], { stdio: 'ignore', timeout: timeoutMs });
    if (p.error || (p.status !== 0 && p.status !== 1)) return { error: p.error?.code === 'ETIMEDOUT' ? `no result within ${timeoutMs / 1000} s` : `exit ${p.status ?? p.signal}` };
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, runs };
}

/** The two editor files, built from the real corpus. */
export function editorFiles(dir) {
  const { corpus } = realFiles();
  if (corpus.length === 0) return null;
  const moby = mobySized(corpus);
  const big = repeated(moby, 8);
  const files = [];
  for (const [name, text] of [['moby-sized', moby], ['5,000 lines', big]]) {
    const sub = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(sub, { recursive: true });
    const path = join(sub, 'Dockerfile');
    writeFileSync(path, text);
    files.push({ name, path, text, lines: text.split('\n').length, stages: (text.match(/^\s*FROM\s/gim) ?? []).length, editLine: editor(text).line });
  }
  return files;
}

/**
 * The whole editor benchmark: returns rows for the report and prints as it goes with `log`.
 * quick: fewer edits. engine: the engine bundle built by bench/run.mjs (for the analysis-alone line).
 */
export async function editorBench({ quick = false, log = console.log, dir, engine = null }) {
  const files = editorFiles(dir);
  if (!files) {
    log('  no real corpus found: editor loop not measured');
    return { files: [], peer: peerServer() };
  }
  const peer = peerServer();
  const results = [];
  for (const [i, file] of files.entries()) {
    const large = i > 0;
    const edits = quick ? (large ? 3 : 10) : large ? 30 : 60;
    const warm = quick ? 2 : 5;
    const editTimeout = large ? 15_000 : 10_000;
    const openTimeout = large ? 30_000 : 15_000;
    const budget = (quick ? 3_000 : 12_000) * (large ? 1.5 : 1);
    const run = (argv, mode) =>
      overStdio({ argv, path: file.path, text: file.text, mode, edits, warm, openTimeout, editTimeout, deadline: performance.now() + budget });
    const row = { ...file, text: undefined };
    // --quick: on the large file, pull only and no side measurements.
    const full = !quick || !large;
    row.cli = full ? cliCold(file.path, quick ? 1 : 3, large ? 60_000 : 30_000) : { error: 'not measured (--quick)' };
    row.analysis = !engine ? null : full ? analysisAlone(engine, file.path, quick ? 10 : 60, quick ? 1_500 : 10_000, 90_000) : { error: 'not measured (--quick)' };
    row.push = full ? await run([CLI, 'lsp', '--stdio'], 'push') : { open: null, edits: null, error: 'not measured (--quick)', skipped: true };
    // When the server gives no first answer, the other mode would only wait as long again.
    row.pull = row.push.open === null && !row.push.skipped ? { open: null, edits: null, error: 'not run: no answer in push mode' } : await run([CLI, 'lsp', '--stdio'], 'pull');
    row.peer = peer.entry ? await run([peer.entry, '--stdio'], 'push') : { open: null, edits: null, error: peer.reason };
    results.push(row);
    printFile(row, log, peer);
  }
  if (!peer.entry || results.some((r) => r.peer.error && !r.peer.edits)) {
    log(`\n  !!! THE PEER (dockerfile-language-server-nodejs) DID NOT RUN: ${peer.reason ?? results.find((r) => r.peer.error)?.peer.error}`);
    log('  !!! The "no slower than rcjsuen" comparison is missing from this run.');
  }
  return { files: results, peer };
}

const f1 = (n) => (n === null || n === undefined ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const pp = (s) => (s ? `${f1(s.p50).padStart(6)} ${f1(s.p95).padStart(6)} ${f1(s.max).padStart(7)}` : `${'—'.padStart(6)} ${'—'.padStart(6)} ${'—'.padStart(7)}`);

function printFile(row, log, peer) {
  log(`\n  ${row.name}: ${row.lines} lines, ${row.stages} stages (edits typed at the end of line ${row.editLine})`);
  log(`    ${''.padEnd(44)}  p50 ms p95 ms  max ms   n diags  first diagnostics`);
  const line = (label, r) =>
    log(`    ${label.padEnd(44)} ${pp(r.edits)} ${String(r.edits?.n ?? 0).padStart(3)} ${String(r.diagnostics ?? '—').padStart(5)}  ${r.open === null ? '—' : `${f1(r.open)} ms`}${r.error ? `   ⚠ ${r.error}` : ''}`);
  line('xlint, push (didChange → publishDiagnostics)', row.push);
  line('xlint, pull (didChange → diagnostic answer)', row.pull);
  line(`rcjsuen ${peer.version ?? ''}, push`, row.peer);
  log(`    xlint CLI on this file, fresh process: ${row.cli.error ? `⚠ ${row.cli.error}` : `${f1(row.cli.ms)} ms (best of ${row.cli.runs})`}`);
  const a = row.analysis;
  if (a?.error) log(`    analysis alone per edit: ⚠ ${a.error}`);
  else if (a) {
    log(`    analysis alone per edit, in one warm process (p50 / p95 ms):`);
    log(`      xlint lint ${f1(a.lint.p50)} / ${f1(a.lint.p95)}, taking over the previous edit's parse as the editor's worker does ${f1(a.editor.p50)} / ${f1(a.editor.p95)}`);
    log(`      dockerfile-utils validate ${f1(a.validate.p50)} / ${f1(a.validate.p95)}   dockerfile-ast parse ${f1(a.parse.p50)} / ${f1(a.parse.p95)}`);
  }
}

// Standalone: npm run bench:lsp [-- --quick]
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const dir = mkdtempSync(join(tmpdir(), 'xlint-bench-lsp-'));
  try {
    await build({ entryPoints: [join(root, 'bench', 'entry.ts')], bundle: true, platform: 'node', format: 'cjs', conditions: [], outfile: join(dir, 'engine.js'), logLevel: 'warning' });
    console.log(`Editor loop: one-character edits over stdio${quick ? ' (quick)' : ''}`);
    await editorBench({ quick, dir, engine: join(dir, 'engine.js') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
