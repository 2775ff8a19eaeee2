/**
 * The fuzzer behind `npm run fuzz` (scripts/fuzz.ts) and test/fuzz.test.ts (docs/fuzzing.md):
 * seed files (the reviewed corpus in ../shared/corpus/files and examples/), mutations (byte flips,
 * truncation, splicing, 1 MiB lines, deep nesting, duplicated stages, wide instructions), the engine
 * run in-process, the CLI run as users run it, the time bound, and a minimizer.
 *
 * Every input is a pure function of (seed, index): `npm run fuzz -- --seed S --replay I` rebuilds it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fixText } from '../../core/fix';
import { lint } from '../../core/lint';
import type { BuildOptions } from '../../core/model';
import { rules } from '../../rules/index';

// ---------------------------------------------------------------------------------------------
// The bound

/**
 * The time one engine call (lint, fix, unsafe fix) or one CLI run may take: linear in the input's
 * size, 2 s plus 50 ms per KiB (a 4 KiB corpus file: 2.2 s; a 1 MiB line: 53 s). Measured on this
 * 2-core machine: corpus files lint in ~1 ms (p99 ~60 ms, GC pauses included); a CLI run on one is
 * ~150 ms; dockerfile-ast alone needs 3–8 s to parse a single 1 MiB line. Wall-clock time, so a
 * loaded machine can push a run over; the campaign prints how close the slowest run came (ratio).
 */
export const BOUND = { baseMs: 2000, perKiBMs: 50 };

export function boundMs(bytes: number): number {
  return BOUND.baseMs + (BOUND.perKiBMs * bytes) / 1024;
}

/** A CLI run on a one-line Dockerfile takes about this long here (node start-up included), on a quiet machine. */
const QUIET_CLI_RUN_MS = 300;

/**
 * How much slower than a quiet machine this one runs the CLI right now: the best of three runs on a
 * one-line Dockerfile against QUIET_CLI_RUN_MS, at least 1. CLI bounds are multiplied by it, so a
 * CI box busy with other jobs (load 10 on 2 cores made a 300 ms run take 1.5 s) does not read as
 * superlinear work, while a run that grows faster than its input still goes over.
 */
export function cliSlowdown(cliPath: string, cwd: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, runCli(cliPath, Buffer.from('FROM alpine\n'), 'file', cwd).ms);
  return Math.max(1, best / QUIET_CLI_RUN_MS);
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness (sfc32, seeded by splitmix32): the same (seed, index) gives the same input anywhere.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Log-uniform in [lo, hi]: small values often, large ones sometimes. */
  logRange(lo: number, hi: number): number {
    return Math.min(hi, Math.floor(Math.exp(Math.log(lo) + this.next() * (Math.log(hi + 1) - Math.log(lo)))));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((sum, [w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [w, item] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][1];
  }
}

/** The generator of input `index` of campaign `seed`. */
export function inputRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

// ---------------------------------------------------------------------------------------------
// Seeds

export interface SeedFile {
  /** Relative to its root: `corpus/<file>` or `examples/<path>`. */
  name: string;
  bytes: Buffer;
}

/** ../shared/corpus/files, walking up from the repo root (or $XLINT_CORPUS/files). */
export function findCorpusFiles(repoRoot: string): { dir: string | null; looked: string[]; fromEnv: boolean } {
  const fromEnv = process.env.XLINT_CORPUS;
  if (fromEnv) {
    const dir = join(resolve(fromEnv), 'files');
    return { dir: existsSync(dir) ? dir : null, looked: [dir], fromEnv: true };
  }
  const looked: string[] = [];
  for (let dir = dirname(resolve(repoRoot)); ; dir = dirname(dir)) {
    const files = join(dir, 'shared', 'corpus', 'files');
    looked.push(files);
    if (existsSync(files)) return { dir: files, looked, fromEnv: false };
    if (dirname(dir) === dir) return { dir: null, looked, fromEnv: false };
  }
}

function isDockerfileName(name: string): boolean {
  return /^(Dockerfile|Containerfile)(\..*)?$|\.Dockerfile$|\.Containerfile$/i.test(name);
}

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && isDockerfileName(entry.name)) out.push(path);
  }
  return out;
}

export interface Seeds {
  files: SeedFile[];
  corpus: { dir: string | null; looked: string[]; fromEnv: boolean; count: number };
  examples: number;
}

export function loadSeeds(repoRoot: string): Seeds {
  const corpus = findCorpusFiles(repoRoot);
  const files: SeedFile[] = [];
  let count = 0;
  if (corpus.dir) {
    for (const name of readdirSync(corpus.dir).sort()) {
      const path = join(corpus.dir, name);
      if (!statSync(path).isFile()) continue;
      files.push({ name: `corpus/${name}`, bytes: readFileSync(path) });
      count++;
    }
  }
  const examplesDir = join(repoRoot, 'examples');
  const examples = existsSync(examplesDir) ? walk(examplesDir, []) : [];
  for (const path of examples) files.push({ name: relative(repoRoot, path), bytes: readFileSync(path) });
  return { files, corpus: { ...corpus, count }, examples: examples.length };
}

// ---------------------------------------------------------------------------------------------
// Mutations

export interface Mutated {
  bytes: Buffer;
  /** What was done, in order: `flip(3)`, `splice(corpus/a, corpus/b)`, `nesting($(*1200)`. */
  mutations: string[];
  seed: string;
  /** Index into OPTION_VARIANTS. */
  variant: number;
}

const MiB = 1 << 20;
/** What the CLI accepts (cli/inputs.ts MAX_FILE_BYTES): wide inputs stay under it. */
const CLI_LIMIT = 2 * MiB;

/** Bytes that mean something to a Dockerfile, a shell, or a UTF-8 decoder (a newline comes from the tokens: in a flip it mostly makes the rest of a line an unknown instruction). */
const INTERESTING_BYTES = Buffer.from('\\`$\'"{}()[]<>=-#/ \t\r\0:;&|@*.,!0', 'latin1');
const HIGH_BYTES = [0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xef, 0xf0, 0xfe, 0xff];

const TOKENS = [
  '${', '$(', '$((', '`', '}', ')', '"', "'", '\\\n', '`\n', '\r\n', '\n', '\\', '<<EOF\n', '<<-EOF\n', 'EOF\n', '<<"EOF"\n',
  '\ufeff', '# escape=`\n', '# escape=\\\n', '# syntax=docker/dockerfile:1\n', '# check=skip=all\n',
  '# xlint ignore=emulated-build-stage\n', '# xlint global ignore=all\n', '# hadolint ignore=DL3029\n',
  'FROM ', 'FROM scratch\n', 'FROM golang:1.22 AS build\n', 'FROM --platform=$BUILDPLATFORM golang:1.22 AS gobuild\n', ' AS ', ' AS build', ' AS 0', '--platform=$BUILDPLATFORM ',
  '--platform=$TARGETPLATFORM ', '--platform=linux/arm64 ', '--platform=${BUILDPLATFORM:-linux/amd64} ', '--platform= ',
  'ARG ', 'ARG TARGETARCH\n', 'ARG TARGETARCH=amd64\n', 'ARG TARGETOS TARGETARCH\n', 'ARG BUILDPLATFORM=linux/amd64\n',
  'ARG V=build\n', 'FROM ${V}\n', 'FROM build_${TARGETARCH}\n', '$TARGETARCH', '${TARGETARCH}', '${TARGETARCH:-amd64}',
  '$BUILDPLATFORM', '$TARGETPLATFORM', 'COPY --from=0 ', 'COPY --from=build /out /out\n', 'COPY --from=alpine / /\n',
  'RUN --mount=from=build,source=/x,target=/y ', 'RUN --mount=type=cache,target=/root/.cache ', 'RUN ', 'RUN <<EOF\n',
  'RUN go build -o /out/app .\n', 'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n', 'GOARCH=amd64 ',
  'RUN cargo build --release\n', 'RUN dotnet publish -c Release -o /out\n', 'RUN npm ci && npm run build\n',
  'RUN pip wheel -w /wheels .\n', 'RUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz\n', 'uname -m',
  'ENV GOARCH=$TARGETARCH\n', 'ONBUILD ', 'SHELL ["/bin/bash", "-c"]\n', '["go", "build"]', '&& ', '; ', '| ', 'sh -c "',
  'x86_64', 'linux-amd64', 'aarch64', 'windows/amd64', 'mcr.microsoft.com/windows/nanoserver', 'tonistiigi/xx', 'xx-go ',
];

/** Options the engine is run with; the first is the CLI's default on an amd64 machine. */
export const OPTION_VARIANTS: BuildOptions[] = [
  { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] },
  { buildPlatform: 'linux/arm64', targetPlatforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
  { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64'] },
  { buildPlatform: 'linux/arm64', targetPlatforms: ['linux/arm64'] },
  { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'windows/amd64', 'linux/s390x'], target: '0' },
];

type Mutation = (input: Buffer, rng: Rng, seeds: SeedFile[]) => { bytes: Buffer; what: string };

function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) starts.push(i + 1);
  return starts;
}

/** A random offset; half the time a line start. */
function position(bytes: Buffer, rng: Rng): number {
  if (rng.chance(0.5)) return rng.pick(lineStarts(bytes));
  return rng.int(bytes.length + 1);
}

/** An offset after the first word of a random line (so the instruction keyword survives), or anywhere on a line without a space. */
function bodyPosition(bytes: Buffer, rng: Rng): number {
  const starts = lineStarts(bytes);
  const start = rng.pick(starts);
  let end = bytes.indexOf(10, start);
  if (end < 0) end = bytes.length;
  let space = bytes.indexOf(32, start);
  if (space < 0 || space > end) space = start;
  return rng.range(space, end);
}

function insertAt(bytes: Buffer, at: number, text: string | Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, at), typeof text === 'string' ? Buffer.from(text) : text, bytes.subarray(at)]);
}

function escapeOf(bytes: Buffer): string {
  return /^(?:\ufeff)?(?:#[^\n]*\n)*?#\s*escape\s*=\s*`/i.test(bytes.subarray(0, 4096).toString('latin1')) ? '`' : '\\';
}

function eolOf(bytes: Buffer): string {
  const lf = bytes.indexOf(10);
  return lf > 0 && bytes[lf - 1] === 13 ? '\r\n' : '\n';
}

/** [start, end) of each stage: its FROM line up to the next FROM. */
function stageBlocks(bytes: Buffer): [number, number][] {
  const starts = lineStarts(bytes).filter((s) => /^\s*from\s/i.test(bytes.subarray(s, s + 16).toString('latin1')));
  return starts.map((s, i) => [s, starts[i + 1] ?? bytes.length]);
}

const flip: Mutation = (input, rng) => {
  const bytes = Buffer.from(input);
  const n = rng.logRange(1, 16);
  let out: Buffer = bytes;
  for (let k = 0; k < n; k++) {
    if (out.length === 0) {
      out = Buffer.from([rng.pick([...INTERESTING_BYTES])]);
      continue;
    }
    // Mostly past the keyword: a flipped keyword makes the whole file invalid, and --fix leaves invalid files alone.
    const at = Math.min(out.length - 1, rng.chance(0.85) ? bodyPosition(out, rng) : rng.int(out.length));
    switch (rng.int(5)) {
      case 0:
        out[at] ^= 1 << rng.int(8);
        break;
      case 1:
        out[at] = rng.pick([...INTERESTING_BYTES]);
        break;
      case 2:
        out[at] = rng.chance(0.8) ? rng.range(0x20, 0x7e) : rng.pick(HIGH_BYTES);
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.range(1, 8))]);
        break;
      default:
        out = insertAt(out, at, out.subarray(at, at + rng.range(1, 16)));
    }
  }
  return { bytes: out, what: `flip(${n})` };
};

const tokens: Mutation = (input, rng) => {
  const n = rng.logRange(1, 12);
  let out = input;
  const used: string[] = [];
  for (let k = 0; k < n; k++) {
    const token = rng.pick(TOKENS);
    used.push(JSON.stringify(token));
    // Whole lines at a line start (usually), the rest inside a line after its keyword (usually).
    const at = token.endsWith('\n') ? (rng.chance(0.9) ? rng.pick(lineStarts(out)) : position(out, rng)) : rng.chance(0.9) ? bodyPosition(out, rng) : position(out, rng);
    out = insertAt(out, at, token);
  }
  return { bytes: out, what: `tokens(${used.join(' ')})` };
};

const truncate: Mutation = (input, rng) => {
  const at = rng.int(input.length + 1);
  return { bytes: input.subarray(0, at), what: `truncate(${at})` };
};

const splice: Mutation = (input, rng, seeds) => {
  const other = rng.pick(seeds);
  const lines = rng.chance(0.5);
  const a = lines ? rng.pick(lineStarts(input)) : rng.int(input.length + 1);
  const b = lines ? rng.pick(lineStarts(other.bytes)) : rng.int(other.bytes.length + 1);
  return { bytes: Buffer.concat([input.subarray(0, a), other.bytes.subarray(b)]), what: `splice(${a}, ${other.name}@${b})` };
};

const shuffleLines: Mutation = (input, rng) => {
  const text = input.toString('latin1');
  const lines = text.split('\n');
  const n = rng.logRange(1, 8);
  for (let k = 0; k < n && lines.length > 0; k++) {
    const i = rng.int(lines.length);
    const j = rng.int(lines.length);
    switch (rng.int(3)) {
      case 0:
        [lines[i], lines[j]] = [lines[j], lines[i]];
        break;
      case 1:
        lines.splice(i, 1);
        break;
      default:
        lines.splice(j, 0, ...Array<string>(rng.logRange(1, 50)).fill(lines[i]));
    }
  }
  return { bytes: Buffer.from(lines.join('\n'), 'latin1'), what: `lines(${n})` };
};

const duplicateStage: Mutation = (input, rng) => {
  const blocks = stageBlocks(input);
  if (blocks.length === 0) return { bytes: Buffer.concat([input, Buffer.from('\nFROM alpine AS dup\nRUN true\n')]), what: 'duplicate(none)' };
  const [s, e] = rng.pick(blocks);
  const times = rng.chance(0.7) ? rng.range(1, 4) : rng.logRange(5, 400);
  let block = input.subarray(s, e);
  if (block[block.length - 1] !== 10) block = Buffer.concat([block, Buffer.from('\n')]);
  // Mostly renamed copies (a duplicate stage name makes the file invalid, and --fix leaves it alone); sometimes not.
  const rename = rng.chance(0.7);
  const text = block.toString('latin1');
  const copies = Buffer.concat(Array.from({ length: times }, (_, k) => (rename ? Buffer.from(text.replace(/^(\s*from\s.*?\sas\s+)(\S+)/i, `$1$2_${k}`), 'latin1') : block)));
  return { bytes: insertAt(input, rng.chance(0.5) ? e : s, copies), what: `duplicate-stage(${s}, x${times}${rename ? ', renamed' : ''})` };
};

/** Stage chains: `FROM s{i-1}`, `FROM ${V}` (all candidates of one variable), per-arch stages, COPY --from chains. */
const chain: Mutation = (input, rng) => {
  const n = rng.logRange(2, 2500);
  const kind = rng.int(5);
  const eol = eolOf(input);
  const lines: string[] = ['FROM alpine AS c0'];
  for (let i = 1; i <= n; i++) {
    if (kind === 0) lines.push(`FROM c${i - 1} AS c${i}`, 'RUN true');
    else if (kind === 1) lines.push(`FROM \${V} AS c${i}`);
    else if (kind === 2) lines.push(`FROM --platform=$BUILDPLATFORM golang AS c${i}_${rng.pick(['amd64', 'arm64', 'arm', '386'])}`, `COPY --from=c0 /x /x`, 'RUN go build -o /x .');
    else if (kind === 3) lines.push(`FROM alpine AS c${i}`, `COPY --from=c${i - 1} /x /x`, `RUN --mount=from=c${rng.int(i)},target=/m true`);
    else lines.push(`FROM c${i - 1} AS v${i}_amd64`, `FROM alpine AS v${i}_arm64`, 'RUN go build', `FROM v${i}_\${TARGETARCH} AS c${i}`);
  }
  // `FROM ${V}` needs a global ARG: before the first line (a parser directive there stops being one, which is fine).
  const base = kind === 1 ? insertAt(input, 0, `ARG V=c0${eol}`) : input;
  return { bytes: Buffer.concat([base, Buffer.from(eol + lines.join(eol) + eol)]), what: `chain(${kind}, ${n})` };
};

/** Deep nesting: substitutions, expansions, subshells, quotes, heredocs, continuations. */
const nesting: Mutation = (input, rng) => {
  const depth = rng.logRange(8, 20000);
  const esc = escapeOf(input);
  const eol = eolOf(input);
  const kind = rng.int(12);
  let text: string;
  switch (kind) {
    case 0:
      text = `RUN echo ${'$('.repeat(depth)}${rng.chance(0.5) ? ')'.repeat(depth) : ''}`;
      break;
    case 1:
      text = `RUN echo ${'${'.repeat(depth)}A${rng.chance(0.5) ? '}'.repeat(depth) : ''}`;
      break;
    case 2:
      text = `RUN echo ${'"$('.repeat(depth)}x${rng.chance(0.5) ? ')"'.repeat(depth) : ''}`;
      break;
    case 3:
      text = `RUN ${'( '.repeat(depth)}go build${rng.chance(0.5) ? ' )'.repeat(depth) : ''}`;
      break;
    case 4:
      text = `RUN ${'$(( '.repeat(depth)}1${rng.chance(0.5) ? ' ))'.repeat(depth) : ''}`;
      break;
    case 5:
      text = `RUN ${"sh -c '".repeat(Math.min(depth, 4000))}go build${"'".repeat(rng.int(Math.min(depth, 4000)))}`;
      break;
    case 6:
      // Many heredocs on one RUN, each with a body.
      text = `RUN ${Array.from({ length: Math.min(depth, 3000) }, (_, i) => `<<E${i}`).join(' ')}${eol}${Array.from({ length: Math.min(depth, 3000) }, (_, i) => `go build ${i}${eol}E${i}`).join(eol)}`;
      break;
    case 7:
      // Heredocs whose bodies open heredocs (and one left open).
      text = Array.from({ length: Math.min(depth, 3000) }, (_, i) => `RUN <<E${i}${eol}cat <<E${i + 1}${eol}echo $TARGETARCH`).join(eol);
      break;
    case 8:
      // An instruction continued over many lines, one word per line.
      text = `RUN go build ${Array.from({ length: depth }, (_, i) => `-x${i % 10} ${esc}`).join(eol)}${eol}  .`;
      break;
    case 9:
      // Empty continuation lines and comments inside a continuation.
      text = `FROM --platform=$BUILD${esc}${eol}${`${esc}${eol}`.repeat(Math.floor(depth / 2))}${`# c${eol}`.repeat(Math.floor(depth / 2))}PLATFORM golang AS nest`;
      break;
    case 10:
      text = `RUN ${'if true; then '.repeat(depth)}go build${rng.chance(0.5) ? '; fi'.repeat(depth) : ''}`;
      break;
    default:
      text = `RUN echo ${'`echo '.repeat(Math.min(depth, 2000))}x${'`'.repeat(rng.int(Math.min(depth, 2000)))}`;
  }
  const at = rng.pick(lineStarts(input));
  return { bytes: insertAt(input, at, text + eol), what: `nesting(${kind}, ${depth})` };
};

/** A line of `size` bytes (1 MiB mostly), of a kind the engine reads word by word. */
function longLine(rng: Rng, size: number): { line: string; kind: string } {
  const kinds: [string, (n: number) => string][] = [
    ['echo-word', (n) => 'RUN echo ' + 'a'.repeat(n)],
    ['comment', (n) => '# ' + 'x'.repeat(n)],
    ['spaces', (n) => 'RUN ' + ' '.repeat(n) + 'go build'],
    ['words', (n) => 'RUN echo' + ' w'.repeat(n / 2)],
    ['arg-default', (n) => 'ARG TARGETARCH=' + 'b'.repeat(n)],
    ['from-image', (n) => 'FROM ' + 'c'.repeat(n) + ' AS long'],
    ['urls', (n) => 'RUN ' + 'curl -o /x https://e.com/t-linux-amd64.tgz && '.repeat(n / 46) + 'true'],
    ['vars', (n) => 'RUN echo ' + '$TARGETARCH '.repeat(n / 12)],
    ['label', (n) => 'LABEL a="' + 'd'.repeat(n) + '"'],
    ['platform-flag', (n) => 'FROM --platform=' + '$BUILDPLATFORM'.repeat(n / 14) + ' alpine'],
    ['ignore-comment', (n) => '# xlint ignore=' + 'a,'.repeat(n / 2) + 'b'],
    ['envs', (n) => 'ENV ' + 'A=$TARGETARCH '.repeat(n / 14)],
    ['semicolons', (n) => 'RUN ' + 'go build;'.repeat(n / 9)],
    ['quotes', (n) => 'RUN echo "' + '\\"'.repeat(n / 2) + '"'],
  ];
  const [kind, make] = rng.pick(kinds);
  return { line: make(size), kind };
}

const hugeLine: Mutation = (input, rng) => {
  const size = rng.chance(0.4) ? MiB : rng.logRange(4096, 256 * 1024);
  const { line, kind } = longLine(rng, size);
  const eol = eolOf(input);
  return { bytes: insertAt(input, rng.pick(lineStarts(input)), line + eol), what: `long-line(${kind}, ${size})` };
};

/** Wide instructions: many names, uses, URLs, flags, instructions or stages (up to the CLI's 2 MiB). */
const wide: Mutation = (input, rng) => {
  const eol = eolOf(input);
  const kinds: [string, number, (n: number) => string][] = [
    ['arg-names', 2, (n) => 'ARG ' + 'a '.repeat(n)],
    ['arg-lines', 6, (n) => `ARG a${eol}`.repeat(n)],
    ['uses', 11, (n) => 'RUN echo ' + '$TARGETARCH'.repeat(n)],
    ['urls', 15, (n) => 'RUN curl ' + 'http://e/amd64 '.repeat(n)],
    ['goarch', 13, (n) => 'RUN ' + 'GOARCH=amd64 '.repeat(n) + 'go build'],
    ['mount-flags', 44, (n) => 'RUN ' + '--mount=from=build,source=/x,target=/y '.repeat(n) + 'true'],
    ['copies', 30, (n) => `COPY --from=0 /a /b${eol}`.repeat(n)],
    ['ignores', 40, (n) => `# xlint ignore=hardcoded-arch${eol}RUN true${eol}`.repeat(n)],
    ['stages', 22, (n) => `FROM alpine AS s${eol}RUN go build${eol}`.repeat(n)],
    ['runs', 18, (n) => `RUN go build -o /x .${eol}`.repeat(n)],
    ['commands', 10, (n) => 'RUN ' + 'go build&&'.repeat(n) + 'true'],
    ['env-names', 14, (n) => 'ENV ' + Array.from({ length: n }, (_, i) => `A${i}=$TARGETOS`).join(' ')],
  ];
  const [kind, width, make] = rng.pick(kinds);
  const n = rng.logRange(1000, Math.floor((CLI_LIMIT - input.length - 1024) / width));
  return { bytes: insertAt(input, rng.pick(lineStarts(input)), make(Math.max(1, n)) + eol), what: `wide(${kind}, ${n})` };
};

const crlf: Mutation = (input) => ({ bytes: Buffer.from(input.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'), what: 'crlf' });

const bom: Mutation = (input) => ({ bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), input]), what: 'bom' });

/** `# escape=\``: the backslash continuations become backticks (and the backticks in shell text stay, now as escapes). */
const backtick: Mutation = (input) => {
  const text = input.toString('latin1').replace(/\\(\r?\n)/g, '`$1');
  return { bytes: Buffer.from('# escape=`\n' + text, 'latin1'), what: 'escape-backtick' };
};

/**
 * Weight, mutation, and whether it makes the input large (at most one of those per input). Large
 * inputs are rare (about 1 in 2,000): each costs seconds, the rest about a millisecond.
 */
const MUTATIONS: [number, Mutation, boolean][] = [
  [24, flip, false],
  [22, tokens, false],
  [8, truncate, false],
  [10, splice, false],
  [8, shuffleLines, false],
  [5, duplicateStage, false],
  [2, chain, false],
  [5, nesting, false],
  [3, crlf, false],
  [2, bom, false],
  [3, backtick, false],
  [0.03, hugeLine, true],
  [0.02, wide, true],
];

/** Input `index` of campaign `seed`: a seed file with one to four mutations. */
export function generateInput(seeds: SeedFile[], seed: number, index: number): Mutated {
  const rng = inputRng(seed, index);
  const source = rng.pick(seeds);
  let bytes = source.bytes;
  const mutations: string[] = [];
  const count = rng.weighted([[50, 1], [30, 2], [15, 3], [5, 4]] as const);
  let large = false;
  for (let k = 0; k < count; k++) {
    const candidates = MUTATIONS.filter(([, , big]) => !(big && large));
    const [mutation, big] = rng.weighted(candidates.map(([w, m, b]) => [w, [m, b] as const] as const));
    const result = mutation(bytes, rng, seeds);
    bytes = result.bytes;
    mutations.push(result.what);
    large ||= big;
  }
  const variant = rng.chance(0.7) ? 0 : rng.int(OPTION_VARIANTS.length);
  return { bytes, mutations, seed: source.name, variant };
}

// ---------------------------------------------------------------------------------------------
// Running the engine

export type EngineOp = 'lint' | 'fix' | 'fix-unsafe';
export const ENGINE_OPS: EngineOp[] = ['lint', 'fix', 'fix-unsafe'];

export interface EngineRun {
  op: EngineOp;
  ms: number;
  /** The thrown error's stack (or message), when it threw. */
  error: string | null;
  /** lint: how many model errors (invalid-dockerfile) the input has; a fix leaves such a file alone. */
  modelErrors?: number;
  /** fix: whether the passes settled, and whether the text changed. */
  converged?: boolean;
  changed?: boolean;
}

/** The text the engine sees: the bytes as UTF-8 (the CLI refuses invalid UTF-8 and NUL; the engine must not crash on them either). */
export function decode(bytes: Buffer): string {
  return bytes.toString('utf8');
}

/** lint, fixText, fixText with unsafe fixes; `before` is told each op as it starts (the fuzz script's watchdog). */
export function runEngine(text: string, variant: number, before?: (op: EngineOp) => void): EngineRun[] {
  const options = { ...OPTION_VARIANTS[variant], rules };
  const runs: EngineRun[] = [];
  for (const op of ENGINE_OPS) {
    before?.(op);
    const start = performance.now();
    const run: EngineRun = { op, ms: 0, error: null };
    try {
      if (op === 'lint') run.modelErrors = lint(text, options).model.errors.length;
      else {
        const fixed = fixText(text, { ...options, unsafe: op === 'fix-unsafe' });
        run.converged = fixed.converged;
        run.changed = fixed.changed;
      }
    } catch (e) {
      run.error = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    }
    run.ms = performance.now() - start;
    runs.push(run);
    // The same throw in every op says nothing new; a throw is counted once per input.
    if (run.error) break;
  }
  return runs;
}

/** A crash's identity: the error line and the first frame in our code. */
export function signature(stack: string): string {
  const lines = stack.split('\n');
  const frame = lines.find((l) => /^\s+at /.test(l) && /(core|rules)\//.test(l)) ?? lines.find((l) => /^\s+at /.test(l)) ?? '';
  return `${lines[0]} @ ${frame.trim().replace(/^at /, '').replace(/:\d+\)?$/, '').replace(/\(.*\/(core|rules)\//, '($1/')}`;
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** `--format json FILE`, `--format json --stdin`, `--stdin --fix` (the fixed text on stdout), `--diff FILE`, `--diff --unsafe-fixes FILE`. */
export type CliMode = 'file' | 'stdin' | 'stdin-fix' | 'diff' | 'diff-unsafe';

export interface CliRun {
  mode: CliMode;
  status: number | null;
  signal: string | null;
  ms: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const CLI_ARGS: Record<CliMode, string[]> = {
  file: ['--format', 'json', 'Dockerfile'],
  stdin: ['--format', 'json', '--stdin'],
  'stdin-fix': ['--stdin', '--fix'],
  diff: ['--diff', 'Dockerfile'],
  'diff-unsafe': ['--diff', '--unsafe-fixes', 'Dockerfile'],
};

/**
 * Runs `node dist/xlint.js` in `cwd` (a directory with no config above it) on the bytes, as a file
 * named Dockerfile or on stdin. Killed after `timeoutMs` (default: 3 × the bound, at least 60 s).
 */
export function runCli(cliPath: string, bytes: Buffer, mode: CliMode, cwd: string, unsafe = false, timeoutMs?: number): CliRun {
  const onStdin = mode === 'stdin' || mode === 'stdin-fix';
  if (!onStdin) writeFileSync(join(cwd, 'Dockerfile'), bytes);
  const args = [...CLI_ARGS[mode], ...(unsafe && mode === 'stdin-fix' ? ['--unsafe-fixes'] : [])];
  const timeout = Math.ceil(timeoutMs ?? Math.max(60_000, 3 * boundMs(bytes.length)));
  const start = performance.now();
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    input: onStdin ? bytes : undefined,
    encoding: 'utf8',
    timeout,
    // --format json on a 2 MiB file with 135,000 findings prints ~100 MB (linear, ~760 bytes a
    // finding): past maxBuffer spawnSync kills the CLI with SIGTERM, which reads as a crash.
    maxBuffer: 256 * MiB,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - start;
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { mode, status: result.status, signal: result.signal, ms, stdout: result.stdout ?? '', stderr: result.stderr ?? '', timedOut };
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

/**
 * What is wrong with a CLI run, or null: exit 0, 1 or 2; never a stack trace; with `--format json`
 * one JSON report, an exit 2 explained (an unreadable file's error, or an invalid-dockerfile
 * finding) and every stderr line a one-line `xlint: ...` message; `--stdin --fix` printing the
 * engine's fixed text (`expectedFix`, when given).
 */
export function judgeCli(run: CliRun, expectedFix?: string): string | null {
  if (run.timedOut) return `killed after ${run.ms.toFixed(0)} ms (timeout)`;
  if (run.signal) return `killed by ${run.signal}`;
  if (run.status === null || ![0, 1, 2].includes(run.status)) return `exit code ${run.status}`;
  if (/internal error/i.test(run.stderr) || STACK_FRAME.test(run.stderr)) return `stack trace on stderr: ${run.stderr.split('\n').slice(0, 3).join(' | ')}`;
  if (run.mode !== 'stdin-fix') {
    const bad = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('xlint: '));
    if (bad.length > 0) return `stderr lines not of the form "xlint: ...": ${bad.slice(0, 2).join(' | ')}`;
  }
  if (run.mode === 'file' || run.mode === 'stdin') {
    let reports: unknown;
    try {
      reports = JSON.parse(run.stdout);
    } catch {
      return `stdout is not JSON (exit ${run.status}): ${run.stdout.slice(0, 120)}`;
    }
    if (!Array.isArray(reports) || reports.length !== 1) return `JSON is not one report: ${run.stdout.slice(0, 120)}`;
    const report = reports[0] as { error?: string; diagnostics: { ruleId: string }[] };
    if (run.status === 2 && !report.error && !report.diagnostics.some((d) => d.ruleId === 'invalid-dockerfile')) return 'exit 2 without an error or an invalid-dockerfile finding';
    if (report.error && run.stderr.trim().split('\n').length !== 1) return `an unreadable file explained in ${run.stderr.trim().split('\n').length} lines`;
  } else if (expectedFix !== undefined && run.status !== 2 && run.stdout !== expectedFix) {
    return `--stdin --fix printed ${run.stdout.length} chars, the engine's fixText gives ${expectedFix.length}`;
  }
  return null;
}

/** The text the CLI lints (null when it refuses the bytes: NUL, invalid UTF-8, too large). */
export function cliText(bytes: Buffer): string | null {
  if (bytes.length > CLI_LIMIT || bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Minimizing

/**
 * The smallest input still failing (`fails` true), by removing chunks of lines, then of characters
 * (ddmin-like, halving the chunk size), then by shortening runs of a repeated unit (`a a a ...`:
 * a wide input fails at some count, not at its exact text). Stops at `budgetMs`.
 */
export function minimize(input: string, fails: (text: string) => boolean, budgetMs = 60_000): string {
  const deadline = performance.now() + budgetMs;
  let best = input;
  const tryText = (candidate: string): boolean => {
    if (candidate === best || performance.now() > deadline) return false;
    if (!fails(candidate)) return false;
    best = candidate;
    return true;
  };
  // Repeated units first: they are where the size is.
  shrinkRepeats(() => best, tryText, deadline);
  for (const unit of ['line', 'char'] as const) {
    let pieces = unit === 'line' ? best.split(/(?<=\n)/) : [...best];
    for (let chunk = Math.max(1, pieces.length >> 1); chunk >= 1 && performance.now() < deadline; chunk = chunk === 1 ? 0 : Math.max(1, chunk >> 1)) {
      for (let i = 0; i < pieces.length && performance.now() < deadline; ) {
        const candidate = [...pieces.slice(0, i), ...pieces.slice(i + chunk)];
        if (tryText(candidate.join(''))) pieces = candidate;
        else i += chunk;
      }
      if (unit === 'char' && pieces.length > 4000) break;
    }
  }
  return best;
}

/** Finds the longest run of a repeated unit (1–64 chars) and bisects its count down. */
function shrinkRepeats(current: () => string, tryText: (s: string) => boolean, deadline: number): void {
  for (let round = 0; round < 8 && performance.now() < deadline; round++) {
    const text = current();
    const run = longestRepeat(text);
    if (!run || run.count < 4) return;
    let lo = 1;
    let hi = run.count;
    while (lo < hi && performance.now() < deadline) {
      const mid = (lo + hi) >> 1;
      const candidate = text.slice(0, run.start) + run.unit.repeat(mid) + text.slice(run.start + run.unit.length * run.count);
      if (tryText(candidate)) hi = mid;
      else lo = mid + 1;
    }
    if (current() === text) return;
  }
}

export function longestRepeat(text: string): { start: number; unit: string; count: number } | null {
  let best: { start: number; unit: string; count: number } | null = null;
  const sample = text.length > 4 * MiB ? text.slice(0, 4 * MiB) : text;
  for (let width = 1; width <= 64; width++) {
    let i = 0;
    while (i + width <= sample.length) {
      let count = 1;
      while (i + (count + 1) * width <= sample.length && sample.startsWith(sample.slice(i, i + width), i + count * width)) count++;
      if (count > 1 && (!best || count * width > best.count * best.unit.length)) best = { start: i, unit: sample.slice(i, i + width), count };
      i += count > 1 ? count * width : 1;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Regression fixtures (test/fixtures/fuzz/*.json)

export interface Fixture {
  /** What failed, and where it was found (fuzz seed/index, property test, by hand). */
  description: string;
  /** The input, literal; or parts, for inputs too large to keep (`{"repeat": "a ", "times": 130000}`). */
  input?: string;
  parts?: ({ text: string } | { repeat: string; times: number })[];
  /** OPTION_VARIANTS index (default 0; the CLI replay needs 0, the CLI's default build). */
  variant?: number;
  /**
   * While the bug is open: what fails (a crash, a run over the bound, fixes that never settle, a wrong finding), the
   * CLI mode that shows it (`file`: lint; `diff`: the safe fixes; `diff-unsafe`) and the stack or
   * time. The replay then expects that failure; when it stops failing, delete this field.
   */
  open?: { kind: 'crash' | 'over-bound' | 'not-settled' | 'wrong-result'; mode?: 'file' | 'diff' | 'diff-unsafe'; detail: string };
  /** The rule ids lint must report (sorted; options of `variant`), for a wrong result. */
  expectRules?: string[];
  /** Takes more than ~5 s to replay: only with XLINT_FUZZ_SLOW=1. */
  slow?: boolean;
}

export function fixtureText(fixture: Fixture): string {
  if (fixture.input !== undefined) return fixture.input;
  return (fixture.parts ?? []).map((p) => ('text' in p ? p.text : p.repeat.repeat(p.times))).join('');
}
