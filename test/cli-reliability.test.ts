/**
 * The CLI against hostile inputs (issue 11): bounded reads, special files, config mistakes,
 * platforms, --diff's exit code and how --fix writes. Each case once hung, crashed, misled or
 * wrote where it should not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, readdirSync, readFileSync, statSync, symlinkSync, watch } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixWriter } from '../cli/fix-writer';
import { InputError, readRegularFile } from '../cli/inputs';
import { platformProblem } from '../config/platforms';
import { CLI, EXAMPLES, IS_ROOT, NOBODY, project, xlint } from './cli-run';

const UNDECLARED = 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN GOARCH=$TARGETARCH go build -o /out/app .\nFROM alpine\nCOPY --from=build /out/app /app\n';
const CLEAN = 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n';
const GO_EMULATED = readFileSync(join(EXAMPLES, 'go-emulated.Dockerfile'), 'utf8');

beforeAll(() => {
  expect(statSync(CLI).isFile(), 'run `npm run build` first').toBe(true);
});

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
/** `yes | xlint ARGS`; timeout(1) kills the whole pipeline if xlint ever reads on forever again. */
const pipeYes = (args: string) => spawnSync('timeout', ['-s', 'KILL', '20', 'sh', '-c', `yes | "${process.execPath}" "${CLI}" ${args}`], { encoding: 'utf8' });

describe('every read is bounded by the bytes read, and only regular files are opened', () => {
  it('a size that lies (/proc reports 0 bytes) does not get past the limit', () => {
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(() => readRegularFile('/proc/self/status', 100)).toThrow(/file too large \(more than .* read, though its size says 0 bytes/);
    expect(readRegularFile('/proc/self/status', 1 << 20).length).toBeGreaterThan(100);
  });

  it('exactly at the limit is read; one byte more is refused', () => {
    const dir = project({ at: 'x'.repeat(4096), over: 'x'.repeat(4097) });
    expect(readRegularFile(join(dir, 'at'), 4096).length).toBe(4096);
    expect(() => readRegularFile(join(dir, 'over'), 4096)).toThrow(InputError);
  });

  it('/dev/zero behind a Dockerfile symlink, named or found by walking: refused, exit 2, never read', () => {
    const dir = project({ 'good/Dockerfile': CLEAN });
    symlinkSync('/dev/zero', join(dir, 'Dockerfile'));
    const named = xlint(['Dockerfile', 'good/Dockerfile'], { cwd: dir, timeoutMs: 10_000 });
    expect(named).toMatchObject({ status: 2, stderr: expect.stringContaining('Dockerfile: is a character device, not a regular file; not read') });
    // Walking does not follow symlinks: the link is not linted at all, the rest is.
    expect(xlint(['.'], { cwd: dir, timeoutMs: 10_000 }).status).toBe(0);
  });

  it('--config /dev/zero: a config error, exit 2', () => {
    const dir = project({ Dockerfile: CLEAN });
    const run = xlint(['--config', '/dev/zero'], { cwd: dir, timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: 2, stderr: expect.stringContaining('/dev/zero: cannot read: is a character device') });
  });

  it('a FIFO named on the command line is refused without opening it (it would block forever)', () => {
    const dir = project({ 'good/Dockerfile': CLEAN });
    mkfifo(join(dir, 'Dockerfile'));
    const run = xlint(['Dockerfile', 'good/Dockerfile'], { cwd: dir, timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: 2, stderr: expect.stringContaining('Dockerfile: is a FIFO (named pipe), not a regular file; not read') });
  });

  it('a FIFO called .xlintrc.json found walking up, or given with --config: a config error, exit 2', () => {
    const dir = project({ 'svc/Dockerfile': CLEAN });
    mkfifo(join(dir, '.xlintrc.json'));
    expect(xlint(['svc/Dockerfile'], { cwd: dir, timeoutMs: 10_000 })).toMatchObject({ status: 2, stderr: expect.stringContaining('.xlintrc.json: cannot read: is a FIFO') });
    expect(xlint(['--config', '.xlintrc.json', 'svc/Dockerfile'], { cwd: dir, timeoutMs: 10_000 }).status).toBe(2);
  });

  it('a FIFO or socket met while walking is named and skipped; the rest is linted', async () => {
    const dir = project({ 'svc/Dockerfile': UNDECLARED });
    mkfifo(join(dir, 'Dockerfile'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'svc/Dockerfile.sock'), resolve));
    try {
      const run = xlint(['--format', 'json'], { cwd: dir, timeoutMs: 10_000 });
      expect(run.status).toBe(1);
      expect(JSON.parse(run.stdout).map((r: { filePath: string }) => r.filePath)).toEqual(['svc/Dockerfile']);
      expect(run.stderr).toContain('xlint: warning: Dockerfile: is a FIFO (named pipe), not a regular file; not read');
      expect(run.stderr).toContain('xlint: warning: svc/Dockerfile.sock: is a socket, not a regular file; not read');
      // Named, a socket is an error.
      expect(xlint(['svc/Dockerfile.sock'], { cwd: dir, timeoutMs: 10_000 })).toMatchObject({ status: 2, stderr: expect.stringContaining('is a socket') });
    } finally {
      server.close();
    }
  });

  it('`yes | xlint --stdin` stops at the limit with a message, exit 2', () => {
    const started = Date.now();
    const run = pipeYes('--stdin');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('<stdin>: standard input too large (more than 2 MiB read; the limit is 2 MiB); stopped reading');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('`yes | xlint verify -` stops at the limit too', () => {
    const run = pipeYes('verify -');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('standard input too large');
  });
});

describe('configuration mistakes are config errors, and skipped files are named', () => {
  it('"ignore": [""] is a config error naming the key (picomatch threw a TypeError)', () => {
    const dir = project({ Dockerfile: CLEAN, '.xlintrc.json': '{"ignore": ["vendor/", ""]}' });
    const run = xlint([], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.xlintrc.json: key "ignore.1": an empty pattern');
    expect(run.stderr).not.toMatch(/TypeError|internal error/);
  });

  it('unknown platforms in the config are config errors', () => {
    const dir = project({ Dockerfile: CLEAN, '.xlintrc.json': '{"platforms": ["linux/amd64", "a/b"], "buildPlatform": "linux/amd64"}' });
    expect(xlint([], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('key "platforms.1": "a/b" is not a platform: unknown OS "a"') });
  });

  it('a file named on the command line that the config ignores: a warning naming the file and the pattern (as ESLint does)', () => {
    const dir = project({ 'vendor/Dockerfile': UNDECLARED, Dockerfile: CLEAN, '.xlintrc.json': '{"ignore": ["third_party/", "vendor/**"]}' });
    const named = xlint(['vendor/Dockerfile', 'Dockerfile'], { cwd: dir });
    expect(named.status).toBe(0);
    expect(named.stderr).toMatch(/^xlint: warning: vendor\/Dockerfile: file ignored because of a matching ignore pattern "vendor\/\*\*" in .*\.xlintrc\.json$/m);
    // Found by walking, it is skipped silently: that is what ignore is for.
    expect(xlint([], { cwd: dir })).toMatchObject({ status: 0, stderr: '' });
  });

  it('"ignore": ["**"] still warns for each named file', () => {
    const dir = project({ Dockerfile: UNDECLARED, '.xlintrc.json': '{"ignore": ["**"]}' });
    expect(xlint(['Dockerfile'], { cwd: dir })).toMatchObject({ status: 0, stderr: expect.stringContaining('Dockerfile: file ignored because of a matching ignore pattern "**"') });
  });
});

describe('nothing is skipped without a word', () => {
  it('a directory called Dockerfile: a warning; the Dockerfiles inside it are linted', () => {
    const dir = project({ 'Dockerfile/Dockerfile': CLEAN });
    const run = xlint(['--format', 'json'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).map((r: { filePath: string }) => r.filePath)).toEqual(['Dockerfile/Dockerfile']);
    expect(run.stderr).toContain('xlint: warning: Dockerfile: a directory named like a Dockerfile; searched, not read');
  });

  it('an unreadable subdirectory met while walking: a warning naming it', () => {
    const dir = project({ 'open/Dockerfile': CLEAN, 'secret/Dockerfile': UNDECLARED });
    chmodSync(join(dir, 'secret'), 0o700);
    if (!IS_ROOT) chmodSync(join(dir, 'secret'), 0o000);
    const run = xlint(['--format', 'json'], { cwd: dir, uid: IS_ROOT ? NOBODY : undefined });
    expect(JSON.parse(run.stdout).map((r: { filePath: string }) => r.filePath)).toEqual(['open/Dockerfile']);
    expect(run.stderr).toContain('xlint: warning: secret: permission denied; the Dockerfiles under it were not linted');
    chmodSync(join(dir, 'secret'), 0o755);
  });

  it('a NUL byte anywhere (here past 64 KiB) marks the file binary: exit 2', () => {
    const text = 'FROM alpine\n' + '# padding\n'.repeat(7000) + 'RUN echo \0\n';
    const dir = project({ Dockerfile: text });
    const run = xlint([], { cwd: dir });
    expect(run).toMatchObject({ status: 2, stderr: expect.stringContaining(`Dockerfile: binary file (NUL byte at offset ${text.indexOf('\0')}), not a Dockerfile`) });
  });
});

describe('--platform: only platforms a builder has', () => {
  const refused: [string, RegExp][] = [
    ['a/b', /"a\/b" is not a platform: unknown OS "a"/],
    ['../../x', /"\.\.\/\.\.\/x" is not a platform: it has an empty part|unknown OS "\.\."/],
    ['linux//amd64', /it has an empty part/],
    ['linux/amd64/', /it has an empty part/],
    ['/amd64', /it has an empty part/],
    ['linux', /"linux" is not a platform \(expected os\/arch/],
    ['linux/amd64/v2/x', /is not a platform \(expected os\/arch/],
    ['linux/sparc', /unknown architecture "sparc"/],
    ['linux/arm/v9', /unknown arm variant "v9" \(known: v5, v6, v7, v8\)/],
    ['linux/amd64/v5', /unknown amd64 variant "v5"/],
    ['linux/386/v1', /386 has no variants/],
    ['linux/amd64 x', /only letters, digits/],
  ];
  it.each(refused)('%j is refused with a clear message, exit 2', (platform, message) => {
    const run = xlint(['--platform', platform, 'nothing-read']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('empty entries in a list, and --build-platform, explain-build and verify are checked too', () => {
    expect(xlint(['--platform', 'linux/amd64,,linux/arm64'])).toMatchObject({ status: 2, stderr: expect.stringContaining('has an empty entry') });
    expect(xlint(['--build-platform', 'a/b'])).toMatchObject({ status: 2, stderr: expect.stringContaining('"a/b" is not a platform') });
    expect(xlint(['explain-build', '--platform', 'a/b', 'Dockerfile']).status).toBe(2);
    expect(xlint(['verify', '--platform', '../../x', 'Dockerfile']).status).toBe(2);
  });

  it.each(['linux/amd64', 'linux/arm64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/amd64/v3', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64', 'linux/mips64le', 'linux/loong64', 'windows/amd64', 'darwin/arm64', 'freebsd/amd64', 'wasip1/wasm', 'linux/x86_64', 'linux/aarch64', 'Linux/AMD64'])(
    '%s is accepted',
    (platform) => {
      expect(platformProblem(platform)).toBeNull();
    },
  );

  it('an accepted platform lints as before', () => {
    const dir = project({ Dockerfile: CLEAN });
    expect(xlint(['--platform', 'linux/amd64,linux/arm/v7', '--build-platform', 'linux/arm64/v8'], { cwd: dir }).status).toBe(0);
  });
});

describe('--diff exits 1 when it prints a diff (Ruff, gofmt -d)', () => {
  it('a file whose findings are all fixable: diff printed, exit 1, nothing written', () => {
    const dir = project({ Dockerfile: GO_EMULATED });
    const run = xlint(['--diff'], { cwd: dir });
    expect(run.stdout).toContain('+FROM --platform=$BUILDPLATFORM golang:1.22 AS build');
    expect(run.status).toBe(1);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(GO_EMULATED);
    expect(xlint(['--diff', '--exit-zero'], { cwd: dir }).status).toBe(0);
  });

  it('nothing to fix: no diff, exit 0', () => {
    const dir = project({ Dockerfile: CLEAN });
    expect(xlint(['--diff'], { cwd: dir })).toMatchObject({ status: 0, stdout: '' });
  });
});

describe('--fix writes', () => {
  const fixedGo = (() => {
    const dir = project({ Dockerfile: GO_EMULATED });
    xlint(['--fix'], { cwd: dir });
    return readFileSync(join(dir, 'Dockerfile'), 'utf8');
  })();
  it('the example has a safe fix (else these tests prove nothing)', () => {
    expect(fixedGo).not.toBe(GO_EMULATED);
  });

  it('through a symlink inside the tree: the target is fixed, the link stays a link', () => {
    const dir = project({ 'docker/real.Dockerfile': GO_EMULATED });
    symlinkSync('docker/real.Dockerfile', join(dir, 'Dockerfile'));
    const run = xlint(['--fix', 'Dockerfile'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(statSync(join(dir, 'Dockerfile'), { throwIfNoEntry: true }).isFile()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['Dockerfile', 'docker']);
    expect(readFileSync(join(dir, 'docker/real.Dockerfile'), 'utf8')).toBe(fixedGo);
    expect(spawnSync('readlink', [join(dir, 'Dockerfile')], { encoding: 'utf8' }).stdout.trim()).toBe('docker/real.Dockerfile');
  });

  it('through a symlink pointing outside the paths given: refused with a message, exit 2, the target untouched', () => {
    const outside = project({ 'victim.Dockerfile': GO_EMULATED });
    const dir = project({ 'good/Dockerfile': UNDECLARED });
    symlinkSync(join(outside, 'victim.Dockerfile'), join(dir, 'Dockerfile'));
    const run = xlint(['--fix', 'Dockerfile', 'good/Dockerfile'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`Dockerfile: leads to ${join(outside, 'victim.Dockerfile')} (through a symlink), outside the paths given; not written`);
    expect(readFileSync(join(outside, 'victim.Dockerfile'), 'utf8')).toBe(GO_EMULATED);
    expect(readFileSync(join(dir, 'good/Dockerfile'), 'utf8')).toContain('ARG TARGETARCH');
  });

  it('a hard-linked file is written in place: every link sees the fix, the inode stays', () => {
    const dir = project({ 'Dockerfile': GO_EMULATED });
    linkSync(join(dir, 'Dockerfile'), join(dir, 'also-here.txt'));
    const inode = statSync(join(dir, 'Dockerfile')).ino;
    expect(xlint(['--fix', 'Dockerfile'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'also-here.txt'), 'utf8')).toBe(fixedGo);
    expect(statSync(join(dir, 'Dockerfile'))).toMatchObject({ ino: inode, nlink: 2 });
  });

  it.runIf(IS_ROOT)('owner, group and mode are kept (replaced as root: the new file is given the old owner)', () => {
    const dir = project({ 'Dockerfile': GO_EMULATED });
    chownSync(join(dir, 'Dockerfile'), 1234, 2345);
    chmodSync(join(dir, 'Dockerfile'), 0o2640);
    expect(xlint(['--fix'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(fixedGo);
    expect(statSync(join(dir, 'Dockerfile'))).toMatchObject({ uid: 1234, gid: 2345, mode: 0o102640 });
  });

  it.runIf(IS_ROOT)('not root, in a directory it cannot create files in: written in place, owner kept', () => {
    const dir = project({ 'Dockerfile': GO_EMULATED });
    chownSync(join(dir, 'Dockerfile'), NOBODY, NOBODY);
    const inode = statSync(join(dir, 'Dockerfile')).ino;
    const run = xlint(['--fix'], { cwd: dir, uid: NOBODY });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(fixedGo);
    expect(statSync(join(dir, 'Dockerfile'))).toMatchObject({ ino: inode, uid: NOBODY });
  });

  it('a read-only file (0444) is refused, never chmod-ed, even for root', () => {
    const dir = project({ 'Dockerfile': GO_EMULATED });
    chmodSync(join(dir, 'Dockerfile'), 0o444);
    const run = xlint(['--fix'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Dockerfile: read-only file (mode 0444); not written');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(GO_EMULATED);
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o7777).toBe(0o444);
    expect(readdirSync(dir)).toEqual(['Dockerfile']);
  });

  it.runIf(IS_ROOT)('a file the user cannot write (0644, owned by root, run as nobody) is refused', () => {
    const dir = project({ 'Dockerfile': GO_EMULATED });
    chmodSync(dir, 0o777); // the old rename would have replaced it: the directory is writable
    const run = xlint(['--fix'], { cwd: dir, uid: NOBODY });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('read-only file (mode 0644)');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(GO_EMULATED);
    expect(statSync(join(dir, 'Dockerfile')).uid).toBe(0);
  });

  it("temp files left by a killed run (0.1's pid names and today's random ones) are removed next to a file being fixed", () => {
    const dir = project({ 'Dockerfile': GO_EMULATED, '.Dockerfile.xlint-1.tmp': 'half', '.Dockerfile.xlint-0123456789abcdef.tmp': 'half', 'notes.tmp': 'kept' });
    expect(xlint(['--fix'], { cwd: dir }).status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['Dockerfile', 'notes.tmp']);
  });

  it('a symlink planted under a temp name never leads a write elsewhere', () => {
    const outside = project({ victim: 'precious\n' });
    const dir = project({ 'Dockerfile': GO_EMULATED });
    symlinkSync(join(outside, 'victim'), join(dir, '.Dockerfile.xlint-1.tmp'));
    expect(xlint(['--fix'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(fixedGo);
    expect(existsSync(join(dir, '.Dockerfile.xlint-1.tmp'))).toBe(false);
  });

  it('a file changed between read and write is left alone; one already fixed by another run is a success', () => {
    const dir = project({ changed: 'FROM alpine\nRUN edited by the user\n', fixed: 'FIXED\n' });
    const writer = new FixWriter([dir]);
    expect(() => writer.write(join(dir, 'changed'), 'FROM alpine\n', 'FIXED\n')).toThrow(/changed since xlint read it; not written/);
    expect(readFileSync(join(dir, 'changed'), 'utf8')).toBe('FROM alpine\nRUN edited by the user\n');
    expect(() => writer.write(join(dir, 'fixed'), 'FROM alpine\n', 'FIXED\n')).not.toThrow();
  });

  it('temp names are unpredictable (random, not the pid) and never reused', async () => {
    const dir = project({ a: '0\n' });
    const seen: string[] = [];
    const watcher = watch(dir, (_event, name) => {
      if (name && /\.xlint-/.test(name) && !seen.includes(name)) seen.push(name);
    });
    const writer = new FixWriter([dir]);
    for (let i = 0; i < 20; i++) writer.write(join(dir, 'a'), `${i}\n`, `${i + 1}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    watcher.close();
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('20\n');
    expect(seen).toHaveLength(20);
    for (const name of seen) expect(name).toMatch(/^\.a\.xlint-[0-9a-f]{16}\.tmp$/);
    expect(seen.some((name) => name.includes(String(process.pid)))).toBe(false);
    expect(readdirSync(dir)).toEqual(['a']);
  });
});

