/**
 * Writing `--fix` results. Each file is written one of two ways:
 *
 * - **replaced** (the default): a temp file next to the target — random name, created with O_EXCL,
 *   given the target's owner and mode, fsync'd — renamed over it. Atomic: a reader, a crash or a
 *   kill sees the old file or the new one, never a mix.
 * - **in place**: one write of the whole text over the file, truncate, fsync. Keeps the inode, so
 *   hard links, owner, mode and ACLs stay; not atomic (a crash or kill during that write can leave a
 *   partial file). Used only where a rename would break something: a file with several hard links,
 *   one whose owner a new file could not get (we are not root), or a directory we cannot create
 *   files in.
 *
 * A symlink is written through (its target is replaced, the link stays) only when the target lies
 * inside the trees given on the command line. Read-only files are refused, never chmod-ed. A file
 * that changed since it was read is left alone.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { InputError, MAX_FILE_BYTES, readRegularFile } from './inputs';

/** `.NAME.xlint-RANDOM.tmp`; also the `.NAME.xlint-PID.tmp` names of xlint 0.1. */
const TEMP_NAME = /^\..+\.xlint-[0-9a-f]+\.tmp$/;

export class FixWriter {
  /** Directories already cleared of temp files left by killed runs. */
  private readonly swept = new Set<string>();

  /** `roots`: real paths of the trees given; a symlink is followed only to a file inside one. */
  constructor(private readonly roots: string[]) {}

  /** Writes `fixed` over `path`, which held `original` when it was read. Throws InputError. */
  write(path: string, original: string, fixed: string): void {
    try {
      const real = realpathSync(path);
      if (!this.roots.some((root) => isInside(root, real))) {
        throw new InputError(path, `leads to ${real} (through a symlink), outside the paths given; not written`);
      }
      const stat = statSync(real);
      if ((stat.mode & 0o222) === 0 || !writable(real)) {
        throw new InputError(path, `read-only file (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}); not written (xlint never changes permissions: make it writable, or see the fix with --diff)`);
      }
      const bytes = Buffer.from(fixed, 'utf8');
      const current = readRegularFile(real, MAX_FILE_BYTES);
      if (current.equals(bytes)) return; // another run (or the user) fixed it meanwhile
      if (!current.equals(Buffer.from(original, 'utf8'))) throw new InputError(path, 'changed since xlint read it; not written (run xlint again)');
      this.sweep(dirname(real));
      if (stat.nlink === 1 && replace(real, stat, bytes)) return;
      writeInPlace(real, bytes);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(path, `could not write the fix: ${(error as Error).message}`);
    }
  }

  /** Removes temp files a killed run left in `dir`, once per directory and run. */
  private sweep(dir: string): void {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) if (TEMP_NAME.test(name)) unlinkQuietly(join(dir, name));
  }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Atomic replace through a temp file; false when a rename would lose the owner or cannot be done here. */
function replace(real: string, stat: Stats, bytes: Buffer): boolean {
  // A concurrent run sweeping this directory may delete our temp before the rename: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const temp = join(dirname(real), `.${basename(real)}.xlint-${randomBytes(8).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = openSync(temp, 'wx', 0o600);
    } catch (error) {
      if (['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
    try {
      const made = fstatSync(fd);
      if (made.uid !== stat.uid || made.gid !== stat.gid) fchownSync(fd, stat.uid, stat.gid);
      fchmodSync(fd, stat.mode & 0o7777);
      writeAll(fd, bytes);
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      unlinkQuietly(temp);
      if ((error as NodeJS.ErrnoException).code === 'EPERM') return false; // only root may give a file away
      throw error;
    }
    closeSync(fd);
    try {
      renameSync(temp, real);
      return true;
    } catch (error) {
      unlinkQuietly(temp);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error('the temp file kept disappearing (is another xlint --fix running here?)');
}

/** One write over the file's own inode: links, owner and mode stay. */
function writeInPlace(real: string, bytes: Buffer): void {
  // O_NOFOLLOW: `real` is resolved, so a symlink here was swapped in meanwhile.
  const fd = openSync(real, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('no longer a regular file');
    writeAll(fd, bytes);
    ftruncateSync(fd, bytes.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
