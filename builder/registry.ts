/**
 * Reads a multi-platform image from its registry over HTTP(S) with plain `fetch`: the manifest
 * list, each platform's manifest and image config. Anonymous token auth when the registry asks
 * for it with a Bearer challenge. Translation only; the checking is builder/oci.ts.
 */
import type { ImageFacts } from '../core/images';
import { normalizePlatform } from '../core/platform';
import { checkImage, MEDIA_TYPES, parseBearerChallenge, parseImageRef, parseManifest, platformOfConfig, tokenUrl, type ImageCheck, type ImageRef, type ParsedManifest } from './oci';

const ACCEPT_LIST = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');
const ACCEPT_MANIFEST = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

export class RegistryError extends Error {}

/** Registries refuse manifests over 4 MiB; image configs are a few KiB. Past this a body is not one. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** Use http for this registry even when it is not on a loopback address. */
  insecure?: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Credentials for a registry host (`host[:port]`), asked only when the registry demands them; none: anonymous. */
  credentials?: (registry: string) => Promise<Credentials | null>;
}

export class Client {
  /** The Authorization header the registry accepted (a Bearer token, or Basic credentials). */
  private authorization: string | null = null;
  private authTried = false;
  private usedCredentials = false;
  constructor(
    private readonly ref: ImageRef,
    private readonly options: RegistryOptions,
  ) {}

  private base(): string {
    const scheme = this.options.insecure ? 'http' : this.ref.scheme;
    return `${scheme}://${this.ref.registry}/v2/${this.ref.repository}`;
  }

  async get(path: string, accept: string): Promise<{ body: string; contentType: string | null; url: string }> {
    const url = `${this.base()}/${path}`;
    let response = await this.request(url, accept);
    if (response.status === 401 && !this.authTried) {
      this.authTried = true;
      await response.body?.cancel().catch(() => {});
      this.authorization = await this.authorize(url, response.headers.get('www-authenticate'));
      response = await this.request(url, accept);
    }
    if (response.status === 401 || response.status === 403) {
      const hint = this.usedCredentials ? `the credentials for ${this.ref.registry} from the Docker config were refused` : `the image needs credentials, and there are none for ${this.ref.registry} in the Docker config file`;
      throw new RegistryError(`${url}: ${response.status} ${response.statusText} (${hint})`);
    }
    if (response.status === 404) throw new RegistryError(`${url}: not found (no such image or tag)`);
    if (!response.ok) throw new RegistryError(`${url}: ${response.status} ${response.statusText}`);
    return { body: await readBody(response, url), contentType: response.headers.get('content-type'), url };
  }

  /**
   * Answers a 401: a Bearer challenge gets a token from the realm (anonymous, or with the
   * credentials as Basic auth, as Docker Hub and distribution's token servers want); a Basic
   * challenge gets the credentials themselves.
   */
  private async authorize(url: string, header: string | null): Promise<string> {
    const credentials = this.options.credentials ? await this.options.credentials(this.ref.registry) : null;
    this.usedCredentials = credentials !== null;
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : null;
    if (header && /^\s*Basic\b/i.test(header)) {
      if (!basic) throw new RegistryError(`${url}: 401 Unauthorized (the registry wants a user name and password, and there are none for ${this.ref.registry} in the Docker config file)`);
      return basic;
    }
    const challenge = parseBearerChallenge(header);
    if (!challenge) throw new RegistryError(`${url}: 401 Unauthorized, and the registry offers neither a Bearer token flow nor Basic auth (${header ?? 'no WWW-Authenticate header'})`);
    let realm: string;
    try {
      realm = tokenUrl(challenge, this.ref.repository);
    } catch {
      throw new RegistryError(`${url}: the registry's token realm "${challenge.realm}" is not a URL`);
    }
    const tokenResponse = await this.fetchWithTimeout(realm, basic ? { headers: { authorization: basic } } : {});
    if (!tokenResponse.ok) {
      await tokenResponse.body?.cancel().catch(() => {});
      throw new RegistryError(`${basic ? 'token request with the Docker config\'s credentials' : 'anonymous token request'} to ${challenge.realm} failed: ${tokenResponse.status} ${tokenResponse.statusText}`);
    }
    const json = parseJson(await readBody(tokenResponse, challenge.realm), challenge.realm) as { token?: unknown; access_token?: unknown } | null;
    const token = json?.token ?? json?.access_token;
    if (typeof token !== 'string' || !token) throw new RegistryError(`the token service ${challenge.realm} returned no token`);
    return `Bearer ${token}`;
  }

  private request(url: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.authorization) headers.authorization = this.authorization;
    return this.fetchWithTimeout(url, { headers });
  }

  private async fetchWithTimeout(url: string, init: RequestInit): Promise<Response> {
    const doFetch = this.options.fetch ?? fetch;
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError') throw new RegistryError(`${url}: timed out after ${(this.options.timeoutMs ?? 30_000) / 1000} s waiting for an answer`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  }
}

/**
 * A response body, at most MAX_BODY_BYTES of it: an endless body is cut off, a dripping one ends at
 * the request's timeout (the fetch signal covers the body too), both as a RegistryError.
 */
async function readBody(response: Response, url: string): Promise<string> {
  const tooLarge = () => new RegistryError(`${url}: the response is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; stopped reading (no manifest or image config is that large)`);
  if (Number(response.headers.get('content-length')) > MAX_BODY_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    const name = (error as Error).name;
    throw new RegistryError(`${url}: ${name === 'TimeoutError' || name === 'AbortError' ? 'timed out reading the response' : `reading the response failed: ${(error as Error).message}`}`);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function parseJson(body: string, url: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new RegistryError(`${url}: the response is not JSON`);
  }
}

/** parseManifest trusts the shape of what it reads; say plainly where a registry's answer breaks it. */
function readManifest(body: string, contentType: string | null, url: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return parseManifest(body, contentType); // not JSON: an "unknown" manifest, which the check reports
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RegistryError(`${url}: malformed manifest: ${JSON.stringify(json)?.slice(0, 40)} is not a JSON object`);
  const entries = (json as { manifests?: unknown }).manifests;
  if (Array.isArray(entries)) {
    const bad = entries.findIndex((e) => e === null || typeof e !== 'object' || Array.isArray(e));
    if (bad >= 0) throw new RegistryError(`${url}: malformed manifest list: entry ${bad} is ${JSON.stringify(entries[bad])?.slice(0, 40)}, not an object`);
  }
  try {
    return parseManifest(body, contentType);
  } catch (error) {
    throw new RegistryError(`${url}: malformed manifest: ${(error as Error).message}`);
  }
}

/** Fetches the image's manifest list and every target platform's config, then checks them. */
export async function inspectImage(refText: string, targets: string[], options: RegistryOptions = {}): Promise<ImageCheck> {
  const ref = parseImageRef(refText);
  if (!ref) throw new RegistryError(`"${refText}" is not an image reference (expected [registry/]repository[:tag|@digest])`);
  const client = new Client(ref, options);
  const top = await client.get(`manifests/${ref.reference}`, ACCEPT_LIST);
  const manifest = readManifest(top.body, top.contentType, top.url);
  const configs = new Map<string, string | null>();
  const readConfig = async (configDigest: string): Promise<string | null> => {
    const config = await client.get(`blobs/${configDigest}`, 'application/json, */*');
    try {
      return platformOfConfig(JSON.parse(config.body));
    } catch {
      return null;
    }
  };
  if (manifest.kind === 'manifest') {
    configs.set(manifest.configDigest, await readConfig(manifest.configDigest));
  } else if (manifest.kind === 'index') {
    const wanted = new Set(targets.map(normalizePlatform));
    for (const entry of manifest.entries) {
      if (!entry.platform || !wanted.has(entry.platform) || configs.has(entry.digest)) continue;
      const answer = await client.get(`manifests/${entry.digest}`, ACCEPT_MANIFEST);
      const platformManifest = readManifest(answer.body, null, answer.url);
      configs.set(entry.digest, platformManifest.kind === 'manifest' ? await readConfig(platformManifest.configDigest) : null);
    }
  }
  return checkImage(refText, manifest, targets, configs);
}

/**
 * What `--check-images` needs of an image: whether the reference names an image index (and the
 * platforms it lists) or one single-platform manifest (and the platform its config names). One
 * request for an index, two for a manifest; no layer is read.
 */
export async function readImageFacts(refText: string, options: RegistryOptions = {}): Promise<ImageFacts> {
  const ref = parseImageRef(refText);
  if (!ref) throw new RegistryError(`"${refText}" is not an image reference (expected [registry/]repository[:tag|@digest])`);
  const client = new Client(ref, options);
  const top = await client.get(`manifests/${ref.reference}`, ACCEPT_LIST);
  const manifest = readManifest(top.body, top.contentType, top.url);
  const digest = ref.reference.includes(':') ? { digest: ref.reference } : {};
  if (manifest.kind === 'index') {
    const platforms = [...new Set(manifest.entries.filter((e) => e.platform !== null).map((e) => e.platform!))];
    return { kind: 'index', platforms, ...digest };
  }
  if (manifest.kind === 'manifest') {
    const config = await client.get(`blobs/${manifest.configDigest}`, 'application/json, */*');
    let platform: string | null = null;
    try {
      platform = platformOfConfig(JSON.parse(config.body));
    } catch {
      // not JSON: a config that names no platform
    }
    return { kind: 'manifest', platforms: platform ? [platform] : [], ...digest };
  }
  throw new RegistryError(`${top.url}: neither an image index nor an image manifest (media type "${manifest.mediaType || 'none'}")`);
}
