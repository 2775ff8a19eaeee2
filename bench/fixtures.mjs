// The inputs of the benchmarks: the real corpus (../shared/corpus/files, found by walking up from the
// repository; XLINT_CORPUS overrides) plus examples/, large editor files built from real corpus
// files, and the generated corpus kept for scale.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** The file names xlint finds in directories (README: Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile). */
export const isDockerfileName = (name) => /^(Dockerfile|Containerfile)$|\.Dockerfile$|^Dockerfile\./i.test(name);

/** Every Dockerfile under `dir`, sorted, skipping node_modules and .git as the CLI does. */
export function walk(dir, found = []) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, found);
    else if (isDockerfileName(e.name)) found.push(path);
  }
  return found;
}

/** The real corpus directory: XLINT_CORPUS, else the first `shared/corpus/files` walking up from the repository. */
export function corpusDir() {
  if (process.env.XLINT_CORPUS) return resolve(process.env.XLINT_CORPUS);
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'corpus'))) {
      const files = join(dir, 'shared', 'corpus', 'files');
      return existsSync(files) ? files : join(dir, 'shared', 'corpus');
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The real files: the corpus and the examples, as paths (the CLI and the peers read them from disk). */
export function realFiles() {
  const dir = corpusDir();
  const corpus = dir && existsSync(dir) ? walk(dir) : [];
  const examples = walk(join(root, 'examples'));
  return { dir, corpus, examples, all: [...corpus, ...examples] };
}

/** A deterministic shuffle (so that any prefix of it is a fair sample of the whole). */
export function shuffled(list, seed = 12) {
  const out = [...list];
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const FROM = /^\s*FROM\s/i;

/** Splits a Dockerfile into what comes before its first FROM (global ARGs, comments) and the rest. */
function split(text) {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const first = lines.findIndex((l) => FROM.test(l));
  return { preamble: first < 0 ? lines : lines.slice(0, first), body: first < 0 ? [] : lines.slice(first) };
}

/** Stage names declared by `FROM ... AS name`. */
function stageNames(lines) {
  const names = [];
  for (const l of lines) {
    const m = /^\s*FROM\s.*\sAS\s+([A-Za-z0-9_.-]+)\s*$/i.exec(l);
    if (m) names.push(m[1]);
  }
  return names;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Renames every stage of `lines` (declarations, FROM references, --from= and mount from=) with `suffix`,
 * and shifts numeric references (--from=0) by `offset`, the number of stages before them.
 */
function renameStages(lines, suffix, offset) {
  lines = lines.map((l) => l.replace(/((?:--from|[\s,]from)=)(\d+)(?=[\s,]|$)/gi, (_, flag, n) => `${flag}${Number(n) + offset}`));
  const names = stageNames(lines);
  if (names.length === 0) return lines;
  const alt = names.map(escapeRe).join('|');
  const decl = new RegExp(`(\\sAS\\s+)(${alt})(\\s*)$`, 'i');
  const fromRef = new RegExp(`^(\\s*FROM\\s+(?:--\\S+\\s+)*)(${alt})(?=\\s|$)`, 'i');
  const flagRef = new RegExp(`((?:--from|[\\s,]from)=)(${alt})(?=[\\s,]|$)`, 'gi');
  return lines.map((l) =>
    l.replace(decl, `$1$2${suffix}$3`).replace(fromRef, `$1$2${suffix}`).replace(flagRef, `$1$2${suffix}`),
  );
}

/**
 * A moby-sized Dockerfile (~650 lines, ~59 stages) made of real corpus files: whole multi-stage files
 * (their stages keep referring to each other), stages renamed per file, global ARGs hoisted to the top,
 * and a last stage that copies from the last stage of every file, so that every chain is built (as
 * moby's final stages copy from most of the others).
 */
export function mobySized(files, { lines: wantLines = 650, stages: wantStages = 59 } = {}) {
  const candidates = files
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
    .filter(({ text }) => !/^#\s*escape\s*=/im.test(text) && !/^\s*#\s*syntax\s*=.*(?:labs|1\.\d+-)/im.test(text))
    .map((f) => ({ ...f, ...split(f.text) }))
    .map((f) => ({ ...f, stages: f.body.filter((l) => FROM.test(l)).length, size: f.body.length }))
    .filter((f) => f.stages >= 2 && !f.text.includes('\t\t\t\t'))
    // Short stages first (moby averages 11 lines a stage), then by name for a stable choice.
    .sort((a, b) => a.size / a.stages - b.size / b.stages || a.path.localeCompare(b.path));
  const header = new Set();
  const body = [];
  const lasts = [];
  let stages = 0;
  const used = new Set();
  for (;;) {
    // The file whose lines per stage come closest to what is left to fill, among those that fit.
    const linesLeft = wantLines - 8 - body.length;
    const stagesLeft = wantStages - 1 - stages;
    let pick = -1;
    for (const [i, f] of candidates.entries()) {
      if (used.has(i) || f.stages > stagesLeft || f.size + 2 > linesLeft) continue;
      const gap = Math.abs(f.size / f.stages - linesLeft / stagesLeft);
      if (pick < 0 || gap < Math.abs(candidates[pick].size / candidates[pick].stages - linesLeft / stagesLeft)) pick = i;
    }
    if (pick < 0) break;
    used.add(pick);
    const f = candidates[pick];
    for (const l of f.preamble) if (/^\s*ARG\s/i.test(l)) header.add(l.trim());
    let renamed = renameStages(f.body, `_f${pick}`, stages);
    // Name the file's last stage if it has no name, so the final stage can copy from it.
    const lastFrom = renamed.findLastIndex((l) => FROM.test(l));
    if (!/\sAS\s+\S+\s*$/i.test(renamed[lastFrom])) renamed[lastFrom] = `${renamed[lastFrom].replace(/\s+$/, '')} AS out_f${pick}`;
    lasts.push(/\sAS\s+(\S+)\s*$/i.exec(renamed[lastFrom])[1]);
    while (renamed.length && renamed[renamed.length - 1].trim() === '') renamed = renamed.slice(0, -1);
    body.push(`# --- from ${f.path.split('/').pop()}`, ...renamed, '');
    stages += f.stages;
  }
  const final = ['FROM alpine:3.20 AS all', ...lasts.map((s, k) => `COPY --from=${s} / /out/${k}/`)];
  return ['# syntax=docker/dockerfile:1', ...header, '', ...body, ...final, ''].join('\n');
}

/**
 * `copies` copies of a Dockerfile with its stages renamed per copy and its global ARGs once, and a last
 * stage that copies from the last stage of each copy, so the build reaches all of them: hundreds of stages.
 */
export function repeated(text, copies) {
  const { preamble, body } = split(text);
  const out = [...preamble];
  const stages = body.filter((l) => FROM.test(l)).length;
  const lasts = [];
  for (let c = 0; c < copies; c++) {
    const copy = renameStages(body, `_c${c}`, c * stages);
    lasts.push(/\sAS\s+(\S+)\s*$/i.exec(copy.findLast((l) => FROM.test(l)))?.[1] ?? String((c + 1) * stages - 1));
    out.push(...copy, '');
  }
  out.push('FROM alpine:3.20 AS everything', ...lasts.map((s, c) => `COPY --from=${s} /out/ /copy${c}/`), '');
  return out.join('\n');
}

/**
 * The text after edit k: a word typed one character at a time at the end of a RUN line near the middle
 * of the file (" ", " a", " ab", ...). Every text is new, as when a person types: a server that keeps
 * the analyses of recent texts must not answer from them.
 */
export function editor(text) {
  const lines = text.split('\n');
  const mid = Math.floor(lines.length / 2);
  let at = -1;
  for (let d = 0; d < lines.length && at < 0; d++) {
    for (const i of [mid + d, mid - d]) {
      const l = lines[i];
      if (l && /^RUN\s/.test(l) && !/\\\s*$/.test(l) && !l.includes('<<') && (i === 0 || !/\\\s*$/.test(lines[i - 1]))) {
        at = i;
        break;
      }
    }
  }
  if (at < 0) throw new Error('no RUN line to edit');
  const offset = lines.slice(0, at + 1).join('\n').length;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return {
    line: at + 1,
    text: (k) => {
      if (k === 0) return text;
      let typed = ' ';
      for (let i = 0; i < k - 1; i++) typed += letters[i % letters.length];
      return text.slice(0, offset) + typed + text.slice(offset);
    },
  };
}

/** The generated corpus: the examples varied so that no two files are the same text (names, versions, extra steps). */
export function generated(count) {
  const examples = walk(join(root, 'examples')).map((p) => readFileSync(p, 'utf8'));
  return Array.from({ length: count }, (_, i) => {
    const base = examples[i % examples.length];
    const extra = Array.from({ length: i % 7 }, (_, k) => `RUN echo step-${i}-${k} && apt-get install -y pkg${k}`).join('\n');
    return base.replace(/AS (\w+)/g, `AS $1${i}`).replace(/--from=(\w+)/g, `--from=$1${i}`) + `\n# variant ${i}\n${extra}\n`;
  });
}

/** Writes texts as a tree of `<dir>/dNN/NNNNN.Dockerfile` (100 a directory) and returns the directory. */
export function writeTree(dir, texts) {
  texts.forEach((text, i) => {
    const sub = join(dir, `d${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${String(i).padStart(5, '0')}.Dockerfile`), text);
  });
  return dir;
}

export const bytes = (paths) => paths.reduce((n, p) => n + statSync(p).size, 0);
