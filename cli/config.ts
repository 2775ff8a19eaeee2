/** Config files for the CLI: the nearest one walking up from each linted file, or `--config FILE` (host/config.ts finds and reads them, as for the language server). */
import { ConfigLocator, type LoadedConfig } from '../host/config';
import { isIgnored } from '../config/config';

export { CONFIG_NAMES, ConfigError, isIgnored, parseConfig, ruleSettings, type Config } from '../config/config';
export { loadConfig, MAX_CONFIG_BYTES, type LoadedConfig } from '../host/config';

const locator = new ConfigLocator();

/** The nearest config file for a file in `directory`, walking up to the filesystem root; the nearest one wins whole. */
export function findConfig(directory: string): LoadedConfig | null {
  return locator.find(directory);
}

/** The first of a config's `ignore` patterns that covers `file`, to name it when a named file is skipped. */
export function ignoringPattern(loaded: LoadedConfig, file: string): string | null {
  return loaded.config.ignore?.find((pattern) => isIgnored(loaded.path, { ignore: [pattern] }, file)) ?? null;
}
