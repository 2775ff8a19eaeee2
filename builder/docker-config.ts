/**
 * Registry credentials from the Docker config file (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`): plain `auths` entries always; a credential helper (`credHelpers`,
 * `credsStore`: `docker-credential-<name> get`) only when the caller allows it — the CLI with
 * `--check-images`, never the language server. Read lazily, once, on the first registry that asks.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec';
import type { Credentials } from './registry';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | null>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerCredentialOptions {
  /** The config file (default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json). */
  path?: string;
  /** Run `docker-credential-<helper> get` for registries that name a helper. */
  allowHelpers?: boolean;
  /** Told of a problem (an unreadable file, a failing helper); the registry is then asked anonymously. */
  warn?: (message: string) => void;
  helperTimeoutMs?: number;
}

const DOCKER_HUB = ['registry-1.docker.io', 'index.docker.io', 'docker.io'];
/** The key Docker itself files Docker Hub's credentials under. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://index.docker.io/v1/`, `http://127.0.0.1:5001`, `ghcr.io` → the host[:port] they name. */
export function registryHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function sameRegistry(a: string, b: string): boolean {
  const x = registryHost(a);
  const y = registryHost(b);
  return x === y || (DOCKER_HUB.includes(x) && DOCKER_HUB.includes(y));
}

/** A credentials source for RegistryOptions.credentials. */
export function dockerCredentials(options: DockerCredentialOptions = {}): (registry: string) => Promise<Credentials | null> {
  let config: DockerConfig | null | undefined;
  const load = (): DockerConfig | null => {
    if (config !== undefined) return config;
    const path = options.path ?? dockerConfigPath();
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      config = data && typeof data === 'object' && !Array.isArray(data) ? (data as DockerConfig) : null;
      if (!config) options.warn?.(`${path}: not a JSON object; registries are asked anonymously`);
    } catch (error) {
      config = null;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') options.warn?.(`${path}: ${code ?? (error as Error).message}; registries are asked anonymously`);
    }
    return config;
  };
  const memo = new Map<string, Promise<Credentials | null>>();
  return (registry) => {
    let answer = memo.get(registry);
    if (!answer) memo.set(registry, (answer = lookup(registry)));
    return answer;
  };

  async function lookup(registry: string): Promise<Credentials | null> {
    const c = load();
    if (!c) return null;
    const helper = Object.entries(c.credHelpers ?? {}).find(([key]) => sameRegistry(key, registry))?.[1] ?? c.credsStore;
    if (helper && options.allowHelpers) {
      const fromHelper = await askHelper(helper, registry);
      if (fromHelper) return fromHelper;
    }
    for (const [key, entry] of Object.entries(c.auths ?? {})) {
      if (!entry || !sameRegistry(key, registry)) continue;
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        options.warn?.(`the Docker config's "auths" entry for ${key} is not base64 of user:password; ignored`);
      }
    }
    return null;
  }

  async function askHelper(helper: string, registry: string): Promise<Credentials | null> {
    if (!/^[\w.-]+$/.test(helper)) {
      options.warn?.(`credential helper "${helper}" is not a plain name; not run`);
      return null;
    }
    const server = DOCKER_HUB.includes(registryHost(registry)) ? DOCKER_HUB_KEY : registry;
    const result = await run(`docker-credential-${helper}`, ['get'], { input: server, timeoutMs: options.helperTimeoutMs ?? 10_000, tail: 5 });
    if (result.spawnError || result.code !== 0) {
      // "credentials not found" is an ordinary answer; anything else is worth a word.
      const said = result.stdout.trim() || result.stderrTail.join(' ').trim();
      if (!/not found/i.test(said)) options.warn?.(`docker-credential-${helper} get ${server}: ${result.spawnError ?? `exit ${result.code}${said ? `: ${said.slice(0, 200)}` : ''}`}`);
      return null;
    }
    try {
      const json = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
      if (json.Username && json.Secret) return { username: json.Username, password: json.Secret };
    } catch {
      options.warn?.(`docker-credential-${helper} get ${server}: the answer is not JSON`);
    }
    return null;
  }
}
