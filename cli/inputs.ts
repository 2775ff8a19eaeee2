/** Finding and reading Dockerfiles; writing fixes atomically. Every failure becomes one clear message. */
import fg from 'fast-glob';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Matched case-insensitively: `dockerfile` and `api.dockerfile` count too. */
export const DOCKERFILE_PATTERNS = ['**/Dockerfile', '**/*.Dockerfile', '**/Dockerfile.*', '**/Containerfile'];
const IGNORE = ['**/node_modules/**', '**/.git/**'];
/** Larger files are not Dockerfiles anyone maintains by hand; refusing them keeps memory bounded. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export class InputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Discovery {
  files: string[];
  errors: InputError[];
}

/** Paths and globs → Dockerfiles. A path given by name is linted whatever it is called. */
export function discover(patterns: string[], cwd: string, ignore: string[] = []): Discovery {
  const files = new Set<string>();
  const errors: InputError[] = [];
  for (const pattern of patterns.length > 0 ? patterns : ['.']) {
    let stat: Stats | undefined;
    try {
      stat = statSync(resolve(cwd, pattern));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (fg.isDynamicPattern(pattern)) {
        const found = fg.sync(pattern, { cwd, ignore: [...IGNORE, ...ignore], onlyFiles: true, dot: true, followSymbolicLinks: false, suppressErrors: true });
        if (found.length === 0) errors.push(new InputError(pattern, 'no files match this pattern'));
        for (const f of found) files.add(f);
        continue;
      }
      errors.push(new InputError(pattern, fsMessage(code, error as Error)));
      continue;
    }
    if (stat.isDirectory()) {
      const base = relative(cwd, resolve(cwd, pattern)) || '.';
      const found = fg.sync(DOCKERFILE_PATTERNS, {
        cwd: resolve(cwd, pattern),
        ignore: [...IGNORE, ...ignore],
        onlyFiles: true,
        dot: true,
        caseSensitiveMatch: false,
        followSymbolicLinks: false,
        suppressErrors: true,
      });
      for (const f of found) files.add(base === '.' ? f : join(base, f));
    } else {
      files.add(isAbsolute(pattern) ? pattern : relative(cwd, resolve(cwd, pattern)) || pattern);
    }
  }
  return { files: [...files].sort(), errors };
}

function fsMessage(code: string | undefined, error: Error): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop)';
    case 'EISDIR':
      return 'is a directory, not a Dockerfile';
    default:
      return error.message;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a Dockerfile as text, or explains why it cannot. */
export function readDockerfile(path: string): string {
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(path, 'is a directory, not a Dockerfile');
    if (stat.size > MAX_FILE_BYTES) {
      throw new InputError(path, `file too large (${(stat.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MiB)`);
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, fsMessage((error as NodeJS.ErrnoException).code, error as Error));
  }
  return decodeDockerfile(path, bytes);
}

export function decodeDockerfile(path: string, bytes: Buffer): string {
  const nul = bytes.subarray(0, 8192).indexOf(0);
  if (nul >= 0) throw new InputError(path, `binary file (NUL byte at offset ${nul}), not a Dockerfile`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError(path, `not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (i + k >= bytes.length || bytes[i + k] >> 6 !== 0b10) return i;
    i += length;
  }
  return i;
}

/** Writes through a temp file in the same directory and a rename, keeping the file's mode. */
export function writeFileAtomic(path: string, text: string): void {
  const mode = statSync(path).mode & 0o7777;
  const temp = join(dirname(path), `.${basename(path)}.xlint-${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw new InputError(path, `could not write the fix: ${(error as Error).message}`);
  }
}
