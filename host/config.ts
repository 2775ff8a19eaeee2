/**
 * Finding and reading config files, one way for the CLI and the language server: the nearest
 * `.xlintrc.json` (or `.xlintrc`, `xlint.config.json`) walking up from a file's directory wins
 * whole; it is read bounded (regular files only, at most MAX_CONFIG_BYTES) and checked against the
 * schema and the platforms a builder knows.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { platformProblem } from '../config/platforms';
import { CONFIG_NAMES, ConfigError, isIgnored, parseConfig, type Config } from '../config/config';
import { InputError, readRegularFile } from './read-file';

export interface LoadedConfig {
  path: string;
  config: Config;
}

/** A config file is a few hundred bytes; the limit only stops `--config /dev/zero`-like inputs. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** What a directory's lookup found: nothing, a config, or a config file that cannot be used. */
type Located = LoadedConfig | { path: string; error: ConfigError } | null;

/**
 * The nearest config file of each directory, remembered per directory (the CLI keeps one for the
 * run; the server clears its own when a config file changes).
 */
export class ConfigLocator {
  private readonly cache = new Map<string, Located>();

  /**
   * The config for a file in `directory`, or null when no directory above it has one. Throws
   * ConfigError when the nearest one cannot be read or is not valid (it is not skipped for one
   * further up: the nearest file is the one the user meant).
   */
  find(directory: string): LoadedConfig | null {
    const found = this.locate(resolve(directory));
    if (found && 'error' in found) throw found.error;
    return found;
  }

  clear(): void {
    this.cache.clear();
  }

  private locate(dir: string): Located {
    if (this.cache.has(dir)) return this.cache.get(dir)!;
    let found: Located = null;
    const path = CONFIG_NAMES.map((name) => join(dir, name)).find((p) => existsSync(p));
    if (path !== undefined) {
      // existsSync only stats: a FIFO counts as found, and loadConfig refuses it without opening it.
      try {
        found = loadConfig(path);
      } catch (error) {
        found = { path, error: error instanceof ConfigError ? error : new ConfigError(`${path}: ${(error as Error).message}`) };
      }
    } else {
      const parent = dirname(dir);
      found = parent === dir ? null : this.locate(parent);
    }
    this.cache.set(dir, found);
    return found;
  }
}

/** Reads and checks one config file; throws ConfigError naming the file and, where it can, the key. */
export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readRegularFile(path, MAX_CONFIG_BYTES).toString('utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read: ${error instanceof InputError ? error.message : (error as Error).message}`);
  }
  const config = parseConfig(text, path);
  checkValues(config, path);
  return { path, config };
}

/** What the schema cannot say: platforms a builder knows, ignore patterns that compile. */
function checkValues(config: Config, path: string): void {
  for (const [i, platform] of (config.platforms ?? []).entries()) {
    const problem = platformProblem(platform);
    if (problem) throw new ConfigError(`${path}: key "platforms.${i}": ${problem}`);
  }
  if (config.buildPlatform !== undefined) {
    const problem = platformProblem(config.buildPlatform);
    if (problem) throw new ConfigError(`${path}: key "buildPlatform": ${problem}`);
  }
  for (const [i, pattern] of (config.ignore ?? []).entries()) {
    if (pattern.trim() === '') throw new ConfigError(`${path}: key "ignore.${i}": an empty pattern (it would match nothing; remove it)`);
    try {
      isIgnored(path, { ignore: [pattern] }, join(dirname(path), 'Dockerfile'));
    } catch (error) {
      throw new ConfigError(`${path}: key "ignore.${i}": not a valid pattern: ${(error as Error).message}`);
    }
  }
}
