/**
 * Bounded reads of regular files, shared by the CLI (Dockerfiles, config and project files) and the
 * language server (config files). Every failure becomes one InputError with a clear message. Reads
 * are bounded by the bytes actually read (a size can lie: /proc files, a growing file), and only
 * regular files are opened: a FIFO would block forever and a device would never end.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export class InputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const mib = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;

/**
 * The bytes of a regular file, at most `limit` of them. Checked with stat before opening (a FIFO
 * is never opened, a device never read) and with fstat after (the path may have been swapped);
 * opened non-blocking so even a FIFO swapped in between cannot block the open.
 */
export function readRegularFile(path: string, limit: number): Buffer {
  let fd: number | undefined;
  try {
    const before = statSync(path);
    if (!before.isFile()) throw new InputError(path, `${notRegular(before)}; not read`);
    if (before.size > limit) throw new InputError(path, `file too large (${mib(before.size)}; the limit is ${mib(limit)})`);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new InputError(path, `${notRegular(opened)}; not read`);
    // One byte past the limit tells "too large" from "exactly at the limit".
    let buffer = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(opened.size + 1, 8192)));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > limit) throw new InputError(path, `file too large (more than ${mib(limit)} read, though its size says ${opened.size} bytes; the limit is ${mib(limit)})`);
        const grown = Buffer.allocUnsafe(Math.min(limit + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, total);
        buffer = grown;
      }
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return buffer.subarray(0, total);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, fsMessage((error as NodeJS.ErrnoException).code, error as Error));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function fsMessage(code: string | undefined, error: Error): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop)';
    case 'EISDIR':
      return 'is a directory, not a regular file';
    default:
      return error.message;
  }
}

/** What a file that is not a regular file is, in words. */
export function notRegular(stat: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (stat.isDirectory()) return 'is a directory, not a regular file';
  if (stat.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (stat.isSocket()) return 'is a socket, not a regular file';
  if (stat.isCharacterDevice()) return 'is a character device, not a regular file';
  if (stat.isBlockDevice()) return 'is a block device, not a regular file';
  return 'is not a regular file';
}
