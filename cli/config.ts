/** Finding and reading configuration files: the nearest one walking up from each linted file, or `--config FILE`. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_NAMES, ConfigError, isIgnored, parseConfig, type Config } from '../rules/config';
import { InputError, readRegularFile } from './inputs';
import { platformProblem } from './platforms';

export { CONFIG_NAMES, ConfigError, isIgnored, parseConfig, ruleSettings, type Config } from '../rules/config';

export interface LoadedConfig {
  path: string;
  config: Config;
}

/** A config file is a few hundred bytes; the limit only stops `--config /dev/zero`-like inputs. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const cache = new Map<string, LoadedConfig | null>();

/** The nearest config file for a file in `directory`, walking up to the filesystem root; the nearest one wins whole. */
export function findConfig(directory: string): LoadedConfig | null {
  const dir = resolve(directory);
  if (cache.has(dir)) return cache.get(dir)!;
  let found: LoadedConfig | null = null;
  for (const name of CONFIG_NAMES) {
    const path = join(dir, name);
    // existsSync only stats: a FIFO counts as found, and loadConfig refuses it without opening it.
    if (existsSync(path)) {
      found = loadConfig(path);
      break;
    }
  }
  if (!found) {
    const parent = dirname(dir);
    found = parent === dir ? null : findConfig(parent);
  }
  cache.set(dir, found);
  return found;
}

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

/** The first of a config's `ignore` patterns that covers `file`, to name it when a named file is skipped. */
export function ignoringPattern(loaded: LoadedConfig, file: string): string | null {
  return loaded.config.ignore?.find((pattern) => isIgnored(loaded.path, { ignore: [pattern] }, file)) ?? null;
}
