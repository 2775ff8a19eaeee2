/**
 * `--cache`: the findings of each file, kept between runs (as ESLint's and Ruff's caches), so a run
 * over an unchanged tree reads and hashes the files but analyses none of them.
 *
 * An entry is valid only for the exact input of the analysis: the file's text, the engine options
 * that reach the rules (severities, rule options, build and target platforms, the target, build
 * args), the build-context facts read for it, the --report-unused-ignores switch, and the tool
 * itself (its version and the hash of the running bundle, so a rebuilt tool starts afresh). Runs
 * that ask registries (--check-images) bypass the cache: their answers change without the file.
 * Only lints are cached; --fix and --diff always analyse.
 *
 * The cache is one JSON file, read bounded and written whole or not at all (output-file.ts). A
 * damaged or foreign file is ignored and replaced.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LintOptions } from '../core/lint';
import type { Diagnostic } from '../core/rule';
import { readRegularFile } from './inputs';
import { writeFileAtomically } from './output-file';

/** As Ruff's `.ruff_cache`: a directory that ignores itself, so no repository has to list it in its .gitignore. */
export const DEFAULT_CACHE_LOCATION = join('.xlint_cache', 'findings.json');
/** A cache file larger than this is not read (about 200,000 entries of average findings). */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const FORMAT = 'xlint-cache/1';

interface CacheFile {
  format: typeof FORMAT;
  tool: string;
  entries: Record<string, { key: string; diagnostics: Diagnostic[] }>;
}

export interface CacheStats {
  hits: number;
  misses: number;
}

export class LintCache {
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  private readonly entries: CacheFile['entries'];
  private changed = false;

  private constructor(
    private readonly path: string,
    private readonly tool: string,
    entries: CacheFile['entries'],
  ) {
    this.entries = entries;
  }

  /** Opens the cache at `location`; what cannot be read as this tool's cache counts as empty. */
  static open(location: string, version: string): LintCache {
    const path = resolve(location);
    const tool = toolIdentity(version);
    let entries: CacheFile['entries'] = Object.create(null);
    try {
      const parsed = JSON.parse(readRegularFile(path, MAX_CACHE_BYTES).toString('utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && parsed.tool === tool && parsed.entries && typeof parsed.entries === 'object') entries = Object.assign(Object.create(null), parsed.entries);
    } catch {
      // absent, unreadable, too large or not ours: start empty, and write a good one at the end
    }
    return new LintCache(path, tool, entries);
  }

  /** The key of one analysis: everything its findings depend on (see the file comment). */
  static keyOf(text: string, engine: Omit<LintOptions, 'rules'>, reportUnusedIgnores: boolean): string {
    const inputs = [
      engine.severities ?? {},
      engine.ruleOptions ?? {},
      engine.buildPlatform,
      engine.targetPlatforms,
      engine.target ?? null,
      engine.buildArgs ?? {},
      engine.context ?? {},
      reportUnusedIgnores,
    ];
    return createHash('sha256').update(JSON.stringify(inputs)).update('\0').update(text).digest('base64url');
  }

  get(file: string, key: string): Diagnostic[] | undefined {
    const entry = this.entries[resolve(file)];
    if (entry && entry.key === key && Array.isArray(entry.diagnostics)) {
      this.stats.hits++;
      return entry.diagnostics;
    }
    this.stats.misses++;
    return undefined;
  }

  set(file: string, key: string, diagnostics: Diagnostic[]): void {
    this.entries[resolve(file)] = { key, diagnostics };
    this.changed = true;
  }

  /** Writes the cache if anything changed; a cache that cannot be written is a warning, never a failed lint. */
  save(warn: (message: string) => void): void {
    if (!this.changed) return;
    const file: CacheFile = { format: FORMAT, tool: this.tool, entries: this.entries };
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

/** The version, and the hash of the running bundle: a rebuilt tool never trusts an older tool's findings. */
function toolIdentity(version: string): string {
  try {
    return `${version}+${createHash('sha256').update(readFileSync(__filename)).digest('base64url')}`;
  } catch {
    return `${version}+unreadable-${process.pid}-${Date.now()}`; // matches no cache file
  }
}
