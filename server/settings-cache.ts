/**
 * The settings each open document is linted with, remembered per document: the client's `xlint`
 * section for the document's folder (workspace/configuration, or what a client without it pushed),
 * over the nearest config file (found and read as the CLI does, host/config.ts). Cleared when the
 * settings or a config file change.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigLocator, type LoadedConfig } from '../host/config';
import { isIgnored } from '../config/config';
import { effectiveSettings, readEditorSettings, type EffectiveSettings } from './settings';
import { within } from './scheduler';

/** How long the server waits for workspace/configuration before linting with the defaults. */
export const CONFIGURATION_TIMEOUT_MS = 5000;

export interface SettingsIO {
  /** workspace/configuration for the `xlint` section of a document's folder. */
  askClient(uri: string): Promise<unknown>;
  log(message: string): void;
  logError(message: string): void;
  /** A problem the user should see once (a bad setting, a broken config file). */
  warnOnce(message: string): void;
}

export class SettingsCache {
  /** Whether the client answers workspace/configuration (else `global` is used). */
  askClient = false;
  /** Settings for clients that cannot answer workspace/configuration: initializationOptions, then didChangeConfiguration. */
  global: unknown = undefined;
  private readonly cache = new Map<string, Promise<EffectiveSettings>>();
  private readonly configs = new ConfigLocator();

  constructor(private readonly io: SettingsIO) {}

  get(uri: string): Promise<EffectiveSettings> {
    let cached = this.cache.get(uri);
    if (!cached) {
      const promise: Promise<EffectiveSettings> = this.read(uri, () => this.cache.get(uri) === promise);
      this.cache.set(uri, promise);
      cached = promise;
    }
    return cached;
  }

  /** A document was closed. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** The settings changed: every document's are read again when next needed. */
  clear(): void {
    this.cache.clear();
  }

  /** A config file changed: config files are read again too. */
  clearConfigs(): void {
    this.configs.clear();
    this.cache.clear();
  }

  /** `cached`: whether this read is still the one the cache holds for the document. */
  private async read(uri: string, cached: () => boolean): Promise<EffectiveSettings> {
    let raw = this.global;
    if (this.askClient) {
      try {
        raw = await within(this.io.askClient(uri), CONFIGURATION_TIMEOUT_MS, () => {
          throw new Error(`no answer in ${CONFIGURATION_TIMEOUT_MS} ms`);
        });
      } catch (error) {
        // Asked again next time, not cached.
        if (cached()) this.cache.delete(uri);
        this.io.logError(`the client did not answer workspace/configuration (${(error as Error).message}): using the defaults`);
      }
    }
    const { settings, problems } = readEditorSettings(raw);
    for (const p of problems) this.io.warnOnce(p);
    const found = this.configFor(uri);
    let ignored = false;
    if (found) {
      try {
        ignored = isIgnored(found.path, found.config, fileURLToPath(uri));
      } catch (error) {
        this.io.warnOnce(`${found.path}: ${(error as Error).message}`);
      }
    }
    if (ignored) this.io.log(`${uri}: ignored by ${found!.path}`);
    return effectiveSettings(settings, found?.config ?? null, process.arch, ignored);
  }

  private configFor(uri: string): LoadedConfig | null {
    if (!uri.startsWith('file:')) return null;
    let dir: string;
    try {
      dir = dirname(fileURLToPath(uri));
    } catch {
      return null;
    }
    try {
      return this.configs.find(dir);
    } catch (error) {
      // The nearest config file is broken: linted with the defaults, not with one further up.
      this.io.warnOnce(`${(error as Error).message} (the file is ignored until it is fixed)`);
      return null;
    }
  }
}
