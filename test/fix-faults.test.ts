/**
 * `--fix` under faults (issue 11): two runs on one tree at once (also both as PID 1, where 0.1's
 * pid-named temp files collided), and SIGKILL at seeded random moments of a run over 2,000 files.
 * Every file must end byte-identical to its original or to its fixed version, never half-written,
 * and no temp file may survive the next run.
 *
 * The trees live on /dev/shm when there is one: fsync is free on tmpfs and rename behaves the
 * same, so the trials measure xlint, not the disk. XLINT_KILL_TRIALS raises the trial count.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EXAMPLES, IS_ROOT, seeded, xlint, xlintAsync } from './cli-run';

/** Examples whose findings all have safe fixes (checked below). */
const SOURCES = ['go-emulated', 'dotnet-emulated', 'go-undeclared-arg', 'java-maven', 'node-frontend'];
const DIRECTORIES = 20;
const TEMP = /\.xlint-[0-9a-f]+\.tmp$/;
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Versions {
  original: Buffer;
  fixed: Buffer;
}
const versions = new Map<string, Versions>();

beforeAll(() => {
  const dir = tree(SOURCES.length);
  expect(xlint(['--fix', dir]).status).toBe(0);
  for (const [i, source] of SOURCES.entries()) {
    const original = readFileSync(join(EXAMPLES, `${source}.Dockerfile`));
    const fixed = readFileSync(join(dir, fileName(i)));
    expect(fixed.equals(original), `${source} has a safe fix`).toBe(false);
    versions.set(source, { original, fixed });
  }
});

const fileName = (i: number) => join(`d${i % DIRECTORIES}`, `${i}-${SOURCES[i % SOURCES.length]}.Dockerfile`);
const sourceOf = (i: number) => versions.get(SOURCES[i % SOURCES.length])!;

function tree(files: number): string {
  const dir = mkdtempSync(join(base, 'xlint-faults-'));
  made.push(dir);
  for (let d = 0; d < DIRECTORIES; d++) mkdirSync(join(dir, `d${d}`));
  for (let i = 0; i < files; i++) writeFileSync(join(dir, fileName(i)), readFileSync(join(EXAMPLES, `${SOURCES[i % SOURCES.length]}.Dockerfile`)));
  return dir;
}

interface State {
  original: number;
  fixed: number;
  corrupted: string[];
  temps: string[];
  /** Directories holding a fixed file. */
  fixedDirs: Set<string>;
}

function inspect(dir: string, files: number): State {
  const state: State = { original: 0, fixed: 0, corrupted: [], temps: [], fixedDirs: new Set() };
  for (let i = 0; i < files; i++) {
    const bytes = readFileSync(join(dir, fileName(i)));
    const { original, fixed } = sourceOf(i);
    if (bytes.equals(fixed)) {
      state.fixed++;
      state.fixedDirs.add(`d${i % DIRECTORIES}`);
    }
    else if (bytes.equals(original)) state.original++;
    else state.corrupted.push(fileName(i));
  }
  for (let d = 0; d < DIRECTORIES; d++) for (const name of readdirSync(join(dir, `d${d}`))) if (TEMP.test(name)) state.temps.push(join(`d${d}`, name));
  return state;
}

describe('two --fix runs on one tree at once', () => {
  const FILES = 300;

  it('both succeed, and every file ends exactly as one run leaves it', async () => {
    const single = tree(FILES);
    expect(xlint(['--fix', single]).status).toBe(0);
    const shared = tree(FILES);
    const started = Date.now();
    const [a, b] = await Promise.all([xlintAsync(['--fix', shared], { timeoutMs: 120_000 }), xlintAsync(['--fix', shared], { timeoutMs: 120_000 })]);
    console.log(`concurrent --fix, ${FILES} files: both done in ${Date.now() - started} ms (runs ${a.ms} ms, ${b.ms} ms)`);
    expect([a.status, a.stderr, b.status, b.stderr]).toEqual([0, '', 0, '']);
    for (let i = 0; i < FILES; i++) expect(readFileSync(join(shared, fileName(i))).equals(readFileSync(join(single, fileName(i)))), fileName(i)).toBe(true);
    expect(inspect(shared, FILES)).toMatchObject({ fixed: FILES, corrupted: [], temps: [] });
  }, 300_000);

  // `unshare -pf` runs the command as PID 1 of a new PID namespace (needs root).
  const unshare = IS_ROOT && spawnSync('unshare', ['-pf', process.execPath, '-e', 'process.exit(process.pid === 1 ? 0 : 1)']).status === 0;
  it.runIf(unshare)('also both as PID 1 (containers), where pid-named temp files collided', { timeout: 300_000 }, async () => {
    const shared = tree(FILES);
    const asPid1 = () =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn('unshare', ['-pf', process.execPath, CLI, '--fix', shared], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    const [a, b] = await Promise.all([asPid1(), asPid1()]);
    expect([a.status, a.stderr, b.status, b.stderr]).toEqual([0, '', 0, '']);
    expect(inspect(shared, FILES)).toMatchObject({ fixed: FILES, corrupted: [], temps: [] });
  });
});

describe('SIGKILL during --fix', () => {
  const FILES = 2_000;
  const TRIALS = Number(process.env.XLINT_KILL_TRIALS ?? 20);
  const SEED = 0x11;

  it(`${FILES} files, ${TRIALS} kills at seeded random moments: every file is its original or its fixed version; no temp file survives the next run`, { timeout: 900_000 }, async () => {
    const dir = tree(FILES);
    const random = seeded(SEED);
    // How long a whole run takes here: kills are spread over it.
    const full = xlint(['--fix', dir], { timeoutMs: 300_000 });
    expect(full.status).toBe(0);
    expect(inspect(dir, FILES)).toMatchObject({ fixed: FILES, corrupted: [], temps: [] });
    const reset = () => {
      for (let i = 0; i < FILES; i++) writeFileSync(join(dir, fileName(i)), sourceOf(i).original);
    };

    const log: string[] = [];
    let kills = 0;
    let corrupted = 0;
    let tempsLeft = 0;
    let staleChecked = 0;
    let previousTemps: string[] = [];
    for (let trial = 0; kills < TRIALS && trial < TRIALS * 2; trial++) {
      reset(); // the temp files of the last kill stay: this run is their "next run"
      // Within the first 60% of a run: writes go on from its first 100 ms to its end, and the
      // suite stays affordable (a kill late in the run hits the same kind of moment).
      const delay = Math.round(random() * 0.6 * full.ms);
      const child = spawn(process.execPath, [CLI, '--fix', dir], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
      clearTimeout(timer);
      const state = inspect(dir, FILES);
      if (signal === 'SIGKILL') kills++;
      corrupted += state.corrupted.length;
      tempsLeft += state.temps.length;
      // A directory this run wrote into was swept first: the last kill's temp files there are gone.
      for (const temp of previousTemps) {
        if (!state.fixedDirs.has(temp.split('/')[0])) continue;
        staleChecked++;
        expect(existsSync(join(dir, temp)), `${temp} outlived the next run`).toBe(false);
      }
      previousTemps = state.temps;
      log.push(`trial ${trial}: ${signal ?? 'finished'} at ${delay} ms, ${state.fixed} fixed, ${state.original} original, ${state.corrupted.length} corrupted, ${state.temps.length} temp files`);
      expect(state.corrupted).toEqual([]);
    }
    // The next run after the last kill, to the end.
    const next = xlint(['--fix', dir], { timeoutMs: 300_000 });
    const after = inspect(dir, FILES);
    console.log([`SIGKILL trials: full run ${full.ms} ms; ${kills} kills; ${corrupted} files corrupted; ${tempsLeft} temp files left by kills (${staleChecked} checked gone after the next run)`, ...log].join('\n'));
    expect(kills).toBeGreaterThanOrEqual(TRIALS);
    expect(next.status).toBe(0);
    expect(after).toMatchObject({ fixed: FILES, corrupted: [], temps: [] });
  });
});
