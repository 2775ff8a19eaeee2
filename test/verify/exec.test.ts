/**
 * The docker spawn wrapper (builder/exec.ts): a probe's timeout kills docker and everything it
 * started, even a child holding the pipes; and no command line ever goes through a shell.
 */
import * as childProcess from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Record every spawn the builder makes, passing it on to the real one.
const spawnCalls: { command: string; args: readonly string[]; options: childProcess.SpawnOptions }[] = [];
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    spawn: (command: string, args: readonly string[], options: childProcess.SpawnOptions) => {
      spawnCalls.push({ command, args, options });
      return real.spawn(command, args, options);
    },
  };
});

const { run, TIMED_OUT } = await import('../../builder/exec');
const { detectDriver } = await import('../../builder/detect');
const { verify } = await import('../../builder/verify');

const work = mkdtempSync(join(tmpdir(), 'xlint-exec-test-'));
const escaped: number[] = [];
afterAll(() => {
  for (const pid of escaped) alive(pid) && process.kill(pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A stand-in docker: a shell script that starts `sleep` in the background (holding our pipes) and records its pid. */
function fakeDocker(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Alive, and not a zombie waiting for a reaper. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (condition()) return true;
  return condition();
}

describe('the probe timeout kills the whole process group', () => {
  it('a docker that hangs with a sleeping child: both killed at the timeout, the run ends', async () => {
    const pidFile = join(work, 'hang.pid');
    const docker = fakeDocker('hang', `sleep 300 & echo $! > ${pidFile}\nwait`);
    const started = Date.now();
    const result = await run(docker, ['buildx', 'version'], { timeoutMs: 500 });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(TIMED_OUT);
    expect(result.stderrTail.join('\n')).toContain('timed out after 1 s; killed');
    expect(elapsed).toBeLessThan(2_000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(child), 2_000)).toBe(true);
  });

  it('a docker that exits at once but leaves a child holding the pipes: the run still ends at the timeout, the child killed', async () => {
    const pidFile = join(work, 'orphan.pid');
    const docker = fakeDocker('orphan', `sleep 300 & echo $! > ${pidFile}\nexit 0`);
    const started = Date.now();
    const result = await run(docker, ['version'], { timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.code).toBe(TIMED_OUT);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(child), 2_000)).toBe(true);
  });

  it('a child that left the group (setsid) cannot hold the run open past the timeout and a short grace', async () => {
    const pidFile = join(work, 'setsid.pid');
    const docker = fakeDocker('setsid', `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' &\nsleep 300`);
    const started = Date.now();
    const result = await run(docker, ['version'], { timeoutMs: 500 });
    escaped.push(Number(readFileSync(pidFile, 'utf8')));
    expect(result.code).toBe(TIMED_OUT);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a run that finishes in time is not affected', async () => {
    const docker = fakeDocker('quick', 'echo "{\\"ok\\": true}"; echo warning >&2; exit 3');
    const result = await run(docker, [], { timeoutMs: 5_000 });
    expect(result).toMatchObject({ code: 3, stdout: '{"ok": true}\n', stderrTail: ['warning'] });
  });
});

describe('docker is spawned with argument arrays, never through a shell', () => {
  it('arguments with shell syntax reach docker as they are', async () => {
    const argv = join(work, 'argv.json');
    const docker = fakeDocker('argv', `node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))' ${argv} "$@"`);
    const hostile = ['$(touch pwned)', '`id`', 'a; rm -rf /', "'quoted'", '*', '> out'];
    await run(docker, hostile, { timeoutMs: 5_000 });
    expect(JSON.parse(readFileSync(argv, 'utf8'))).toEqual(hostile);
    expect(readdirSync(work)).not.toContain('pwned');
  });

  it('every spawn of a whole verify (probes and build) passes an argument array and no shell', async () => {
    spawnCalls.length = 0;
    process.env.FAKE_LOG = join(work, 'fake-log.json');
    const fake = join(__dirname, 'fake-buildx.cjs');
    const driver = await detectDriver({ platforms: ['linux/amd64', 'linux/arm64'], docker: fake });
    await verify(driver, { dockerfile: 'Dockerfile', text: 'FROM scratch\nCOPY x /x\n', stdin: true, context: work, platforms: ['linux/amd64', 'linux/arm64'], buildArgs: { X: '$(id)' } });
    expect(spawnCalls.length).toBeGreaterThanOrEqual(4);
    for (const call of spawnCalls) {
      expect(call.command).toBe(fake);
      expect(Array.isArray(call.args)).toBe(true);
      expect(call.options.shell ?? false).toBe(false);
    }
    expect(spawnCalls.at(-1)!.args).toContain('X=$(id)');
  });

  it('in the source: only builder/exec.ts starts processes, with shell: false; the verify command reads no config', () => {
    const root = join(__dirname, '..', '..');
    const sources = ['builder', 'cli', 'config', 'core', 'host', 'rules', 'server'].flatMap((dir) => walk(join(root, dir))).filter((f) => f.endsWith('.ts'));
    const starters = sources.filter((f) => /from 'node:child_process'|require\('(node:)?child_process'\)/.test(readFileSync(f, 'utf8')));
    expect(starters.map((f) => relative(root, f))).toEqual(['builder/exec.ts']);
    const exec = readFileSync(join(root, 'builder/exec.ts'), 'utf8');
    expect(exec).toMatch(/shell: false/);
    expect(exec).not.toMatch(/shell: true|execSync|exec\(|execFile/);
    // The docker CLI comes from --docker, XLINT_DOCKER or PATH: never from a file in the repository.
    const verifySources = ['cli/verify-command.ts', ...walk(join(root, 'builder')).map((f) => relative(root, f))];
    for (const f of verifySources) expect(readFileSync(join(root, f), 'utf8'), f).not.toMatch(/from '\.\/config'|config\/config|host\/config|xlintrc/);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
