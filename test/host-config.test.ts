/** The config locator the CLI and the language server share (host/config.ts). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLocator, MAX_CONFIG_BYTES } from '../host/config';

describe('ConfigLocator', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xlint-locator-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the nearest config walking up; the first name in CONFIG_NAMES order wins in a directory', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/amd64'] }));
    writeFileSync(join(dir, 'a', 'xlint.config.json'), JSON.stringify({ platforms: ['linux/arm64'] }));
    writeFileSync(join(dir, 'a', '.xlintrc'), JSON.stringify({ platforms: ['linux/riscv64'] }));
    const locator = new ConfigLocator();
    expect(locator.find(join(dir, 'a', 'b'))).toEqual({ path: join(dir, 'a', '.xlintrc'), config: { platforms: ['linux/riscv64'] } });
    expect(locator.find(dir)?.path).toBe(join(dir, '.xlintrc.json'));
  });

  it('remembers each directory until cleared', () => {
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/amd64'] }));
    const locator = new ConfigLocator();
    expect(locator.find(dir)?.config.platforms).toEqual(['linux/amd64']);
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/arm64'] }));
    expect(locator.find(dir)?.config.platforms).toEqual(['linux/amd64']);
    locator.clear();
    expect(locator.find(dir)?.config.platforms).toEqual(['linux/arm64']);
  });

  it('the nearest broken file is an error naming the file and key, not skipped for one further up', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/amd64'] }));
    writeFileSync(join(dir, 'sub', '.xlintrc.json'), JSON.stringify({ platforms: ['linux/sparc'] }));
    const locator = new ConfigLocator();
    expect(() => locator.find(join(dir, 'sub'))).toThrow(/sub\/\.xlintrc\.json: key "platforms\.0": .*unknown architecture "sparc"/);
    expect(() => locator.find(join(dir, 'sub'))).toThrow(/platforms\.0/);
  });

  it('reads regular files only and at most MAX_CONFIG_BYTES; a dangling symlink is no config', () => {
    const fifo = join(dir, 'fifo');
    mkdirSync(fifo);
    execFileSync('mkfifo', [join(fifo, '.xlintrc.json')]);
    expect(() => new ConfigLocator().find(fifo)).toThrow(/FIFO \(named pipe\).*not read/);
    const big = join(dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, '.xlintrc.json'), `{"platforms":["linux/amd64"]}${' '.repeat(MAX_CONFIG_BYTES)}`);
    expect(() => new ConfigLocator().find(big)).toThrow(/file too large/);
    const dangling = join(dir, 'dangling');
    mkdirSync(dangling);
    symlinkSync(join(dir, 'nowhere'), join(dangling, '.xlintrc.json'));
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ buildPlatform: 'linux/arm64' }));
    expect(new ConfigLocator().find(dangling)?.path).toBe(join(dir, '.xlintrc.json'));
  });
});
