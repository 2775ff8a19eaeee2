/**
 * The `xlint` launcher (cli/launcher.ts) caches the CLI bundle's compiled code in the user's cache
 * directory. A cached start must behave exactly as an uncached one, and a damaged or unwritable
 * cache must never stop the command.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'xlint.js');
const EMULATED = 'FROM golang\nRUN go build -o /x .\nFROM alpine\nCOPY --from=0 /x /x\n';

let work: string;
let dockerfile: string;

function run(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI, '--format', 'json', dockerfile], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'xlint-launcher-'));
  dockerfile = join(work, 'Dockerfile');
  writeFileSync(dockerfile, EMULATED);
});

describe('the compile cache of the xlint command', () => {
  it('is written on the first run, under a name holding the bundle hash and Node version, and a cached run reports the same', () => {
    const cache = mkdtempSync(join(work, 'cache-'));
    const uncached = run({ XLINT_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: cache });
    expect(readdirSync(cache)).toEqual([]);
    const first = run({ XDG_CACHE_HOME: cache });
    const files = readdirSync(join(cache, 'xlint', 'v8'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^cli-[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.bin$`));
    expect(readFileSync(join(cache, 'xlint', 'v8', files[0])).length).toBeGreaterThan(10_000);
    const second = run({ XDG_CACHE_HOME: cache });
    for (const result of [first, second]) {
      expect(result).toEqual(uncached);
    }
    expect(uncached.status).toBe(1);
    expect(JSON.parse(uncached.stdout)[0].diagnostics[0].ruleId).toBe('emulated-build-stage');
  });

  it('the cache a lint of several files writes (it tunes V8 once the bundle is compiled) serves a one-file run, and the other way round: never rewritten', () => {
    const other = join(work, 'other.Dockerfile');
    writeFileSync(other, EMULATED);
    const several = (env: Record<string, string>) => spawnSync(process.execPath, [CLI, '--format', 'json', dockerfile, other], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
    const one = (env: Record<string, string>) => run(env).stdout;
    const expected = { several: several({ XLINT_NO_COMPILE_CACHE: '1' }), one: one({ XLINT_NO_COMPILE_CACHE: '1' }) };
    expect(JSON.parse(expected.several)).toHaveLength(2);
    for (const [writer, reader] of [
      [several, one],
      [one, several],
    ]) {
      const env = { XDG_CACHE_HOME: mkdtempSync(join(work, 'cache-')) };
      writer(env);
      const [file] = readdirSync(join(env.XDG_CACHE_HOME, 'xlint', 'v8'));
      const written = readFileSync(join(env.XDG_CACHE_HOME, 'xlint', 'v8', file));
      expect(reader(env)).toBe(reader === one ? expected.one : expected.several);
      expect(writer(env)).toBe(writer === one ? expected.one : expected.several);
      expect(readFileSync(join(env.XDG_CACHE_HOME, 'xlint', 'v8', file)).equals(written)).toBe(true);
    }
  });

  it('a damaged cache file is rejected by V8 and replaced; the run is unaffected', () => {
    const cache = mkdtempSync(join(work, 'cache-'));
    const expected = run({ XLINT_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: cache });
    run({ XDG_CACHE_HOME: cache });
    const [file] = readdirSync(join(cache, 'xlint', 'v8'));
    const path = join(cache, 'xlint', 'v8', file);
    const garbage = Buffer.alloc(readFileSync(path).length, 0x5a);
    writeFileSync(path, garbage);
    expect(run({ XDG_CACHE_HOME: cache })).toEqual(expected);
    expect(readFileSync(path).equals(garbage)).toBe(false);
    expect(run({ XDG_CACHE_HOME: cache })).toEqual(expected);
  });

  it("removes other builds' cache files not written for 30 days when it writes its own, and keeps recent ones", () => {
    const cache = mkdtempSync(join(work, 'cache-'));
    const v8 = join(cache, 'xlint', 'v8');
    mkdirSync(v8, { recursive: true });
    const month = 31 * 24 * 60 * 60;
    for (const name of ['cli-0000000000000000-v18.0.0-x64.bin', 'cli-1111111111111111-v20.0.0-x64.bin.123.abc.tmp', 'notes.txt']) {
      writeFileSync(join(v8, name), 'old');
      utimesSync(join(v8, name), Date.now() / 1000 - month, Date.now() / 1000 - month);
    }
    writeFileSync(join(v8, 'cli-2222222222222222-v20.0.0-x64.bin'), 'recent');
    run({ XDG_CACHE_HOME: cache });
    const left = readdirSync(v8).sort();
    expect(left).toHaveLength(3);
    expect(left).toEqual(expect.arrayContaining(['cli-2222222222222222-v20.0.0-x64.bin', 'notes.txt']));
    expect(left.find((name) => !['cli-2222222222222222-v20.0.0-x64.bin', 'notes.txt'].includes(name))).toMatch(new RegExp(`^cli-[0-9a-f]{16}-${process.version}-${process.arch}\\.bin$`));
  });

  it('an unusable cache directory (a file in its place) leaves the command working', () => {
    const cache = mkdtempSync(join(work, 'cache-'));
    writeFileSync(join(cache, 'xlint'), 'not a directory');
    const expected = run({ XLINT_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: cache });
    expect(run({ XDG_CACHE_HOME: cache })).toEqual(expected);
    chmodSync(cache, 0o755);
  });
});
