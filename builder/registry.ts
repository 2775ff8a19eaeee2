/**
 * Reads a multi-platform image from its registry over HTTP(S) with plain `fetch`: the manifest
 * list, each platform's manifest and image config. Anonymous token auth when the registry asks
 * for it with a Bearer challenge. Translation only; the checking is builder/oci.ts.
 */
import { normalizePlatform } from '../core/platform';
import { checkImage, MEDIA_TYPES, parseBearerChallenge, parseImageRef, parseManifest, platformOfConfig, tokenUrl, type ImageCheck, type ImageRef } from './oci';

const ACCEPT_LIST = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');
const ACCEPT_MANIFEST = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

export class RegistryError extends Error {}

export interface RegistryOptions {
  /** Use http for this registry even when it is not on a loopback address. */
  insecure?: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

class Client {
  private token: string | null = null;
  constructor(
    private readonly ref: ImageRef,
    private readonly options: RegistryOptions,
  ) {}

  private base(): string {
    const scheme = this.options.insecure ? 'http' : this.ref.scheme;
    return `${scheme}://${this.ref.registry}/v2/${this.ref.repository}`;
  }

  async get(path: string, accept: string): Promise<{ body: string; contentType: string | null }> {
    const url = `${this.base()}/${path}`;
    let response = await this.request(url, accept);
    if (response.status === 401 && this.token === null) {
      const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
      if (!challenge) throw new RegistryError(`${url}: 401 Unauthorized, and the registry offers no Bearer token flow (${response.headers.get('www-authenticate') ?? 'no WWW-Authenticate header'})`);
      const tokenResponse = await this.fetchWithTimeout(tokenUrl(challenge, this.ref.repository), {});
      if (!tokenResponse.ok) throw new RegistryError(`anonymous token request to ${challenge.realm} failed: ${tokenResponse.status} ${tokenResponse.statusText}`);
      const json = (await tokenResponse.json()) as { token?: string; access_token?: string };
      this.token = json.token ?? json.access_token ?? null;
      if (!this.token) throw new RegistryError(`the token service ${challenge.realm} returned no token`);
      response = await this.request(url, accept);
    }
    if (response.status === 401 || response.status === 403) throw new RegistryError(`${url}: ${response.status} ${response.statusText} (the image needs credentials; xlint reads public images only)`);
    if (response.status === 404) throw new RegistryError(`${url}: not found (no such image or tag)`);
    if (!response.ok) throw new RegistryError(`${url}: ${response.status} ${response.statusText}`);
    return { body: await response.text(), contentType: response.headers.get('content-type') };
  }

  private request(url: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return this.fetchWithTimeout(url, { headers });
  }

  private async fetchWithTimeout(url: string, init: RequestInit): Promise<Response> {
    const doFetch = this.options.fetch ?? fetch;
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  }
}

/** Fetches the image's manifest list and every target platform's config, then checks them. */
export async function inspectImage(refText: string, targets: string[], options: RegistryOptions = {}): Promise<ImageCheck> {
  const ref = parseImageRef(refText);
  if (!ref) throw new RegistryError(`"${refText}" is not an image reference (expected [registry/]repository[:tag|@digest])`);
  const client = new Client(ref, options);
  const top = await client.get(`manifests/${ref.reference}`, ACCEPT_LIST);
  const manifest = parseManifest(top.body, top.contentType);
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
      const platformManifest = parseManifest((await client.get(`manifests/${entry.digest}`, ACCEPT_MANIFEST)).body, null);
      configs.set(entry.digest, platformManifest.kind === 'manifest' ? await readConfig(platformManifest.configDigest) : null);
    }
  }
  return checkImage(refText, manifest, targets, configs);
}
