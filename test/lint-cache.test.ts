/**
 * `--cache` (cli/lint-cache.ts) through the built CLI: a second run answers from the cache without
 * analysing, and anything the findings depend on (the text, the platforms, the config, the switches,
 * the tool) makes it analyse again. A cache entry is doctored to tell a cached answer from a fresh one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'xlint.js');
const EMULATED = 'FROM golang\nRUN go build -o /x .\nFROM alpine\nCOPY --from=0 /x /x\n';
const DOCTORED = 'answered from the cache';

let work: string;

function xlint(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, '--format', 'json', ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function messages(run: { stdout: string }): string[] {
  return (JSON.parse(run.stdout) as { diagnostics: { message: string }[] }[]).flatMap((f) => f.diagnostics.map((d) => d.message));
}
/** Rewrites every cached finding's message, so a run that prints it did not analyse. */
function doctorCache(path = join(work, '.xlint_cache', 'findings.json')): void {
  const cache = JSON.parse(readFileSync(path, 'utf8'));
  for (const entry of Object.values(cache.entries) as { diagnostics: { message: string }[] }[]) for (const d of entry.diagnostics) d.message = DOCTORED;
  writeFileSync(path, JSON.stringify(cache));
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'xlint-cache-'));
  mkdirSync(join(work, 'svc'));
  writeFileSync(join(work, 'svc', 'Dockerfile'), EMULATED);
  writeFileSync(join(work, 'Dockerfile'), EMULATED.replace('golang', 'golang:1.22'));
});

describe('--cache', () => {
  it('reports what an uncached run reports, and a second run answers from the cache without analysing', () => {
    const plain = xlint('.');
    const first = xlint('--cache', '.');
    expect(first).toEqual(plain);
    expect(messages(plain)).toHaveLength(2);
    doctorCache();
    const second = xlint('--cache', '.');
    expect(second.status).toBe(1);
    expect(messages(second)).toEqual([DOCTORED, DOCTORED]);
  });

  it('analyses again a file whose text changed, and only that one', () => {
    xlint('--cache', '.');
    doctorCache();
    writeFileSync(join(work, 'svc', 'Dockerfile'), EMULATED + '# changed\n');
    const run = xlint('--cache', '.');
    expect(messages(run).sort()).toEqual([DOCTORED, expect.stringContaining('emulated on linux/arm64')].sort());
  });

  it('analyses again a file whose build-context script changed', () => {
    const dir = join(work, 'runc');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM golang AS runc\nCOPY install-runc /\nRUN /install-runc\nFROM alpine\nCOPY --from=runc /runc /runc\n');
    writeFileSync(join(dir, 'install-runc'), 'echo nothing to build\n');
    const first = messages(xlint('--cache', 'runc'));
    expect(first).toEqual([]);
    writeFileSync(join(dir, 'install-runc'), 'make static\n');
    expect(messages(xlint('--cache', 'runc'))).toEqual([expect.stringContaining('runs "install-runc" emulated')]);
    doctorCache();
    expect(messages(xlint('--cache', 'runc'))).toEqual([DOCTORED]);
  });

  it('a stamp vouches for the Dockerfile only: its .NET project files and the scripts its RUN steps execute are checked again', async () => {
    const dotnet = join(work, 'dotnet');
    const runc = join(work, 'runc');
    mkdirSync(dotnet);
    mkdirSync(runc);
    writeFileSync(join(dotnet, 'Dockerfile'), 'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nFROM mcr.microsoft.com/dotnet/runtime-deps:8.0\nCOPY --from=build /app /app\n');
    writeFileSync(join(runc, 'Dockerfile'), 'FROM golang AS runc\nCOPY install-runc /\nRUN /install-runc\nFROM alpine\nCOPY --from=runc /runc /runc\n');
    writeFileSync(join(runc, 'install-runc'), 'echo nothing to build\n');
    const concise = (dir: string) => spawnSync(process.execPath, [CLI, '--cache', '--format', 'concise', dir], { cwd: work, encoding: 'utf8' }).stdout;
    expect(concise('dotnet')).toContain('runs "dotnet publish" emulated');
    expect(concise('runc')).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    concise('dotnet');
    concise('runc');
    // Only the stamps can answer now.
    const path = join(work, '.xlint_cache', 'findings.json');
    const cache = JSON.parse(readFileSync(path, 'utf8'));
    for (const entry of Object.values(cache.entries) as { key: string; stamp?: string; diagnostics: { message: string }[] }[]) {
      expect(entry.stamp).toMatch(/^\d+:/);
      entry.key = 'spoiled';
      for (const d of entry.diagnostics) d.message = DOCTORED;
    }
    writeFileSync(path, JSON.stringify(cache));
    expect(concise('dotnet')).toContain(DOCTORED);
    writeFileSync(join(dotnet, 'app.csproj'), '<Project><PropertyGroup><PublishAot>true</PublishAot></PropertyGroup></Project>');
    expect(concise('dotnet')).toContain('runs "dotnet publish" emulated');
    writeFileSync(join(runc, 'install-runc'), 'make static\n');
    expect(concise('runc')).toContain('runs "install-runc" emulated');
  });

  it.each([
    ['other target platforms', ['--platform', 'linux/amd64,linux/riscv64']],
    ['another build platform', ['--build-platform', 'linux/arm64']],
    ['--report-unused-ignores', ['--report-unused-ignores']],
    ['another --target', ['--target', '0']],
    ['a rule selection', ['--ignore', 'final-stage-on-buildplatform']],
  ])('analyses again with %s', (_what, args) => {
    xlint('--cache', '.');
    doctorCache();
    expect(messages(xlint('--cache', ...args, '.'))).not.toContain(DOCTORED);
  });

  it('analyses again when the config file changes what the rules are told', () => {
    xlint('--cache', '.');
    doctorCache();
    writeFileSync(join(work, '.xlintrc.json'), JSON.stringify({ rules: { 'emulated-build-stage': 'error' } }));
    const run = JSON.parse(xlint('--cache', '.').stdout) as { diagnostics: { message: string; severity: string }[] }[];
    expect(run.flatMap((f) => f.diagnostics.map((d) => [d.severity, d.message === DOCTORED]))).toEqual([
      ['error', false],
      ['error', false],
    ]);
    // Each set of options is kept once, and only while an entry uses it.
    const cache = JSON.parse(readFileSync(join(work, '.xlint_cache', 'findings.json'), 'utf8'));
    expect(cache.options).toHaveLength(1);
    expect(cache.options[0]).toContain('"emulated-build-stage":"error"');
    expect(Object.values(cache.entries).map((e) => (e as { options: number }).options)).toEqual([0, 0]);
  });

  it("ignores a cache written by another build of the tool", () => {
    xlint('--cache', '.');
    doctorCache();
    const path = join(work, '.xlint_cache', 'findings.json');
    const cache = JSON.parse(readFileSync(path, 'utf8'));
    cache.tool = `${cache.tool}-older`;
    writeFileSync(path, JSON.stringify(cache));
    expect(messages(xlint('--cache', '.'))).not.toContain(DOCTORED);
    expect(JSON.parse(readFileSync(path, 'utf8')).tool).not.toMatch(/-older$/);
  });

  it('a damaged cache file is ignored and replaced by a good one', () => {
    mkdirSync(join(work, '.xlint_cache'));
    writeFileSync(join(work, '.xlint_cache', 'findings.json'), '{"format": "xlint-cache/3", "entr');
    const run = xlint('--cache', '.');
    expect(run).toEqual(xlint('.'));
    expect(JSON.parse(readFileSync(join(work, '.xlint_cache', 'findings.json'), 'utf8')).format).toBe('xlint-cache/3');
  });

  it("keeps its default directory out of git by a .gitignore of its own, as Ruff's does", () => {
    xlint('--cache', '.');
    expect(readFileSync(join(work, '.xlint_cache', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('--cache-location names the file; one that cannot be written is a warning and the exit code stays that of the findings', () => {
    xlint('--cache', '--cache-location', 'sub-cache.json', '.');
    expect(JSON.parse(readFileSync(join(work, 'sub-cache.json'), 'utf8')).format).toBe('xlint-cache/3');
    mkdirSync(join(work, 'a-directory'));
    const run = xlint('--cache', '--cache-location', 'a-directory', '.');
    expect(run.status).toBe(1);
    expect(messages(run)).toHaveLength(2);
    expect(run.stderr).toMatch(/^xlint: warning: the cache was not saved: --cache-location .*a-directory: not a regular file\n$/);
  });

  it('reads no file whose stamp is unchanged, unless the format prints the text; a change of the same size is seen', async () => {
    const path = join(work, '.xlint_cache', 'findings.json');
    const entries = () => Object.values(JSON.parse(readFileSync(path, 'utf8')).entries) as { key: string; stamp?: string }[];
    // Written just now: within the racy window no stamp vouches for the text.
    xlint('--cache', '.');
    expect(entries().map((e) => e.stamp)).toEqual([undefined, undefined]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    xlint('--cache', '.');
    expect(entries().every((e) => /^\d+:\d+:\d+:[\d.]+:[\d.]+$/.test(e.stamp ?? ''))).toBe(true);
    // Spoil every text key too: only the stamp can answer now.
    doctorCache();
    const cache = JSON.parse(readFileSync(path, 'utf8'));
    for (const entry of Object.values(cache.entries) as { key: string }[]) entry.key = 'spoiled';
    writeFileSync(path, JSON.stringify(cache));
    const concise = () => spawnSync(process.execPath, [CLI, '--cache', '--format', 'concise', '.'], { cwd: work, encoding: 'utf8' }).stdout;
    expect(concise().match(new RegExp(DOCTORED, 'g'))).toHaveLength(2);
    // JSON prints the text's edits: it reads the files, so the spoiled keys miss.
    expect(messages(xlint('--cache', '.'))).not.toContain(DOCTORED);
    doctorCache();
    writeFileSync(join(work, 'svc', 'Dockerfile'), EMULATED.replace('/x .', '/y .'));
    expect(concise().match(new RegExp(DOCTORED, 'g'))).toHaveLength(1);
  });

  it('--fix always analyses and leaves the cache alone', () => {
    xlint('--cache', '.');
    doctorCache();
    const before = readFileSync(join(work, '.xlint_cache', 'findings.json'), 'utf8');
    const run = xlint('--cache', '--fix', '--unsafe-fixes', '.');
    expect(messages(run)).not.toContain(DOCTORED);
    expect(readFileSync(join(work, 'svc', 'Dockerfile'), 'utf8')).toContain('$BUILDPLATFORM');
    expect(readFileSync(join(work, '.xlint_cache', 'findings.json'), 'utf8')).toBe(before);
  });
});
