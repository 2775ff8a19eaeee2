/**
 * Finding and reading Dockerfiles. Every failure becomes one clear message. Reads are bounded by
 * the bytes actually read (a size can lie: /proc files, a growing file), and only regular files are
 * opened: a FIFO would block forever and a device would never end.
 */
import fg from 'fast-glob';
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fsMessage, InputError, notRegular, readRegularFile } from '../host/read-file';

export { InputError, readRegularFile } from '../host/read-file';

/** Matched case-insensitively: `dockerfile` and `api.dockerfile` count too. */
export const DOCKERFILE_PATTERNS = ['**/Dockerfile', '**/*.Dockerfile', '**/Dockerfile.*', '**/Containerfile'];
const IGNORE = ['**/node_modules/**', '**/.git/**'];
/** Larger files are not Dockerfiles anyone maintains by hand; refusing them keeps memory bounded. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface Discovery {
  files: string[];
  /** Files named on the command line (not found by walking or by a glob). */
  named: Set<string>;
  errors: InputError[];
  /** Things met while walking that were not linted, and why (printed, not failing the run). */
  warnings: string[];
  /** Real paths of the trees given: `--fix` writes through a symlink only to a file inside one. */
  roots: string[];
}

/** Paths and globs → Dockerfiles. A path given by name is linted whatever it is called. */
export function discover(patterns: string[], cwd: string, ignore: string[] = []): Discovery {
  const found: Discovery = { files: [], named: new Set(), errors: [], warnings: [], roots: [] };
  const files = new Set<string>();
  const roots = new Set<string>();
  const addRoot = (dir: string) => {
    try {
      roots.add(realpathSync(dir));
    } catch {
      // a missing directory holds nothing to write
    }
  };
  for (const pattern of patterns.length > 0 ? patterns : ['.']) {
    let stat: Stats;
    try {
      stat = statSync(resolve(cwd, pattern));
    } catch (error) {
      if (fg.isDynamicPattern(pattern)) {
        addRoot(cwd);
        const matched = walk(pattern, cwd, [...IGNORE, ...ignore], false, found.warnings);
        if (matched.length === 0) found.errors.push(new InputError(pattern, 'no files match this pattern'));
        for (const f of matched) files.add(f);
        continue;
      }
      found.errors.push(new InputError(pattern, fsMessage((error as NodeJS.ErrnoException).code, error as Error)));
      continue;
    }
    if (stat.isDirectory()) {
      const dir = resolve(cwd, pattern);
      addRoot(dir);
      const base = relative(cwd, dir) || '.';
      for (const f of walk(DOCKERFILE_PATTERNS, dir, [...IGNORE, ...ignore], true, found.warnings)) files.add(base === '.' ? f : join(base, f));
    } else {
      const file = isAbsolute(pattern) ? pattern : relative(cwd, resolve(cwd, pattern)) || pattern;
      addRoot(dirname(resolve(cwd, pattern)));
      files.add(file);
      found.named.add(file);
    }
  }
  found.files = [...files].sort();
  found.roots = [...roots];
  return found;
}

/**
 * fast-glob over `cwd`, returning regular files only. Directories that cannot be read, and (when
 * `walking` a tree for Dockerfile names) directories or special files named like a Dockerfile,
 * are reported in `warnings` rather than skipped silently. Symlinks are not followed.
 */
function walk(patterns: string | string[], cwd: string, ignore: string[], walking: boolean, warnings: string[]): string[] {
  const show = (path: string) => relative(process.cwd(), path) || '.';
  const readdirReporting = ((dir: string, options: never) => {
    try {
      return readdirSync(dir, options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') warnings.push(`${show(dir)}: ${fsMessage(code, error as Error)}; the Dockerfiles under it were not linted`);
      throw error;
    }
  }) as typeof readdirSync;
  const entries = fg.sync(patterns, {
    cwd,
    ignore,
    onlyFiles: false,
    objectMode: true,
    dot: true,
    caseSensitiveMatch: !walking,
    followSymbolicLinks: false,
    suppressErrors: true,
    fs: { readdirSync: readdirReporting },
  });
  const files: string[] = [];
  for (const { path, dirent } of entries) {
    if (dirent.isFile()) files.push(path);
    else if (dirent.isDirectory()) {
      if (walking) warnings.push(`${show(join(cwd, path))}: a directory named like a Dockerfile; searched, not read`);
    } else if (!dirent.isSymbolicLink()) warnings.push(`${show(join(cwd, path))}: ${notRegular(dirent)}; not read`);
  }
  return files;
}

const mib = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a Dockerfile as text, or explains why it cannot. */
export function readDockerfile(path: string): string {
  return decodeDockerfile(path, readRegularFile(path, MAX_FILE_BYTES));
}

export function decodeDockerfile(path: string, bytes: Buffer): string {
  // Anywhere in the file: a NUL past the first block still makes it binary, and BuildKit rejects it.
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(path, `binary file (NUL byte at offset ${nul}), not a Dockerfile`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError(path, `not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  }
}

/** Standard input, at most `limit` bytes: `yes | xlint --stdin` stops at the limit with a message. */
export async function readStdin(limit = MAX_FILE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    // Leaving the loop destroys the stream: the writer gets EPIPE instead of filling our memory.
    if (total > limit) throw new InputError('<stdin>', `standard input too large (more than ${mib(limit)} read; the limit is ${mib(limit)}); stopped reading`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
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
