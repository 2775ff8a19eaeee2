/**
 * The `xlint` command: starts the CLI bundle (dist/cli.js) with V8's compiled code cached on disk.
 * Compiling the 700 KB bundle is most of a cold run on a small file (bench/run.mjs, "cold start"),
 * and every pre-commit hook and editor save pays it again.
 *
 * Node ≥ 22.1 caches by itself (module.enableCompileCache). On Node 20 the bundle is compiled
 * through vm.Script with the data of an earlier run, and the data is produced after the first run,
 * when it also holds the functions the run compiled lazily. The cache lives in the user's cache
 * directory, not the shared /tmp (cached bytecode from another user would run as ours), under a
 * name that holds the bundle's content hash: V8 checks only the source's length before trusting
 * cached code. Any failure falls back to a plain require; XLINT_NO_COMPILE_CACHE=1 turns it off.
 * Each build leaves a file of its own (about 0.5 MB): when a new one is written, those of other
 * builds not written for STALE_DAYS are removed (a build still in use writes its file again).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { DEFAULT_INTERRUPT_BUDGET, LONG_RUN_INTERRUPT_BUDGET, setInterruptBudget } from '../host/interrupt-budget';

declare const XLINT_BUNDLE_HASH: string;

const STALE_DAYS = 30;

type Cli = { main(argv: string[], bundle: { hash: string; longRun: () => void }): Promise<void> };

/** The budget was set after the bundle was compiled (longRun). */
let budgetSet = false;

/** A lint of several files, or the language server (host/interrupt-budget.ts). */
function longRun(): void {
  if (budgetSet) return;
  budgetSet = true;
  setInterruptBudget(LONG_RUN_INTERRUPT_BUDGET);
}

function cacheDirectory(): string | null {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'xlint', 'v8') : null;
}

/** Node 20: compile the bundle with the cached data, or produce it when the process ends. */
function loadCached(bundle: string, directory: string): Cli {
  const cacheFile = join(directory, `cli-${XLINT_BUNDLE_HASH}-${process.version}-${process.arch}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(cacheFile, script));
  const module = new Module(bundle, require.main);
  module.filename = bundle;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const localRequire = Object.assign((id: string) => module.require(id), { resolve: require.resolve, main: require.main, cache: require.cache });
  wrapper.call(module.exports, module.exports, localRequire, module, bundle, dirname(bundle));
  module.loaded = true;
  return module.exports as Cli;
}

/** Written whole or not at all: a unique temporary name, then a rename. */
function writeCache(cacheFile: string, script: Script): void {
  const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    // V8 stamps cached code with a hash of its flags and takes it only under the same flags: every
    // run compiles the bundle with V8's default budget, so the cache is made under it too.
    if (budgetSet) setInterruptBudget(DEFAULT_INTERRUPT_BUDGET);
    const data = script.createCachedData();
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, cacheFile);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    return;
  }
  removeStale(dirname(cacheFile), cacheFile);
}

/** Cache files of other builds (and temporary files left by killed runs) not written for STALE_DAYS. */
function removeStale(directory: string, keep: string): void {
  const before = Date.now() - STALE_DAYS * 24 * 60 * 60 * 1000;
  try {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (path === keep || !/^cli-.*\.(bin|tmp)$/.test(name)) continue;
      try {
        if (statSync(path).mtimeMs < before) unlinkSync(path);
      } catch {
        // gone already, or not ours to remove
      }
    }
  } catch {
    // an unreadable directory: nothing to tidy
  }
}

function load(): Cli {
  const bundle = join(__dirname, 'cli.js');
  const directory = process.env.XLINT_NO_COMPILE_CACHE ? null : cacheDirectory();
  if (directory) {
    const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      if (!enableCompileCache) return loadCached(bundle, directory);
      enableCompileCache(directory);
    } catch {
      // an unwritable home: start without the cache
    }
  }
  return require(bundle) as Cli;
}

void load().main(process.argv, { hash: XLINT_BUNDLE_HASH, longRun });
