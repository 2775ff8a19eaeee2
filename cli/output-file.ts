/**
 * `-o/--output-file`: the report goes to a file, whole or not at all. It is written to a temporary
 * file in the same directory and renamed over the target, so a reader (a CI upload step, an editor)
 * never sees half a report, and a failed run leaves the previous report as it was. An existing file
 * keeps its mode; a symlink is written through to its target.
 */
import { chmodSync, closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class OutputFileError extends Error {}

export function writeOutputFile(path: string, text: string): void {
  writeFileAtomically(path, text, '--output-file');
}

/** Writes `text` to `path` whole or not at all; errors name the file as `label path`. */
export function writeFileAtomically(path: string, text: string, label: string): void {
  let target = resolve(path);
  let mode: number | undefined;
  try {
    target = realpathSync(target);
    const stat = statSync(target);
    if (!stat.isFile()) throw new OutputFileError(`${label} ${path}: not a regular file`);
    mode = stat.mode & 0o7777;
  } catch (error) {
    if (error instanceof OutputFileError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputFileError(`${label} ${path}: ${describe(error)}`);
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode ?? 0o666);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw new OutputFileError(`${label} ${path}: cannot write: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
  };
  return (e.code && reasons[e.code]) ?? e.message;
}
