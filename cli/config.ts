/**
 * Configuration files: the nearest `.xlintrc.json` (or `.xlintrc`, `xlint.config.json`) walking up
 * from each linted file, or `--config FILE`. An invalid file is an error naming the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Severity } from '../core/rule';
import validateConfig, { type ValidationError } from '../rules/generated/validate-config';

export const CONFIG_NAMES = ['.xlintrc.json', '.xlintrc', 'xlint.config.json'];

export type RuleSetting = Severity | 'off' | [Severity | 'off', Record<string, unknown>?];

export interface Config {
  platforms?: string[];
  buildPlatform?: string;
  ignore?: string[];
  rules?: Record<string, RuleSetting>;
}

export interface LoadedConfig {
  path: string;
  config: Config;
}

export class ConfigError extends Error {}

/** Parses and validates a config file's text; throws ConfigError with the file and key. */
export function parseConfig(text: string, path: string): Config {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (!validateConfig(data)) {
    const errors = validateConfig.errors ?? [];
    // ajv reports an unknown rule id as an enum error first; the propertyNames one names it.
    throw new ConfigError(`${path}: ${describe(errors.find((e) => e.keyword === 'propertyNames') ?? errors[0])}`);
  }
  return data as Config;
}

function describe(error: ValidationError | undefined): string {
  if (!error) return 'invalid configuration';
  const key = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const at = (name: string) => (name ? `key "${name}"` : 'the top level');
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${key ? `${key}.` : ''}${error.params.additionalProperty}" (allowed: platforms, buildPlatform, ignore, rules)`;
    case 'propertyNames':
      return `unknown rule "${error.params.propertyName}" in "rules" (\`xlint rules\` lists them)`;
    case 'pattern':
      return `${at(key)}: not a platform (expected os/arch[/variant], e.g. linux/arm64)`;
    case 'anyOf':
      return `${at(key)}: expected "error", "warning", "info", "off" or [severity, options]`;
    default:
      return `${at(key)}: ${error.message}`;
  }
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

/** Splits `rules` settings into the engine's severities and options. */
export function ruleSettings(config: Config): { severities: Record<string, Severity | 'off'>; ruleOptions: Record<string, Record<string, unknown>> } {
  const severities: Record<string, Severity | 'off'> = {};
  const ruleOptions: Record<string, Record<string, unknown>> = {};
  for (const [id, setting] of Object.entries(config.rules ?? {})) {
    if (Array.isArray(setting)) {
      severities[id] = setting[0];
      if (setting[1]) ruleOptions[id] = setting[1];
    } else severities[id] = setting;
  }
  return { severities, ruleOptions };
}
