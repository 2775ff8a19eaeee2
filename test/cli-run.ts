/** Running the built CLI (dist/xlint.js) in child processes, for the reliability suites. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** XLINT_TEST_CLI runs these suites against another build (e.g. an older one, to see them fail). */
export const CLI = process.env.XLINT_TEST_CLI ?? join(__dirname, '..', 'dist', 'xlint.js');
export const EXAMPLES = join(__dirname, '..', 'examples');
export const IS_ROOT = process.getuid?.() === 0;
/** An unprivileged uid for tests that need one when the suite runs as root. */
export const NOBODY = 65534;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  input?: string | Buffer;
  uid?: number;
  timeoutMs?: number;
}

export function xlint(args: string[], options: RunOptions = {}): Run {
  const started = Date.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

/** The same, without blocking this process (needed when this process serves the CLI, e.g. a fake registry). */
export function xlintAsync(args: string[], options: RunOptions = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A temp directory holding these files; readable by everyone (some tests run the CLI as nobody). */
export function project(files: Record<string, string | Buffer>, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'xlint-rel-'));
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A seeded PRNG (mulberry32): the same "random" moments on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
