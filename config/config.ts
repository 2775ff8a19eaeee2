/**
 * The configuration file's content: types, validation against the schema built from the rule
 * catalog (compiled ahead of time by `npm run docs` into ./generated), and what it means for the
 * engine. Pure: host/config.ts finds and reads the files, for the CLI and the language server.
 */
import { dirname, relative } from 'node:path';
import picomatch from 'picomatch';
import type { Severity } from '../core/rule';
import validateConfig, { type ValidationError } from './generated/validate-config';

export const CONFIG_NAMES = ['.xlintrc.json', '.xlintrc', 'xlint.config.json'];

export type RuleSetting = Severity | 'off' | [Severity | 'off', Record<string, unknown>?];

export interface Config {
  platforms?: string[];
  buildPlatform?: string;
  ignore?: string[];
  checkImages?: boolean | CheckImagesConfig;
  rules?: Record<string, RuleSetting>;
}

export interface CheckImagesConfig {
  enabled?: boolean;
  tagTtlMinutes?: number;
  failOnRegistryError?: boolean;
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
      return `unknown key "${key ? `${key}.` : ''}${error.params.additionalProperty}" (allowed: platforms, buildPlatform, ignore, checkImages, rules)`;
    case 'propertyNames':
      return `unknown rule "${error.params.propertyName}" in "rules" (\`xlint rules\` lists them)`;
    case 'pattern':
      return `${at(key)}: not a platform (expected os/arch[/variant], e.g. linux/arm64)`;
    case 'minLength':
      return `${at(key)}: ${key.startsWith('ignore.') ? 'an empty pattern (it would match nothing; remove it)' : error.message}`;
    case 'anyOf':
      return `${at(key)}: expected "error", "warning", "info", "off" or [severity, options]`;
    default:
      return `${at(key)}: ${error.message}`;
  }
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

/**
 * Whether a config file's `ignore` list covers a file: paths relative to the config file's
 * directory; "vendor" or "vendor/" ignores the directory, anything else is a glob.
 */
export function isIgnored(configPath: string, config: Config, file: string): boolean {
  const globs = config.ignore;
  if (!globs || globs.length === 0) return false;
  const path = relative(dirname(configPath), file).split('\\').join('/');
  if (path.startsWith('../')) return false;
  const patterns = globs.flatMap((g) => (picomatch.scan(g).isGlob ? [g] : [g.replace(/\/$/, ''), `${g.replace(/\/$/, '')}/**`]));
  return picomatch(patterns, { dot: true })(path);
}
