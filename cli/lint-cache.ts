/**
 * `--cache`: the findings of each file, kept between runs (as ESLint's and Ruff's caches), so a run
 * over an unchanged tree analyses none of them, and reads none whose stamp is unchanged.
 *
 * An entry is valid only for the exact input of the analysis: the file's text, the engine options
 * that reach the rules (severities, rule options, build and target platforms, the target, build
 * args), the build-context facts read for it, the --report-unused-ignores switch, and the tool
 * itself (its version and the hash of the running bundle, so a rebuilt tool starts afresh). Runs
 * that ask registries (--check-images) bypass the cache: their answers change without the file.
 * Only lints are cached; --fix and --diff always analyse.
 *
 * A file is known unchanged without reading it by its stamp (size, inode, modification and change
 * times, as git's index does), when its options match too. A stamp is recorded only when
 * the file was last changed more than RACY_MS before it was read: a change in the same clock tick as
 * the read (coarse file systems tick in seconds) could otherwise leave the stamp as it was. Formats
 * that print the file's text read it anyway.
 *
 * A stamp vouches for the Dockerfile only. What its findings read from the build context is checked
 * on its own: the .NET project facts are read again (once per directory) and compared, and the
 * scripts its RUN steps execute are read again and compared by digest.
 *
 * The cache is one JSON file, read bounded and written whole or not at all (output-file.ts). A
 * damaged or foreign file is ignored and replaced.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LintOptions } from '../core/lint';
import type { BuildContext } from '../core/model';
import type { Diagnostic } from '../core/rule';
import { readBuildContext, readContextScripts } from '../host/context';
import { readRegularFile } from './inputs';
import { writeFileAtomically } from './output-file';

/** As Ruff's `.ruff_cache`: a directory that ignores itself, so no repository has to list it in its .gitignore. */
export const DEFAULT_CACHE_LOCATION = join('.xlint_cache', 'findings.json');
/** A cache file larger than this is not read (about 200,000 entries of average findings). */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const FORMAT = 'xlint-cache/3';
/** Twice the coarsest common timestamp resolution (FAT's 2 s is rarer than ext3's or HFS+'s 1 s). */
const RACY_MS = 2000;

interface CacheEntry {
  /** Digest of the options and the text (keyOf). */
  key: string;
  /** The options (optionsOf), as an index into the file's table of them; checked with the stamp. */
  options: number;
  /** The file as it was when it was read (stampOf); absent when it cannot vouch for the text. */
  stamp?: string;
  diagnostics: Diagnostic[];
  /** The build-context facts the analysis was given (contextOf), when it read them. */
  context?: string;
  /** The build-context scripts the analysis read: a digest of each one's text, or null for none there. */
  scripts?: Record<string, string | null>;
}

interface CacheFile {
  format: typeof FORMAT;
  tool: string;
  /** Each distinct set of options once (a tree has as many as it has configs). */
  options: string[];
  entries: Record<string, CacheEntry>;
}

export class LintCache {
  /** Stamps taken before reading, by absolute path, for `get` and `set`. */
  private readonly stampsRead = new Map<string, string>();
  private readonly optionsByEngine = new WeakMap<object, string>();
  private readonly optionIndex: Map<string, number>;
  private changed = false;

  private constructor(
    private readonly path: string,
    private readonly tool: string,
    private readonly reportUnusedIgnores: boolean,
    private readonly optionSets: string[],
    private readonly entries: CacheFile['entries'],
  ) {
    this.optionIndex = new Map();
    optionSets.forEach((options, index) => typeof options === 'string' && this.optionIndex.set(options, index));
  }

  /** Opens the cache at `location`; what cannot be read as this tool's cache counts as empty. */
  static open(location: string, build: { version: string; bundleHash?: string }, reportUnusedIgnores: boolean): LintCache {
    const path = resolve(location);
    const tool = `${build.version}+${build.bundleHash ?? bundleHash()}`;
    let entries: CacheFile['entries'] = Object.create(null);
    let options: string[] = [];
    try {
      const parsed = JSON.parse(readRegularFile(path, MAX_CACHE_BYTES).toString('utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && parsed.tool === tool && parsed.entries && typeof parsed.entries === 'object' && Array.isArray(parsed.options)) {
        entries = Object.assign(Object.create(null), parsed.entries);
        options = parsed.options; // an entry whose index names no string matches no options
      }
    } catch {
      // absent, unreadable, too large or not ours: start empty, and write a good one at the end
    }
    return new LintCache(path, tool, reportUnusedIgnores, options, entries);
  }

  /**
   * Before the file is read: its findings if its stamp and options are those recorded, so it need not
   * be read. The stamp taken now is kept for `get` and `set`, which run after the read.
   */
  lookupUnread(file: string, engine: Engine, contextDir: string): Diagnostic[] | undefined {
    const path = resolve(file);
    const stamp = stampOf(path);
    if (!stamp) return undefined;
    this.stampsRead.set(path, stamp);
    const entry = this.entries[path];
    if (entry?.stamp !== stamp || this.optionSets[entry.options] !== this.optionsOf(engine) || !Array.isArray(entry.diagnostics)) return undefined;
    if (entry.context !== undefined && contextOf(readBuildContext(contextDir)) !== entry.context) return undefined;
    return !entry.scripts || scriptsUnchanged(contextDir, entry.scripts) ? entry.diagnostics : undefined;
  }

  /** The findings recorded for this text, options and build context; the entry gains the stamp taken before the read. */
  get(file: string, text: string, engine: Engine, contextDir: string): Diagnostic[] | undefined {
    const path = resolve(file);
    const entry = this.entries[path];
    const options = this.optionsOf(engine);
    if (!entry || entry.key !== keyOf(options, text) || !Array.isArray(entry.diagnostics)) return undefined;
    if (entry.context !== contextOf(engine.context) || (entry.scripts && !scriptsUnchanged(contextDir, entry.scripts))) return undefined;
    this.record(path, options, entry.key, entry.diagnostics, entry.context, entry.scripts);
    return entry.diagnostics;
  }

  set(file: string, text: string, engine: Engine, diagnostics: Diagnostic[]): void {
    const options = this.optionsOf(engine);
    const scripts = engine.context?.scripts ?? {};
    this.record(resolve(file), options, keyOf(options, text), diagnostics, contextOf(engine.context), Object.keys(scripts).length > 0 ? digests(scripts) : undefined);
  }

  /** Stores the entry, with the stamp taken before the read (it vouches for the text; the context is checked on its own). */
  private record(path: string, options: string, key: string, diagnostics: Diagnostic[], context: string | undefined, scripts: CacheEntry['scripts']): void {
    const stamp = this.stampsRead.get(path);
    let index = this.optionIndex.get(options);
    if (index === undefined) this.optionIndex.set(options, (index = this.optionSets.push(options) - 1));
    const old = this.entries[path];
    if (old && old.key === key && old.options === index && old.stamp === stamp && old.diagnostics === diagnostics && old.context === context && old.scripts === scripts) return;
    this.entries[path] = { key, options: index, diagnostics, ...(stamp ? { stamp } : {}), ...(context !== undefined ? { context } : {}), ...(scripts ? { scripts } : {}) };
    this.changed = true;
  }

  /**
   * Everything but the text that the findings depend on (see the file comment), as JSON; one per
   * engine object. Compared as text, not hashed: a run whose files are all unchanged loads no crypto.
   */
  private optionsOf(engine: Engine): string {
    let options = this.optionsByEngine.get(engine);
    if (options === undefined) {
      const inputs = [
        engine.severities ?? {},
        engine.ruleOptions ?? {},
        engine.buildPlatform,
        engine.targetPlatforms,
        engine.target ?? null,
        engine.buildArgs ?? {},
        this.reportUnusedIgnores,
      ];
      options = JSON.stringify(inputs);
      this.optionsByEngine.set(engine, options);
    }
    return options;
  }

  /** Writes the cache if anything changed; a cache that cannot be written is a warning, never a failed lint. */
  save(warn: (message: string) => void): void {
    if (!this.changed) return;
    // Only the option sets some entry still uses.
    const options: string[] = [];
    const renumbered = new Map<number, number>();
    const entries: CacheFile['entries'] = {};
    for (const [path, entry] of Object.entries(this.entries)) {
      let index = renumbered.get(entry.options);
      if (index === undefined) renumbered.set(entry.options, (index = options.push(this.optionSets[entry.options]) - 1));
      entries[path] = { ...entry, options: index };
    }
    const file: CacheFile = { format: FORMAT, tool: this.tool, options, entries };
    try {
      const directory = dirname(this.path);
      if (!existsSync(directory)) {
        mkdirSync(directory, { recursive: true });
        writeFileSync(join(directory, '.gitignore'), '# written by xlint --cache\n*\n');
      }
      writeFileAtomically(this.path, JSON.stringify(file), '--cache-location');
    } catch (error) {
      warn(`the cache was not saved: ${(error as Error).message}`);
    }
  }
}

type Engine = Omit<LintOptions, 'rules'>;

/**
 * The .NET project facts, when the analysis read them. Not the scripts: they are checked by their
 * digests, since the first analysis of a file does not have them yet.
 */
function contextOf(context: BuildContext | undefined): string | undefined {
  return context?.dotnetProjects ? JSON.stringify(context.dotnetProjects) : undefined;
}

function digests(scripts: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [path, text] of Object.entries(scripts)) out[path] = text === null ? null : createHash('sha256').update(text).digest('base64url');
  return out;
}

/** Whether the context scripts an entry's analysis read are still as they were. */
function scriptsUnchanged(contextDir: string, recorded: Record<string, string | null>): boolean {
  const now = digests(readContextScripts(contextDir, Object.keys(recorded)));
  return Object.entries(recorded).every(([path, digest]) => now[path] === digest);
}

/** The key of one analysis: the options and the text. */
function keyOf(options: string, text: string): string {
  return createHash('sha256').update(options).update('\0').update(text).digest('base64url');
}

/**
 * The file's identity and times, as git's index keeps them, or undefined when they cannot vouch for
 * its text: unreadable, or changed within RACY_MS of now (a change in the same tick would not show).
 */
function stampOf(path: string): string | undefined {
  try {
    // Milliseconds with their fraction (not bigint nanoseconds, a third of the cost of a cold stat):
    // a stamp is only trusted for a change RACY_MS old, so any later change moves the times by more.
    const stat = statSync(path);
    const now = Date.now();
    if (!stat.isFile() || now - stat.mtimeMs < RACY_MS || now - stat.ctimeMs < RACY_MS) return undefined;
    return `${stat.size}:${stat.dev}:${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}`;
  } catch {
    return undefined;
  }
}

/** The hash of the running bundle, when the launcher did not give it: a rebuilt tool never trusts an older tool's findings. */
function bundleHash(): string {
  try {
    return createHash('sha256').update(readFileSync(__filename)).digest('hex').slice(0, 16);
  } catch {
    return `unreadable-${process.pid}-${Date.now()}`; // matches no cache file
  }
}
