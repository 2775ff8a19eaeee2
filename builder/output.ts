/**
 * What a build produced: the files of a local export, each ELF file's machine, and the checks of
 * both against a platform (wrong-arch binaries) and against another build (`--compare`).
 * `checkFiles` and `compareFiles` are pure; `readOutput` reads a directory.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describeElf, fitsPlatform, machineOf, readElfHeader, type ElfHeader } from './elf';

export interface OutputFile {
  /** Relative to the output root, with `/`. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** sha256 of the content (files only), when asked for. */
  sha256: string | null;
  linkTarget: string | null;
  elf: ElfHeader | null;
}

export interface ReadOptions {
  /** Hash every file's content (for `--compare`). */
  hash?: boolean;
}

/** Walks an exported root filesystem. Symlinks are recorded, never followed. */
export function readOutput(root: string, options: ReadOptions = {}): OutputFile[] {
  const files: OutputFile[] = [];
  const header = Buffer.alloc(20);
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = prefix ? `${prefix}/${name}` : name;
      const stat = lstatSync(full);
      if (stat.isDirectory()) {
        files.push({ path, kind: 'dir', size: 0, sha256: null, linkTarget: null, elf: null });
        walk(full, path);
      } else if (stat.isSymbolicLink()) {
        files.push({ path, kind: 'symlink', size: 0, sha256: null, linkTarget: readlinkSync(full), elf: null });
      } else if (stat.isFile()) {
        let elf: ElfHeader | null = null;
        if (stat.size >= 20) {
          const fd = openSync(full, 'r');
          try {
            readSync(fd, header, 0, 20, 0);
          } finally {
            closeSync(fd);
          }
          elf = readElfHeader(header);
        }
        const sha256 = options.hash ? hashFile(full) : null;
        files.push({ path, kind: 'file', size: stat.size, sha256, linkTarget: null, elf });
      } else {
        files.push({ path, kind: 'other', size: 0, sha256: null, linkTarget: null, elf: null });
      }
    }
  };
  walk(root, '');
  return files;
}

/** sha256 of a file read in fixed chunks: a multi-GB output file costs time, not memory. */
function hashFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export interface ArchMismatch {
  path: string;
  /** What the file is (`x86-64`). */
  found: string;
  /** What the platform needs (`aarch64`). */
  expected: string;
}

export interface FilesCheck {
  platform: string;
  files: number;
  elfFiles: number;
  mismatches: ArchMismatch[];
  /** Set when the platform's machine is not one we know, so ELF files were not judged. */
  unchecked: string | null;
}

/** Every ELF file must be for the platform's machine. */
export function checkFiles(files: OutputFile[], platform: string): FilesCheck {
  const expected = machineOf(platform);
  const elves = files.filter((f) => f.elf !== null);
  const mismatches: ArchMismatch[] = [];
  if (expected) {
    for (const f of elves) {
      if (!fitsPlatform(f.elf!, platform)) mismatches.push({ path: `/${f.path}`, found: describeElf(f.elf!), expected: expected.name });
    }
  }
  return {
    platform,
    files: files.filter((f) => f.kind === 'file').length,
    elfFiles: elves.length,
    mismatches,
    unchecked: expected ? null : `no ELF machine known for ${platform}; binaries not checked`,
  };
}

export interface FilesComparison {
  onlyInFirst: string[];
  onlyInSecond: string[];
  /** Same path, different kind, link target, or (for non-ELF files) content. */
  differ: { path: string; why: string }[];
  /** ELF files whose bytes differ (compilers embed paths and build ids): fine when both fit the platform. */
  elfContentDiffers: string[];
  same: boolean;
}

/** Whether two builds produced the same files: same paths and kinds; equal content, except ELF files, which must have the same machine. */
export function compareFiles(first: OutputFile[], second: OutputFile[]): FilesComparison {
  const a = new Map(first.map((f) => [f.path, f]));
  const b = new Map(second.map((f) => [f.path, f]));
  const onlyInFirst = [...a.keys()].filter((p) => !b.has(p)).map((p) => `/${p}`);
  const onlyInSecond = [...b.keys()].filter((p) => !a.has(p)).map((p) => `/${p}`);
  const differ: { path: string; why: string }[] = [];
  const elfContentDiffers: string[] = [];
  for (const [path, x] of a) {
    const y = b.get(path);
    if (!y) continue;
    const where = `/${path}`;
    if (x.kind !== y.kind) differ.push({ path: where, why: `a ${x.kind} in one build, a ${y.kind} in the other` });
    else if (x.kind === 'symlink' && x.linkTarget !== y.linkTarget) differ.push({ path: where, why: `links to ${x.linkTarget} vs ${y.linkTarget}` });
    else if (x.kind === 'file') {
      if (x.elf || y.elf) {
        if (!x.elf || !y.elf) differ.push({ path: where, why: 'an ELF file in one build only' });
        else if (describeElf(x.elf) !== describeElf(y.elf)) differ.push({ path: where, why: `${describeElf(x.elf)} vs ${describeElf(y.elf)}` });
        else if (x.sha256 !== y.sha256 || x.size !== y.size) elfContentDiffers.push(where);
      } else if (x.size !== y.size || x.sha256 !== y.sha256) differ.push({ path: where, why: `content differs (${x.size} vs ${y.size} bytes)` });
    }
  }
  return { onlyInFirst, onlyInSecond, differ, elfContentDiffers, same: onlyInFirst.length === 0 && onlyInSecond.length === 0 && differ.length === 0 };
}
