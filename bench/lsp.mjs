// Editor latency (DESIGN §6: diagnostics after an edit < 30 ms p95 for 1,000 lines, < 150 ms for
// 5,000), measured three ways on generated multi-stage Dockerfiles, against a peer run in the same
// script (dockerfile-ast's parse alone, which any Dockerfile tool pays):
//   service  the language service in-process: lint the edited text and convert to LSP diagnostics
//   pull     over stdio, as VS Code does: didChange, then textDocument/diagnostic, until the answer
//   push     over stdio, as Neovim does: didChange until publishDiagnostics (includes the 50 ms debounce)
// Usage: npm run build && node bench/lsp.mjs [--sizes 1000,3000,5000] [--edits 200]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const SIZES = (args.sizes ?? '1000,3000,5000').split(',').map(Number);
const EDITS = Number(args.edits ?? 200);
const PROTOCOL_EDITS = Math.min(EDITS, 100);
const root = join(import.meta.dirname, '..');
const CLI = join(root, 'dist', 'xlint.js');

const out = mkdtempSync(join(tmpdir(), 'xlint-bench-lsp-'));
await build({
  stdin: {
    contents: "export { analyze, diagnostics } from './server/service'; export { effectiveSettings, DEFAULT_SETTINGS } from './server/settings';",
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: join(out, 'service.js'),
  logLevel: 'warning',
});
const { analyze, diagnostics, effectiveSettings, DEFAULT_SETTINGS } = require(join(out, 'service.js'));
const { DockerfileParser } = require('dockerfile-ast');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
rmSync(out, { recursive: true, force: true });

const SETTINGS = { ...DEFAULT_SETTINGS, platforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/amd64' };
const settings = effectiveSettings(SETTINGS, null);

/** A realistic multi-stage Dockerfile of about `lines` lines: Go, C and Node stages, args, continuations, heredocs. */
function dockerfile(lines) {
  const out = ['# syntax=docker/dockerfile:1', 'ARG GO_VERSION=1.22', 'ARG ALPINE_VERSION=3.20', ''];
  for (let i = 0; out.length < lines - 12; i++) {
    switch (i % 3) {
      case 0:
        out.push(
          `FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS go${i}`,
          'WORKDIR /src',
          'COPY go.mod go.sum ./',
          'RUN --mount=type=cache,target=/go/pkg/mod \\',
          '    go mod download',
          'COPY . .',
          'ARG TARGETOS TARGETARCH',
          'RUN --mount=type=cache,target=/go/pkg/mod \\',
          '    --mount=type=cache,target=/root/.cache/go-build \\',
          `    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -o /out/svc${i} ./cmd/svc${i}`,
          '',
        );
        break;
      case 1:
        out.push(
          `FROM debian:bookworm AS c${i}`,
          'RUN apt-get update && apt-get install -y --no-install-recommends \\',
          '    build-essential cmake pkg-config libssl-dev \\',
          '  && rm -rf /var/lib/apt/lists/*',
          'WORKDIR /src',
          'COPY . .',
          `RUN cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j && cp build/tool /out/tool${i}`,
          'RUN <<EOF',
          'set -e',
          `echo "built tool${i} for $(uname -m)"`,
          'EOF',
          '',
        );
        break;
      default:
        out.push(
          `FROM --platform=$BUILDPLATFORM node:20 AS web${i}`,
          'WORKDIR /app',
          'COPY package.json package-lock.json ./',
          'RUN npm ci',
          'COPY . .',
          `RUN npm run build -- --out-dir /out/web${i}`,
          '',
        );
    }
  }
  const stages = out.filter((l) => l.startsWith('FROM')).map((l) => l.split(' AS ')[1]);
  out.push('FROM alpine:${ALPINE_VERSION}', 'RUN apk add --no-cache ca-certificates');
  for (const s of stages.slice(0, 6)) out.push(`COPY --from=${s} /out/ /opt/${s}/`);
  out.push('USER nobody', 'ENTRYPOINT ["/opt/go0/svc0"]', '');
  return out.join('\n');
}

/** The text after edit k: one character typed into a RUN line in the middle of the file, as a person types. */
function edited(text, k) {
  const at = text.indexOf('go mod download', Math.floor(text.length / 2));
  return text.slice(0, at) + `go mod download ${'x'.repeat(k % 5)}` + text.slice(at + 'go mod download'.length);
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

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const ms = (n) => `${n.toFixed(1)} ms`;

function inProcess(text) {
  // Warm up: the JIT, as a running server is.
  for (let k = 0; k < 20; k++) diagnostics(analyze(edited(text, k), settings));
  const service = [];
  const parse = [];
  for (let k = 0; k < EDITS; k++) {
    const t = edited(text, k);
    let start = performance.now();
    DockerfileParser.parse(t);
    parse.push(performance.now() - start);
    start = performance.now();
    diagnostics(analyze(t, settings));
    service.push(performance.now() - start);
  }
  return { service: stats(service), parse: stats(parse) };
}

async function overStdio(text, mode) {
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let published = null;
  connection.onNotification('textDocument/publishDiagnostics', (p) => published?.(p));
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => SETTINGS));
  connection.listen();
  const pull = mode === 'pull';
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true }, textDocument: pull ? { diagnostic: {} } : { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification('initialized', {});
  const uri = 'file:///bench/Dockerfile';
  const waitPublish = (version) => new Promise((resolve) => (published = (p) => p.version === version && resolve(p)));
  let ready = pull ? null : waitPublish(1);
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  if (pull) await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  else await ready;
  const samples = [];
  let current = text;
  for (let k = 0; k < PROTOCOL_EDITS + 10; k++) {
    const version = k + 2;
    // An incremental change, as editors send them: the typed characters, not the whole text.
    const next = edited(text, k);
    const delta = change(current, next);
    current = next;
    const start = performance.now();
    ready = pull ? null : waitPublish(version);
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [delta] });
    if (pull) await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    else await ready;
    if (k >= 10) samples.push(performance.now() - start); // the first ten warm up the server
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  return stats(samples);
}

const budgets = { 1000: 30, 5000: 150 };
console.log(`Editor latency after an edit (${EDITS} edits in-process, ${PROTOCOL_EDITS} over stdio; p50 / p95 / max)\n`);
let failed = false;
for (const size of SIZES) {
  const text = dockerfile(size);
  const lines = text.split('\n').length;
  const local = inProcess(text);
  const pull = await overStdio(text, 'pull');
  const push = await overStdio(text, 'push');
  const budget = budgets[size];
  const within = budget === undefined ? '' : pull.p95 <= budget ? `  ✓ within ${budget} ms` : `  ✗ over the ${budget} ms budget`;
  if (budget !== undefined && pull.p95 > budget) failed = true;
  const diags = diagnostics(analyze(text, settings)).length;
  console.log(`${lines} lines, ${text.match(/^FROM /gm).length} stages, ${diags} diagnostics`);
  console.log(`  dockerfile-ast parse alone (peer)  ${ms(local.parse.p50)} / ${ms(local.parse.p95)} / ${ms(local.parse.max)}`);
  console.log(`  xlint service (lint + LSP data)    ${ms(local.service.p50)} / ${ms(local.service.p95)} / ${ms(local.service.max)}   ${(local.service.p50 / local.parse.p50).toFixed(2)}× the parse`);
  console.log(`  over stdio, pull (VS Code)         ${ms(pull.p50)} / ${ms(pull.p95)} / ${ms(pull.max)}${within}`);
  console.log(`  over stdio, push (50 ms debounce)  ${ms(push.p50)} / ${ms(push.p95)} / ${ms(push.max)}`);
}
process.exitCode = failed ? 1 : 0;
