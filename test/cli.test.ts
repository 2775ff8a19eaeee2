/** The `xlint` command as users run it: the built bundle in a child process, on real files. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IS_ROOT_USER = process.getuid?.() === 0;
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'xlint.js');
const EMULATED_GO = [
  'FROM golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN CGO_ENABLED=0 go build -o /out/app .',
  '',
  'FROM alpine:3.20',
  'COPY --from=build /out/app /app',
  '',
].join('\n');
const UNDECLARED = 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN GOARCH=$TARGETARCH go build -o /out/app .\nFROM alpine\nCOPY --from=build /out/app /app\n';
const CLEAN = 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function xlint(args: string[], options: { cwd?: string; input?: string | Buffer; uid?: number } = {}): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function project(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xlint-cli-'));
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Every file under a directory with its bytes: to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out[path] = readFileSync(path).toString('base64') + statSync(path).mode;
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  expect(statSync(CLI).isFile(), 'run `npm run build` first').toBe(true);
});

describe('exit codes and output', () => {
  it('exits 0 with no output on a clean file', () => {
    const dir = project({ Dockerfile: CLEAN });
    const run = xlint([], { cwd: dir });
    expect([run.status, run.stdout, run.stderr]).toEqual([0, '', '']);
  });

  it('exits 1 on findings, printing file:line:column, message and rule id', () => {
    const dir = project({ Dockerfile: UNDECLARED });
    const run = xlint(['Dockerfile'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Dockerfile\n');
    expect(run.stdout).toMatch(/2:12\s+error\s+.*TARGETARCH.*undeclared-platform-arg/);
    expect(run.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?/);
  });

  it('prints the stable JSON shape', () => {
    const dir = project({ 'Dockerfile': UNDECLARED });
    const run = xlint(['--format', 'json'], { cwd: dir });
    const [file] = JSON.parse(run.stdout);
    expect(file.filePath).toBe('Dockerfile');
    const diagnostic = file.diagnostics.find((d: { ruleId: string }) => d.ruleId === 'undeclared-platform-arg');
    expect(diagnostic).toEqual({
      ruleId: 'undeclared-platform-arg',
      severity: 'error',
      message: expect.stringContaining('TARGETARCH'),
      line: 2,
      column: 12,
      endLine: 2,
      endColumn: 23,
      url: 'https://github.com/xlint-dev/xlint/blob/v0.1.0/docs/rules/undeclared-platform-arg.md',
      fix: { title: expect.any(String), safety: 'safe', edits: [{ line: 2, column: 1, endLine: 2, endColumn: 1, text: 'ARG TARGETARCH\n' }] },
    });
  });

  it('exits 2 on usage errors with a clear message', () => {
    expect(xlint(['--platform', 'linux'])).toMatchObject({ status: 2, stderr: expect.stringContaining('"linux" is not a platform') });
    expect(xlint(['--bogus'])).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown option '--bogus'") });
    expect(xlint(['--format', 'xml'])).toMatchObject({ status: 2, stderr: expect.stringContaining('xml') });
    expect(xlint(['no-such-file'])).toMatchObject({ status: 2, stderr: expect.stringContaining('no-such-file: no such file or directory') });
  });

  it('--exit-zero, --quiet, --max-warnings and --failure-threshold', () => {
    const dir = project({ Dockerfile: UNDECLARED });
    expect(xlint(['--exit-zero'], { cwd: dir }).status).toBe(0);
    expect(xlint(['--failure-threshold', 'error'], { cwd: dir }).status).toBe(1);
    const warningsOnly = project({ Dockerfile: 'FROM --platform=$TARGETPLATFORM alpine\nRUN true\n' });
    expect(xlint([], { cwd: warningsOnly }).status).toBe(1);
    expect(xlint(['--failure-threshold', 'error'], { cwd: warningsOnly }).status).toBe(0);
    expect(xlint(['--max-warnings', '5'], { cwd: warningsOnly }).status).toBe(0);
    expect(xlint(['--max-warnings', '0'], { cwd: warningsOnly })).toMatchObject({ status: 1, stderr: expect.stringContaining('too many warnings') });
    expect(xlint(['--quiet'], { cwd: warningsOnly })).toMatchObject({ status: 0, stdout: '' });
    expect(xlint(['--severity', 'error'], { cwd: warningsOnly })).toMatchObject({ status: 0, stdout: '' });
    expect(xlint(['--severity', 'warning'], { cwd: warningsOnly }).status).toBe(1);
  });

  it('--version and --help with examples', () => {
    expect(xlint(['--version'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const help = xlint(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--unsafe-fixes');
  });
});

describe('file discovery', () => {
  it('finds Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile; skips node_modules and .git', () => {
    const dir = project({
      'Dockerfile': CLEAN,
      'api/api.Dockerfile': CLEAN,
      'web/Dockerfile.prod': CLEAN,
      'podman/Containerfile': CLEAN,
      'node_modules/pkg/Dockerfile': UNDECLARED,
      '.git/Dockerfile': UNDECLARED,
      'README.md': '# not a Dockerfile',
    });
    const run = xlint(['--format', 'json'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).map((f: { filePath: string }) => f.filePath).sort()).toEqual([
      'Dockerfile',
      'api/api.Dockerfile',
      'podman/Containerfile',
      'web/Dockerfile.prod',
    ]);
  });

  it('takes globs', () => {
    const dir = project({ 'a/Dockerfile': CLEAN, 'b/Dockerfile': UNDECLARED });
    const run = xlint(['--format', 'json', 'a/*'], { cwd: dir });
    expect(JSON.parse(run.stdout).map((f: { filePath: string }) => f.filePath)).toEqual(['a/Dockerfile']);
  });
});

describe('--fix and --diff', () => {
  it('--fix writes safe fixes, a second run changes nothing', () => {
    const dir = project({ Dockerfile: UNDECLARED });
    const first = xlint(['--fix'], { cwd: dir });
    expect(first.status).toBe(0);
    const fixed = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(fixed).toContain('ARG TARGETARCH');
    expect(xlint(['--fix'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(fixed);
  });

  it('--diff prints a unified diff and writes nothing', () => {
    const dir = project({ Dockerfile: UNDECLARED });
    const before = snapshot(dir);
    const run = xlint(['--diff'], { cwd: dir });
    expect(run.stdout).toMatch(/^Index: |^===|^--- a\/Dockerfile/m);
    expect(run.stdout).toContain('+ARG TARGETARCH');
    expect(snapshot(dir)).toEqual(before);
  });

  it('--fix keeps the BOM, CRLF line endings and the file mode', () => {
    const crlf = '\ufeff' + UNDECLARED.replace(/\n/g, '\r\n');
    const dir = project({ Dockerfile: crlf });
    chmodSync(join(dir, 'Dockerfile'), 0o640);
    xlint(['--fix'], { cwd: dir });
    const fixed = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(fixed.startsWith('\ufeff')).toBe(true);
    expect(fixed).toContain('ARG TARGETARCH\r\n');
    expect(fixed.replace(/\r\n/g, '')).not.toContain('\n');
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['Dockerfile']);
  });

  it('--stdin with --fix prints the fixed text', () => {
    const run = xlint(['--stdin', '--stdin-filename', 'svc/Dockerfile', '--fix'], { input: UNDECLARED });
    expect(run.stdout).toContain('ARG TARGETARCH');
    const lint = xlint(['--stdin', '--stdin-filename', 'svc/Dockerfile', '--format', 'json'], { input: UNDECLARED });
    expect(JSON.parse(lint.stdout)[0].filePath).toBe('svc/Dockerfile');
  });
});

describe('bad input: one clear message per file, the others still linted, exit 2, nothing written', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]), /binary file \(NUL byte at offset 6\)/],
    ['invalid UTF-8', Buffer.concat([Buffer.from('FROM alpine\nRUN echo '), Buffer.from([0xc3, 0x28])]), /not valid UTF-8 \(first bad byte at offset 21\)/],
    ['10 MB', 'FROM alpine\n' + '# padding\n'.repeat(1_000_000), /file too large \(9\.5 MiB; the limit is 2 MiB\)/],
    ['no FROM', '# just a comment\n', /no FROM instruction/],
    ['malformed', 'FROM alpine\nRUN echo hi\nFORM typo\n', /unknown instruction "FORM"/],
  ];
  for (const [name, content, message] of cases) {
    it(name, () => {
      const dir = project({ 'bad/Dockerfile': content, 'good/Dockerfile': UNDECLARED });
      const before = snapshot(dir);
      const run = xlint(['--fix', '--format', 'json'], { cwd: dir });
      expect(run.status).toBe(2);
      const reports = JSON.parse(run.stdout);
      const bad = reports.find((r: { filePath: string }) => r.filePath === 'bad/Dockerfile');
      expect([bad.error ?? '', ...bad.diagnostics.map((d: { message: string }) => d.message)].join('\n')).toMatch(message);
      expect(reports.find((r: { filePath: string }) => r.filePath === 'good/Dockerfile')).toBeDefined();
      const after = snapshot(dir);
      expect(after[join(dir, 'bad/Dockerfile')]).toBe(before[join(dir, 'bad/Dockerfile')]);
      expect(after[join(dir, 'good/Dockerfile')]).not.toBe(before[join(dir, 'good/Dockerfile')]);
    });
  }

  it('an empty file', () => {
    const dir = project({ Dockerfile: '' });
    expect(xlint([], { cwd: dir })).toMatchObject({ status: 2, stdout: expect.stringContaining('no FROM instruction') });
  });

  it('a directory named Dockerfile is searched, not read', () => {
    const dir = project({ 'Dockerfile/Dockerfile': CLEAN });
    expect(xlint(['--format', 'json'], { cwd: dir })).toMatchObject({ status: 0, stdout: expect.stringContaining('Dockerfile/Dockerfile') });
  });

  it('a symlink loop', () => {
    const dir = project({ 'good/Dockerfile': CLEAN });
    symlinkSync('Dockerfile.b', join(dir, 'Dockerfile.a'));
    symlinkSync('Dockerfile.a', join(dir, 'Dockerfile.b'));
    const run = xlint(['Dockerfile.a', 'good/Dockerfile'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Dockerfile.a: too many levels of symbolic links');
  });

  it('an unreadable file', () => {
    const dir = project({ 'secret/Dockerfile': UNDECLARED, 'good/Dockerfile': CLEAN });
    chmodSync(join(dir, 'secret/Dockerfile'), 0o000);
    const run = xlint(['secret/Dockerfile', 'good/Dockerfile'], { cwd: dir, uid: process.getuid?.() === 0 ? 65534 : undefined });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('secret/Dockerfile: permission denied');
  });

  it('an invalid config names the file and the key', () => {
    const dir = project({ Dockerfile: CLEAN, '.xlintrc.json': '{"platforms": ["linux/amd64"], "rulez": {}}' });
    const run = xlint([], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.xlintrc.json: unknown key "rulez"');
    const badRule = project({ Dockerfile: CLEAN, '.xlintrc.json': '{"rules": {"no-such-rule": "off"}}' });
    expect(xlint([], { cwd: badRule }).stderr).toContain('unknown rule "no-such-rule"');
  });
});

describe('configuration', () => {
  it('the nearest .xlintrc.json sets severities and platforms', () => {
    const dir = project({
      'svc/Dockerfile': UNDECLARED,
      'svc/.xlintrc.json': JSON.stringify({ rules: { 'undeclared-platform-arg': 'off' } }),
      'other/Dockerfile': UNDECLARED,
    });
    const reports = JSON.parse(xlint(['--format', 'json'], { cwd: dir }).stdout);
    const ids = (file: string) => reports.find((r: { filePath: string }) => r.filePath === file).diagnostics.map((d: { ruleId: string }) => d.ruleId);
    expect(ids('svc/Dockerfile')).not.toContain('undeclared-platform-arg');
    expect(ids('other/Dockerfile')).toContain('undeclared-platform-arg');
  });

  it('ignores the paths it lists', () => {
    const dir = project({ 'Dockerfile': CLEAN, 'vendor/Dockerfile': UNDECLARED, '.xlintrc.json': '{"ignore": ["vendor/**"]}' });
    expect(xlint([], { cwd: dir }).status).toBe(0);
  });
});

describe('suppressions', () => {
  it('--report-unused-ignores reports a suppression that suppressed nothing', () => {
    const dir = project({ Dockerfile: '# xlint ignore=undeclared-platform-arg\nFROM alpine\nRUN true\n' });
    expect(xlint([], { cwd: dir }).status).toBe(0);
    const run = xlint(['--report-unused-ignores'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('unused suppression: "undeclared-platform-arg"');
  });

  it('# xlint ignore above a FROM covers the stage', () => {
    const dir = project({ Dockerfile: '# xlint ignore=undeclared-platform-arg\n' + UNDECLARED });
    expect(xlint([], { cwd: dir }).stdout).not.toContain('undeclared-platform-arg');
  });
});

describe('explain-build', () => {
  it('prints the model as text and JSON', () => {
    const dir = project({ Dockerfile: EMULATED_GO });
    const text = xlint(['explain-build', 'Dockerfile'], { cwd: dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('runs once per target: native for linux/amd64, emulated for linux/arm64');
    expect(text.stdout).toContain('linux/arm64: 1 RUN step emulated');
    const json = JSON.parse(xlint(['explain-build', 'Dockerfile', '--format', 'json', '--platform', 'linux/arm64', '--build-platform', 'linux/amd64'], { cwd: dir }).stdout);
    expect(json).toMatchObject({ buildPlatform: 'linux/amd64', targetPlatforms: ['linux/arm64'], outputStage: 1 });
    expect(json.stages[0]).toMatchObject({ name: 'build', emulatedOn: ['linux/arm64'], runs: [{ line: 4, commands: [{ name: 'go', kind: 'build', toolchain: 'go' }] }] });
  });

  it('exits 2 for an unreadable or malformed Dockerfile', () => {
    expect(xlint(['explain-build', 'nope']).status).toBe(2);
    expect(xlint(['explain-build', 'nope/Dockerfile'])).toMatchObject({ status: 2, stderr: expect.stringContaining('nope/Dockerfile: no such file') });
    const dir = project({ Dockerfile: 'RUN echo\n' });
    expect(xlint(['explain-build', 'Dockerfile'], { cwd: dir })).toMatchObject({ status: 2, stdout: expect.stringContaining('no FROM instruction') });
  });
});

describe('build context', () => {
  const DOTNET = 'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nFROM mcr.microsoft.com/dotnet/runtime-deps:8.0\nCOPY --from=build /app /app\n';
  const safety = (dir: string) => JSON.parse(xlint(['--format', 'json', '--build-platform', 'linux/amd64', 'Dockerfile'], { cwd: dir }).stdout)[0].diagnostics[0].fix.safety;

  it('a project file beside the Dockerfile that publishes NativeAOT makes the .NET cross-compile fix display-only', () => {
    expect(safety(project({ Dockerfile: DOTNET, 'app.csproj': '<Project><PropertyGroup><PublishAot>false</PublishAot></PropertyGroup></Project>' }))).toBe('safe');
    expect(safety(project({ Dockerfile: DOTNET, 'src/app/app.csproj': '<Project><PropertyGroup><PublishAot>true</PublishAot></PropertyGroup></Project>' }))).toBe('display-only');
  });

  it('reads the scripts a RUN executes from the context: a build behind one is reported, an absent or binary one is opaque', () => {
    const RUNC = 'FROM golang:1.22 AS runc\nCOPY hack/install-runc /\nRUN /install-runc\nFROM debian:bookworm-slim\nCOPY --from=runc /usr/local/bin/runc /usr/local/bin/runc\n';
    const findings = (dir: string) => JSON.parse(xlint(['--format', 'json', 'Dockerfile'], { cwd: dir }).stdout)[0].diagnostics.map((d: { message: string }) => d.message);
    const builds = project({ Dockerfile: RUNC, 'hack/install-runc': '#!/bin/sh\nset -e\ncd /go/src/runc && make static && make install\n' });
    expect(findings(builds)).toEqual([expect.stringContaining('Stage "runc" runs "install-runc" emulated on linux/arm64')]);
    expect(xlint(['explain-build', 'Dockerfile'], { cwd: builds }).stdout).toContain("install-runc  [build, c] (a build in the context's hack/install-runc)");
    expect(findings(project({ Dockerfile: RUNC }))).toEqual([]);
    expect(findings(project({ Dockerfile: RUNC, 'hack/install-runc': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0x6d, 0x61, 0x6b, 0x65]) }))).toEqual([]);
  });

  it('--context names the build context when the Dockerfile is not at its root (docker build -f docker/Dockerfile .); one that is no directory is exit 2', () => {
    const RUNC = 'FROM golang:1.22 AS runc\nCOPY hack/install-runc /\nRUN /install-runc\nFROM debian:bookworm-slim\nCOPY --from=runc /usr/local/bin/runc /usr/local/bin/runc\n';
    const dir = project({ 'docker/Dockerfile': RUNC, 'hack/install-runc': 'make static\n' });
    const run = (...args: string[]) => xlint(['--format', 'concise', ...args], { cwd: dir });
    expect(run('docker/Dockerfile')).toMatchObject({ status: 0, stdout: '' });
    expect(run('--context', '.', 'docker/Dockerfile')).toMatchObject({ status: 1, stdout: expect.stringContaining('runs "install-runc" emulated') });
    expect(xlint(['explain-build', '--context', '.', 'docker/Dockerfile'], { cwd: dir }).stdout).toContain("(a build in the context's hack/install-runc)");
    expect(run('--context', 'nope', 'docker/Dockerfile')).toMatchObject({ status: 2, stderr: expect.stringContaining('--context nope: not a directory') });
    expect(xlint(['explain-build', '--context', 'docker/Dockerfile', 'docker/Dockerfile'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('not a directory') });
  });
});

describe('graph', () => {
  it('prints the stage graph as Mermaid (default) and DOT; exits 2 for a missing file', () => {
    const dir = project({ Dockerfile: EMULATED_GO });
    const mermaid = xlint(['graph', 'Dockerfile'], { cwd: dir });
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toContain('emulated on linux/arm64');
    const dot = xlint(['graph', '--format', 'dot', 'Dockerfile'], { cwd: dir });
    expect(dot.stdout).toMatch(/^digraph build \{/);
    expect(dot.stdout).toContain('s0 -> s1 [style=dashed, label="copy"];');
    expect(xlint(['graph', 'nope']).status).toBe(2);
  });
});

describe('rules and explain', () => {
  it('lists the rules and prints a rule doc', () => {
    const list = xlint(['rules']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('redundant-target-platform');
    const doc = xlint(['explain', 'redundant-target-platform']);
    expect(doc.stdout).toContain('## Why is this bad?');
    expect(xlint(['explain', 'nope'])).toMatchObject({ status: 2, stderr: expect.stringContaining('no rule "nope"') });
  });
});

// ---------------------------------------------------------------- issue 13: the habits users bring from Ruff, hadolint and ESLint

/** A constant-platform warning on line 1 and an undeclared-platform-arg error on line 2. */
const TWO_RULES = 'FROM --platform=linux/amd64 golang:1.22 AS build\nRUN GOARCH=$TARGETARCH go build -o /out/app .\nFROM alpine\nCOPY --from=build /out/app /app\n';
const BUILDER = ['--build-platform', 'linux/amd64'];

/** The CLI with exactly this colour environment (NO_COLOR and FORCE_COLOR unset unless given). */
function xlintEnv(args: string[], env: Record<string, string>, cwd?: string): Run {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const rulesOf = (run: Run) => [...run.stdout.matchAll(/\[([a-z-]+)\]/g)].map((m) => m[1]);

describe('colours: --color, NO_COLOR, FORCE_COLOR, the terminal', () => {
  const ANSI = /\u001b\[/;
  const dir = project({ Dockerfile: TWO_RULES });
  const colours = (args: string[], env: Record<string, string>) => ANSI.test(xlintEnv([...BUILDER, ...args], env, dir).stdout);

  it('none into a pipe, unless forced', () => {
    expect(colours([], {})).toBe(false);
    expect(colours([], { FORCE_COLOR: '1' })).toBe(true);
    expect(colours([], { FORCE_COLOR: '' })).toBe(true);
    expect(colours([], { FORCE_COLOR: '0' })).toBe(false);
    expect(colours([], { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('NO_COLOR (any non-empty value) beats FORCE_COLOR; an empty NO_COLOR is not set', () => {
    expect(colours([], { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colours([], { NO_COLOR: 'no', FORCE_COLOR: '3' })).toBe(false);
    expect(colours([], { NO_COLOR: '', FORCE_COLOR: '1' })).toBe(true);
  });

  it('the command line beats both', () => {
    expect(colours(['--color'], { NO_COLOR: '1' })).toBe(true);
    expect(colours(['--color'], { FORCE_COLOR: '0' })).toBe(true);
    expect(colours(['--no-color'], { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('--select, --extend-select, --ignore (rule ids, as in Ruff)', () => {
  const dir = project({ Dockerfile: TWO_RULES });
  const run = (...args: string[]) => xlint([...BUILDER, '--format', 'concise', ...args], { cwd: dir });

  it('--select enables exactly its rules; mirrored BuildKit and hadolint ids name ours', () => {
    expect(rulesOf(run())).toEqual(['constant-platform', 'undeclared-platform-arg']);
    expect(rulesOf(run('--select', 'constant-platform'))).toEqual(['constant-platform']);
    expect(rulesOf(run('--select', 'DL3029'))).toEqual(['constant-platform']);
    expect(rulesOf(run('--select', 'fromplatformflagconstdisallowed'))).toEqual(['constant-platform']);
    expect(rulesOf(run('--select', 'undeclared-platform-arg'))).toEqual(['undeclared-platform-arg']);
    const none = run('--select', 'hardcoded-arch');
    expect([none.status, none.stdout]).toEqual([0, '']);
    expect(rulesOf(run('--select', 'ALL'))).toEqual(['constant-platform', 'undeclared-platform-arg']);
  });

  it('--extend-select adds, --ignore removes and wins; both take commas and repeat', () => {
    expect(rulesOf(run('--select', 'hardcoded-arch', '--extend-select', 'DL3029'))).toEqual(['constant-platform']);
    expect(rulesOf(run('--select', 'hardcoded-arch,DL3029', '--select', 'undeclared-platform-arg'))).toEqual(['constant-platform', 'undeclared-platform-arg']);
    expect(rulesOf(run('--ignore', 'FromPlatformFlagConstDisallowed'))).toEqual(['undeclared-platform-arg']);
    expect(rulesOf(run('--ignore', 'constant-platform', '--ignore', 'undeclared-platform-arg'))).toEqual([]);
    expect(rulesOf(run('--select', 'constant-platform', '--ignore', 'DL3029'))).toEqual([]);
  });

  it('--select and --extend-select turn on a rule the config turned off; --ignore turns off what it enables', () => {
    const configured = project({ Dockerfile: TWO_RULES, '.xlintrc.json': JSON.stringify({ rules: { 'constant-platform': 'off', 'undeclared-platform-arg': 'info' } }) });
    const go = (...args: string[]) => xlint([...BUILDER, '--format', 'concise', ...args], { cwd: configured });
    expect(rulesOf(go())).toEqual(['undeclared-platform-arg']);
    expect(rulesOf(go('--extend-select', 'constant-platform'))).toEqual(['constant-platform', 'undeclared-platform-arg']);
    // A rule enabled again keeps the severity the config gave it.
    expect(go('--select', 'constant-platform,undeclared-platform-arg').stdout).toContain(': info [undeclared-platform-arg]');
    expect(rulesOf(go('--ignore', 'undeclared-platform-arg'))).toEqual([]);
  });

  it('an unknown id or an empty entry is a usage error (exit 2) naming it', () => {
    expect(run('--select', 'no-such-rule')).toMatchObject({ status: 2, stdout: '', stderr: expect.stringContaining('--select: unknown rule "no-such-rule"') });
    expect(run('--ignore', 'DL3008')).toMatchObject({ status: 2, stderr: expect.stringContaining('--ignore: unknown rule "DL3008"') });
    expect(run('--extend-select', 'constant-platform,,DL3029')).toMatchObject({ status: 2, stderr: expect.stringContaining('empty entry') });
  });

  it('--report-unused-ignores says nothing of suppressions for a rule that did not run', () => {
    const suppressed = project({ Dockerfile: '# hadolint ignore=DL3029\n' + TWO_RULES });
    const go = (...args: string[]) => xlint([...BUILDER, '--format', 'concise', '--report-unused-ignores', ...args], { cwd: suppressed });
    expect(rulesOf(go())).toEqual(['undeclared-platform-arg']);
    expect(rulesOf(go('--ignore', 'constant-platform'))).toEqual(['undeclared-platform-arg']);
  });
});

describe('xlint - reads standard input', () => {
  it('lints it as --stdin does, and --fix prints the fixed text', () => {
    const run = xlint([...BUILDER, '--format', 'concise', '-'], { input: TWO_RULES });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('<stdin>:2:12: error [undeclared-platform-arg] ');
    expect(xlint([...BUILDER, '-', '--stdin-filename', 'svc/Dockerfile', '--format', 'concise'], { input: TWO_RULES }).stdout).toContain('svc/Dockerfile:1:6: warning [constant-platform]');
    const fixed = xlint([...BUILDER, '--fix', '-'], { input: TWO_RULES });
    expect(fixed.stdout).toContain('ARG TARGETARCH\nRUN GOARCH');
    expect(fixed.stderr).toContain('constant-platform');
  });

  it('"-" with paths is a usage error', () => {
    const dir = project({ Dockerfile: CLEAN });
    expect(xlint(['-', 'Dockerfile'], { cwd: dir, input: CLEAN })).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot be combined with paths') });
  });
});

describe('--format concise and --output-format', () => {
  it('prints path:line:col: severity [rule] message, one line per finding, nothing when clean', () => {
    const dir = project({ Dockerfile: TWO_RULES, 'svc/Dockerfile': CLEAN });
    const run = xlint([...BUILDER, '--format', 'concise', '.'], { cwd: dir });
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Dockerfile:1:6: warning \[constant-platform\] "--platform=linux\/amd64" pins this stage/);
    expect(lines[1]).toMatch(/^Dockerfile:2:12: error \[undeclared-platform-arg\] \$TARGETARCH is empty here/);
    expect(xlint(['--format', 'concise'], { cwd: project({ Dockerfile: CLEAN }) })).toMatchObject({ status: 0, stdout: '' });
  });

  it("accepts Ruff's --output-format; two formats that disagree are a usage error", () => {
    const dir = project({ Dockerfile: TWO_RULES });
    expect(xlint([...BUILDER, '--output-format', 'concise'], { cwd: dir }).stdout).toBe(xlint([...BUILDER, '-f', 'concise'], { cwd: dir }).stdout);
    expect(JSON.parse(xlint([...BUILDER, '--output-format', 'json'], { cwd: dir }).stdout)[0].diagnostics).toHaveLength(2);
    expect(xlint([...BUILDER, '--format', 'concise', '--output-format', 'concise'], { cwd: dir }).status).toBe(1);
    expect(xlint(['--format', 'json', '--output-format', 'concise'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('disagree') });
    expect(xlint(['--output-format', 'xml'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('xml') });
  });
});

describe('--statistics', () => {
  const dir = project({ Dockerfile: TWO_RULES, 'b/Dockerfile': TWO_RULES });

  it('counts findings per rule with their severity and how many --fix fixes, instead of the findings', () => {
    const run = xlint([...BUILDER, '--statistics', '.'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      // The most frequent first; a tie in id order.
      '2  warning  constant-platform',
      '2  error    undeclared-platform-arg  2 fixable',
      'Found 4 findings (2 fixable with `xlint --fix`).',
      '',
    ]);
    expect(xlint(['--statistics'], { cwd: project({ Dockerfile: CLEAN }) })).toMatchObject({ status: 0, stdout: '' });
  });

  it('is a JSON object with --format json; unsafe fixes count with --unsafe-fixes', () => {
    const stats = JSON.parse(xlint([...BUILDER, '--statistics', '--format', 'json', '.'], { cwd: dir }).stdout);
    expect(stats).toEqual({
      total: 4,
      fixable: 2,
      rules: {
        'constant-platform': { count: 2, severities: { warning: 2 }, fixable: 0, url: expect.stringMatching(/\/docs\/rules\/constant-platform\.md$/) },
        'undeclared-platform-arg': { count: 2, severities: { error: 2 }, fixable: 2, url: expect.stringMatching(/\/docs\/rules\/undeclared-platform-arg\.md$/) },
      },
    });
    expect(Object.keys(stats.rules)).toEqual(['constant-platform', 'undeclared-platform-arg']);
    const unsafe = JSON.parse(xlint([...BUILDER, '--statistics', '--unsafe-fixes', '-f', 'json', '.'], { cwd: dir }).stdout);
    expect(unsafe.rules['constant-platform'].fixable).toBe(2);
  });

  it('refuses formats it cannot print and --diff', () => {
    expect(xlint(['--statistics', '--format', 'sarif'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--statistics') });
    expect(xlint(['--statistics', '--diff'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot be used with option') });
  });
});

describe('-o/--output-file', () => {
  it('writes the report to the file, not stdout, with the same exit code', () => {
    const dir = project({ Dockerfile: TWO_RULES });
    const run = xlint([...BUILDER, '-f', 'sarif', '-o', 'xlint.sarif'], { cwd: dir });
    expect([run.status, run.stdout]).toEqual([1, '']);
    const log = JSON.parse(readFileSync(join(dir, 'xlint.sarif'), 'utf8'));
    expect(log.runs[0].results).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(['Dockerfile', 'xlint.sarif']);
    // Statistics and diffs go there too; a clean run writes an empty report.
    expect(xlint([...BUILDER, '--diff', '--output-file', 'fix.diff'], { cwd: dir }).status).toBe(1);
    expect(readFileSync(join(dir, 'fix.diff'), 'utf8')).toContain('+ARG TARGETARCH');
    const clean = project({ Dockerfile: CLEAN });
    expect(xlint(['-o', 'report.txt'], { cwd: clean }).status).toBe(0);
    expect(readFileSync(join(clean, 'report.txt'), 'utf8')).toBe('');
  });

  it('replaces an existing report whole, keeping its mode; no colours in a file unless --color', () => {
    const dir = project({ Dockerfile: TWO_RULES, 'report.txt': 'old report\n' });
    chmodSync(join(dir, 'report.txt'), 0o640);
    const env = { FORCE_COLOR: '1' };
    xlintEnv([...BUILDER, '-o', 'report.txt'], env, dir);
    const text = readFileSync(join(dir, 'report.txt'), 'utf8');
    expect(text).toContain('undeclared-platform-arg');
    expect(text).not.toContain('old report');
    expect(text).not.toMatch(/\u001b\[/);
    expect(statSync(join(dir, 'report.txt')).mode & 0o777).toBe(0o640);
    xlintEnv([...BUILDER, '--color', '-o', 'report.txt'], {}, dir);
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toMatch(/\u001b\[/);
    expect(readdirSync(dir).sort()).toEqual(['Dockerfile', 'report.txt']);
  });

  it('a path it cannot write is exit 2 with a message, and nothing is left behind', () => {
    const dir = project({ Dockerfile: TWO_RULES, 'a-dir/keep': '' });
    expect(xlint(['-o', 'missing/report.txt'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--output-file missing/report.txt: cannot write: no such directory') });
    expect(xlint(['-o', 'a-dir'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--output-file a-dir: not a regular file') });
    expect(xlint(['-o', 'Dockerfile/x'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--output-file Dockerfile/x') });
    expect(readdirSync(dir).sort()).toEqual(['Dockerfile', 'a-dir']);
    expect(readdirSync(join(dir, 'a-dir'))).toEqual(['keep']);
  });

  it.skipIf(IS_ROOT_USER)('a directory it may not write to is exit 2, and an existing report there stays as it was', () => {
    const dir = project({ Dockerfile: TWO_RULES, 'locked/report.txt': 'previous\n' });
    chmodSync(join(dir, 'locked'), 0o555);
    try {
      expect(xlint(['-o', 'locked/report.txt'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('permission denied') });
      expect(readFileSync(join(dir, 'locked/report.txt'), 'utf8')).toBe('previous\n');
      expect(readdirSync(join(dir, 'locked'))).toEqual(['report.txt']);
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });
});

describe('--diff gates', () => {
  it('exits 1 when it prints a diff, 0 when there is nothing to fix', () => {
    expect(xlint([...BUILDER, '--diff'], { cwd: project({ Dockerfile: TWO_RULES }) }).status).toBe(1);
    expect(xlint(['--diff'], { cwd: project({ Dockerfile: CLEAN }) })).toMatchObject({ status: 0, stdout: '' });
  });
});

describe('explain with the ids of the checks a rule mirrors', () => {
  it('takes hadolint and BuildKit ids in any case, and prints no generated-file comment', () => {
    const own = xlint(['explain', 'constant-platform']);
    expect(own.status).toBe(0);
    expect(own.stdout.startsWith('# constant-platform\n')).toBe(true);
    expect(own.stdout).not.toContain('<!--');
    for (const id of ['DL3029', 'dl3029', 'FromPlatformFlagConstDisallowed']) expect(xlint(['explain', id]).stdout).toBe(own.stdout);
    expect(xlint(['explain', 'DL3065']).stdout.startsWith('# redundant-target-platform\n')).toBe(true);
    expect(xlint(['explain', 'RedundantTargetPlatform']).stdout.startsWith('# redundant-target-platform\n')).toBe(true);
    expect(xlint(['explain', 'UndefinedArgInFrom']).stdout.startsWith('# undefined-arg-in-from\n')).toBe(true);
    expect(xlint(['explain', 'DL3008'])).toMatchObject({ status: 2, stderr: expect.stringContaining('no rule "DL3008"') });
  });
});

describe('--format json: fixes with their edits', () => {
  it('applying the edits of every safe fix gives what --fix writes', () => {
    const run = xlint([...BUILDER, '-f', 'json', '-'], { input: TWO_RULES });
    const [file] = JSON.parse(run.stdout);
    const lines = TWO_RULES.split('\n');
    const offset = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    type Edit = { line: number; column: number; endLine: number; endColumn: number; text: string };
    const edits: Edit[] = file.diagnostics.flatMap((d: { fix: { safety: string; edits: Edit[] } | null }) => (d.fix?.safety === 'safe' ? d.fix.edits : []));
    let text = TWO_RULES;
    for (const e of [...edits].sort((a, b) => offset(b.line, b.column) - offset(a.line, a.column))) {
      text = text.slice(0, offset(e.line, e.column)) + e.text + text.slice(offset(e.endLine, e.endColumn));
    }
    expect(text).toBe(xlint([...BUILDER, '--fix', '-'], { input: TWO_RULES }).stdout);
    for (const d of file.diagnostics) expect(d.url).toBe(`https://github.com/xlint-dev/xlint/blob/v0.1.0/docs/rules/${d.ruleId}.md`);
  });
});
