/** Finding and reading configuration files: the nearest one walking up from each linted file, or `--config FILE`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_NAMES, ConfigError, parseConfig, type Config } from '../rules/config';

export { CONFIG_NAMES, ConfigError, isIgnored, parseConfig, ruleSettings, type Config } from '../rules/config';

export interface LoadedConfig {
  path: string;
  config: Config;
}

const cache = new Map<string, LoadedConfig | null>();

/** The nearest config file for a file in `directory`, walking up to the filesystem root; the nearest one wins whole. */
export function findConfig(directory: string): LoadedConfig | null {
  const dir = resolve(directory);
  if (cache.has(dir)) return cache.get(dir)!;
  let found: LoadedConfig | null = null;
  for (const name of CONFIG_NAMES) {
    const path = join(dir, name);
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
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { path, config: parseConfig(text, path) };
}
