import { describe, expect, it } from 'vitest';
import { describeElf, fitsPlatform, machineOf, readElfHeader } from '../../builder/elf';
import { checkFiles, compareFiles, type OutputFile } from '../../builder/output';

/** The first 20 bytes of an ELF file. */
function elf(machine: number, bits: 32 | 64 = 64, endian: 'little' | 'big' = 'little', type = 2): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, endian === 'little' ? 1 : 2, 1]);
  const put = (at: number, v: number) => (endian === 'little' ? b.set([v & 0xff, v >> 8], at) : b.set([v >> 8, v & 0xff], at));
  put(16, type);
  put(18, machine);
  return b;
}

describe('ELF machines per platform', () => {
  it.each([
    ['linux/amd64', elf(62), 'x86-64'],
    ['linux/arm64', elf(183), 'aarch64'],
    ['linux/arm64/v8', elf(183), 'aarch64'],
    ['linux/arm/v7', elf(40, 32), 'arm'],
    ['linux/arm/v6', elf(40, 32), 'arm'],
    ['linux/riscv64', elf(243), 'riscv64'],
    ['linux/s390x', elf(22, 64, 'big'), 's390x'],
    ['linux/ppc64le', elf(21), 'ppc64le'],
    ['linux/386', elf(3, 32), '386'],
  ])('%s binaries are %s', (platform, bytes, name) => {
    const header = readElfHeader(bytes)!;
    expect(describeElf(header)).toBe(name);
    expect(fitsPlatform(header, platform)).toBe(true);
    expect(machineOf(platform)?.name).toBe(name);
  });

  it.each([
    ['an x86-64 binary in linux/arm64', elf(62), 'linux/arm64', 'x86-64'],
    ['an aarch64 binary in linux/amd64', elf(183), 'linux/amd64', 'aarch64'],
    ['a 386 binary in linux/amd64', elf(3, 32), 'linux/amd64', '386'],
    ['big-endian ppc64 in linux/ppc64le', elf(21, 64, 'big'), 'linux/ppc64le', 'ppc64 (big-endian)'],
    ['a 32-bit arm binary in linux/arm64', elf(40, 32), 'linux/arm64', 'arm'],
    ['a mips binary in linux/riscv64', elf(8, 32), 'linux/riscv64', 'mips (32-bit, little-endian)'],
  ])('%s does not fit', (_, bytes, platform, found) => {
    const header = readElfHeader(bytes)!;
    expect(fitsPlatform(header, platform)).toBe(false);
    expect(describeElf(header)).toBe(found);
  });

  it('reads no header from non-ELF or truncated bytes', () => {
    expect(readElfHeader(new TextEncoder().encode('#!/bin/sh\necho hello world\n'))).toBeNull();
    expect(readElfHeader(elf(62).subarray(0, 10))).toBeNull();
    const badClass = elf(62);
    badClass[4] = 7;
    expect(readElfHeader(badClass)).toBeNull();
  });

  it('judges no ELF file for a platform it does not know', () => {
    expect(fitsPlatform(readElfHeader(elf(62))!, 'windows/amd64')).toBeNull();
    expect(fitsPlatform(readElfHeader(elf(62))!, 'linux/loong64')).toBeNull();
  });
});

const file = (path: string, over: Partial<OutputFile> = {}): OutputFile => ({ path, kind: 'file', size: 10, sha256: 'aa', linkTarget: null, elf: null, ...over });

describe('checking an output against its platform', () => {
  it('names every ELF file of the wrong machine', () => {
    const files = [
      file('bin/busybox', { elf: readElfHeader(elf(183)) }),
      file('usr/local/bin/hello', { elf: readElfHeader(elf(62)) }),
      file('etc/passwd'),
      { ...file('bin'), kind: 'dir' as const },
    ];
    const check = checkFiles(files, 'linux/arm64');
    expect(check).toMatchObject({ files: 3, elfFiles: 2, unchecked: null });
    expect(check.mismatches).toEqual([{ path: '/usr/local/bin/hello', found: 'x86-64', expected: 'aarch64' }]);
  });

  it('says so when it cannot judge a platform', () => {
    expect(checkFiles([file('a', { elf: readElfHeader(elf(62)) })], 'linux/loong64').unchecked).toMatch(/no ELF machine known for linux\/loong64/);
  });
});

describe('comparing two builds', () => {
  const arm = readElfHeader(elf(183));
  const x86 = readElfHeader(elf(62));
  it('accepts the same paths, equal plain files and same-machine ELF files that differ in bytes', () => {
    const c = compareFiles([file('etc/a'), file('bin/app', { elf: arm, sha256: '1' })], [file('etc/a'), file('bin/app', { elf: arm, sha256: '2' })]);
    expect(c.same).toBe(true);
    expect(c.elfContentDiffers).toEqual(['/bin/app']);
  });

  it.each([
    ['a file only in the original', [file('a'), file('b')], [file('a')], { onlyInFirst: ['/b'] }],
    ['a file only in the fixed build', [file('a')], [file('a'), file('c')], { onlyInSecond: ['/c'] }],
    ['a plain file with other content', [file('a', { sha256: '1' })], [file('a', { sha256: '2' })], { differ: [{ path: '/a', why: 'content differs (10 vs 10 bytes)' }] }],
    ['an ELF file of another machine', [file('app', { elf: arm })], [file('app', { elf: x86 })], { differ: [{ path: '/app', why: 'aarch64 vs x86-64' }] }],
    ['a symlink with another target', [file('l', { kind: 'symlink', linkTarget: 'x' })], [file('l', { kind: 'symlink', linkTarget: 'y' })], { differ: [{ path: '/l', why: 'links to x vs y' }] }],
  ])('rejects %s', (_, a, b, expected) => {
    const c = compareFiles(a, b);
    expect(c.same).toBe(false);
    expect(c).toMatchObject(expected);
  });
});
