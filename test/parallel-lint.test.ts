/**
 * Lint workers (cli/parallel-lint.ts) through the built CLI: a run with workers reports, fixes and
 * diffs exactly what a run on one thread does, in the same order, with the cache too.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'xlint.js');
const EXAMPLES = join(__dirname, '..', 'examples');

let tree: string;

function xlint(workers: number, cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XLINT_WORKERS: String(workers) } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xlint-parallel-'));
  cpSync(tree, dir, { recursive: true });
  return dir;
}

function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of readdirSync(dir)) for (const name of readdirSync(join(dir, sub))) out[`${sub}/${name}`] = readFileSync(join(dir, sub, name), 'utf8');
  return out;
}

beforeAll(() => {
  // 3 copies of every example (more than one batch per worker), and an unreadable-as-UTF-8 file among them.
  tree = mkdtempSync(join(tmpdir(), 'xlint-parallel-src-'));
  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.Dockerfile'));
  for (let copy = 0; copy < 3; copy++) {
    mkdirSync(join(tree, `c${copy}`));
    for (const name of examples) writeFileSync(join(tree, `c${copy}`, name), readFileSync(join(EXAMPLES, name)));
  }
  writeFileSync(join(tree, 'c1', 'broken.Dockerfile'), Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xff, 0xfe, 0x0a]));
});

describe('lint workers', () => {
  it.each([
    ['a lint', ['--format', 'json', '.']],
    ['--diff --unsafe-fixes', ['--diff', '--unsafe-fixes', '.']],
    ['--report-unused-ignores --severity warning', ['--format', 'json', '--report-unused-ignores', '--severity', 'warning', '.']],
  ])('%s: the same output and exit code as one thread', (_what, args) => {
    const dir = copyTree();
    const single = xlint(0, dir, ...args);
    expect(single.stdout.length).toBeGreaterThan(1000);
    expect(xlint(2, dir, ...args)).toEqual(single);
  });

  it('--fix: the same files written, the same report', () => {
    const one = copyTree();
    const two = copyTree();
    const single = xlint(0, one, '--fix', '--unsafe-fixes', '--format', 'json', '.');
    const parallel = xlint(2, two, '--fix', '--unsafe-fixes', '--format', 'json', '.');
    expect(parallel.status).toBe(single.status);
    expect(parallel.stdout.split(two).join('<dir>')).toBe(single.stdout.split(one).join('<dir>'));
    expect(contents(two)).toEqual(contents(one));
    expect(contents(one)).not.toEqual(contents(tree));
  });

  it('--cache: workers fill the cache a one-thread run then answers from', () => {
    const dir = copyTree();
    const filled = xlint(2, dir, '--cache', '--format', 'json', '.');
    expect(JSON.parse(readFileSync(join(dir, '.xlint_cache', 'findings.json'), 'utf8')).format).toBe('xlint-cache/3');
    expect(xlint(0, dir, '--cache', '--format', 'json', '.')).toEqual(filled);
    expect(xlint(0, dir, '--format', 'json', '.')).toEqual(filled);
  });
});
