/**
 * Which files a run lints: paths named on the command line, globs, and the Dockerfiles found by
 * walking directories (names from core/dockerfile-names.ts), minus what .gitignore and .ignore
 * files leave out (as ripgrep and Ruff read them; `--no-ignore` turns them off). A path that yields
 * no Dockerfile is an error with the reason, so a CI gate never passes having linted nothing.
 */
import { Option } from 'commander';
import ignore, { type Ignore } from 'ignore';
import { existsSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { classifyName, DOCKERFILE_NAMES, isDockerfileName } from '../core/dockerfile-names';
import { fsMessage, InputError, notRegular, readRegularFile } from '../host/read-file';

/** Loaded only for a pattern that may be a glob: loading fast-glob calls os.cpus(), a few ms of every run. */
function fastGlob(): typeof import('fast-glob') {
  return require('fast-glob') as typeof import('fast-glob');
}
/** A path without these characters is no glob for fast-glob. */
const GLOB_CHARACTER = /[*?[\]{}()!+@]/;

/** Directories never walked into, whatever the ignore files say (--no-ignore too). */
const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);
/** Ignore files honoured while walking, as ripgrep and Ruff do; in one directory `.ignore` wins over `.gitignore`. */
export const IGNORE_FILES = ['.gitignore', '.ignore'] as const;
/** An ignore file bigger than this is not read (nobody writes one that big). */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;
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

export interface DiscoverOptions {
  /** Honour .gitignore, .ignore and .git/info/exclude while walking (default true; `--no-ignore` turns it off). */
  ignoreFiles?: boolean;
}

/**
 * Paths and globs → Dockerfiles. A path given by name is linted whatever it is called and whatever
 * ignores it. A directory is walked for the names of core/dockerfile-names.ts, skipping what the
 * ignore files there (and above it, up to its git repository's root) ignore; a directory, or a
 * glob, that yields no Dockerfile is an error (exit 2): a gate that lints nothing is a broken gate.
 */
export function discover(patterns: string[], cwd: string, options: DiscoverOptions = {}): Discovery {
  const found: Discovery = { files: [], named: new Set(), errors: [], warnings: [], roots: [] };
  const useIgnoreFiles = options.ignoreFiles !== false;
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
      if (GLOB_CHARACTER.test(pattern) && fastGlob().isDynamicPattern(pattern)) {
        addRoot(cwd);
        const matched = globFiles(pattern, cwd, found.warnings);
        const ignores = useIgnoreFiles ? new IgnoreFiles(cwd, found.warnings) : null;
        const kept = ignores ? matched.filter((f) => !ignores.ignores(resolve(cwd, f), false)) : matched;
        if (matched.length === 0) found.errors.push(new InputError(pattern, 'no files match this pattern'));
        else if (kept.length === 0) found.errors.push(new InputError(pattern, `every file it matches (${matched.length}) is ignored by a .gitignore or .ignore file (--no-ignore lints them)`));
        for (const f of kept) files.add(f);
        continue;
      }
      found.errors.push(new InputError(pattern, fsMessage((error as NodeJS.ErrnoException).code, error as Error)));
      continue;
    }
    if (stat.isDirectory()) {
      const dir = resolve(cwd, pattern);
      addRoot(dir);
      const base = relative(cwd, dir) || '.';
      const walked = walkTree(dir, useIgnoreFiles ? new IgnoreFiles(dir, found.warnings) : null, found.warnings);
      if (walked.files.length === 0) found.errors.push(new InputError(pattern, nothingFound(walked)));
      for (const f of walked.files) files.add(base === '.' ? f : join(base, f));
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

interface Walked {
  /** Dockerfiles, relative to the directory walked, `/`-separated. */
  files: string[];
  /** How many files and directories an ignore file left out. */
  ignored: number;
  /** Names of the Dockerfile family that are something else (`Dockerfile.j2`), with what they are. */
  notDockerfiles: { path: string; kind: string }[];
}

function nothingFound(walked: Walked): string {
  const why: string[] = [];
  if (walked.ignored > 0) why.push(`${walked.ignored} ${walked.ignored === 1 ? 'path' : 'paths'} left out by .gitignore or .ignore files (--no-ignore includes them)`);
  if (walked.notDockerfiles.length > 0) {
    const shown = walked.notDockerfiles.slice(0, 3).map((n) => `${n.path} (${n.kind})`);
    const more = walked.notDockerfiles.length - shown.length;
    why.push(`not Dockerfiles by their names: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} (name a file to lint it anyway)`);
  }
  return `no Dockerfile found in this directory (looked for ${DOCKERFILE_NAMES.join(', ')}, ${DOCKERFILE_NAMES.map((n) => `${n}.*, *.${n}`).join(', ')})${why.length > 0 ? `; ${why.join('; ')}` : ''}`;
}

/**
 * Walks `root` for Dockerfile names, regular files only. Symlinks are not followed; directories
 * that cannot be read, directories named like a Dockerfile and special files named like one are
 * reported in `warnings` rather than skipped silently.
 */
function walkTree(root: string, ignores: IgnoreFiles | null, warnings: string[]): Walked {
  const walked: Walked = { files: [], ignored: 0, notDockerfiles: [] };
  const show = (path: string) => relative(process.cwd(), path) || '.';
  const visit = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') warnings.push(`${show(dir)}: ${fsMessage(code, error as Error)}; the Dockerfiles under it were not linted`);
      return;
    }
    ignores?.enter(dir, entries);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED.has(entry.name)) continue;
        if (ignores?.ignores(path, true)) {
          walked.ignored++;
          continue;
        }
        if (isDockerfileName(entry.name)) warnings.push(`${show(path)}: a directory named like a Dockerfile; searched, not read`);
        visit(path, relPath);
        continue;
      }
      const kind = classifyName(entry.name);
      if (!kind.dockerfile) {
        if (kind.family) walked.notDockerfiles.push({ path: relPath, kind: kind.kind });
        continue;
      }
      if (ignores?.ignores(path, false)) {
        walked.ignored++;
        continue;
      }
      if (entry.isFile()) walked.files.push(relPath);
      else if (!entry.isSymbolicLink()) warnings.push(`${show(path)}: ${notRegular(entry)}; not read`);
    }
  };
  visit(root, '');
  return walked;
}

/**
 * The .gitignore and .ignore files that apply under a walked directory: its own and those of the
 * directories below it, and those of the directories above it up to its git repository's root
 * (with the repository's .git/info/exclude), as git reads them. The deepest file with a rule for a
 * path decides (`!` re-includes); inside one directory `.ignore` wins over `.gitignore`, which wins
 * over info/exclude. Matching is the `ignore` package's (gitignore semantics). A directory named
 * explicitly is walked even when an ignore file above it ignores it.
 */
export class IgnoreFiles {
  private readonly rules = new Map<string, Ignore | null>();
  /** The directories above the walked one whose rules apply, outermost first. */
  private readonly top: string;

  constructor(
    root: string,
    private readonly warnings: string[],
  ) {
    const start = resolve(root);
    let top = start;
    for (let dir = start; ; ) {
      if (existsSync(join(dir, '.git'))) {
        top = dir;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    this.top = top;
    // Rules above the walked directory that ignore the directory itself are dropped: it was named.
    for (let dir = dirname(start); top !== start && isInside(dir, top); dir = dirname(dir)) {
      const rules = this.load(dir, null);
      if (rules && rules.ignores(`${relative(dir, start).split(sep).join('/')}/`)) this.rules.set(dir, null);
      if (dir === top) break;
    }
  }

  /** Reads the ignore files of a directory being walked (only those its entries show exist). */
  enter(dir: string, entries: Dirent[]): void {
    if (this.rules.has(dir)) return;
    const names = new Set<string>();
    for (const e of entries) if (e.name === '.gitignore' || e.name === '.ignore' || e.name === '.git') names.add(e.name);
    this.load(dir, names);
  }

  /** Whether a path (absolute, below the walked directory) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean {
    for (let dir = dirname(path); isInside(dir, this.top); dir = dirname(dir)) {
      const rules = this.rules.has(dir) ? this.rules.get(dir)! : this.load(dir, null);
      if (rules) {
        const result = rules.test(below(dir, path) + (isDirectory ? '/' : ''));
        if (result.ignored) return true;
        if (result.unignored) return false;
      }
      if (dir === this.top) break;
    }
    return false;
  }

  private load(dir: string, names: Set<string> | null): Ignore | null {
    if (this.rules.has(dir)) return this.rules.get(dir)!;
    let rules: Ignore | null = null;
    const add = (file: string) => {
      const text = this.read(file);
      if (text !== null) (rules ??= ignore({ allowRelativePaths: true, ignorecase: false })).add(text);
    };
    if (names === null || names.has('.git')) add(join(dir, '.git', 'info', 'exclude'));
    for (const name of IGNORE_FILES) if (names === null || names.has(name)) add(join(dir, name));
    this.rules.set(dir, rules);
    return rules;
  }

  private read(file: string): string | null {
    try {
      return readRegularFile(file, MAX_IGNORE_FILE_BYTES).toString('utf8');
    } catch (error) {
      // A missing file is the usual case; anything else is said once, and the file's rules are not applied.
      if (error instanceof InputError && !/no such file|is a directory/.test(error.message)) this.warnings.push(`${relative(process.cwd(), file) || file}: ${error.message}; its rules were not applied`);
      return null;
    }
  }
}

/** `path` relative to `dir` (which holds it), `/`-separated: string slicing, as this runs for every entry walked. */
function below(dir: string, path: string): string {
  const rest = path.slice(dir.endsWith(sep) ? dir.length : dir.length + 1);
  return sep === '/' ? rest : rest.split(sep).join('/');
}

function isInside(dir: string, top: string): boolean {
  return dir === top || dir.startsWith(top.endsWith(sep) ? top : top + sep);
}

/** fast-glob over `cwd` for a glob given on the command line: regular files only, symlinks not followed. */
function globFiles(pattern: string, cwd: string, warnings: string[]): string[] {
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
  const entries = fastGlob().sync(pattern, {
    cwd,
    ignore: [...ALWAYS_SKIPPED].map((d) => `**/${d}/**`),
    onlyFiles: false,
    objectMode: true,
    dot: true,
    caseSensitiveMatch: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    fs: { readdirSync: readdirReporting },
  });
  const files: string[] = [];
  for (const { path, dirent } of entries) {
    if (dirent.isFile()) files.push(path);
    else if (!dirent.isDirectory() && !dirent.isSymbolicLink()) warnings.push(`${show(join(cwd, path))}: ${notRegular(dirent)}; not read`);
  }
  return files;
}

/**
 * `--no-ignore`: lint what .gitignore, .ignore and the config's `ignore` leave out. Its value is
 * kept as `ignoreFiles` (false when given), apart from `--ignore <rule ids>`, whose `ignore` it
 * would otherwise share (commander names a `--no-x` option after `--x`).
 */
export function noIgnoreOption(): Option {
  const option = new Option('--no-ignore', "also lint what .gitignore, .ignore and the config's \"ignore\" leave out");
  option.attributeName = () => 'ignoreFiles';
  return option;
}
