/**
 * Image references, registry auth challenges, and the check of a multi-platform image's
 * manifest list (OCI image index or Docker manifest list) against the target platforms.
 * Pure: JSON and strings in, findings out. The HTTP side is builder/registry.ts.
 */
import { formatPlatform, normalizePlatform, parsePlatform } from '../core/platform';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export interface ImageRef {
  /** Host[:port] as used for the API (`registry-1.docker.io` for Docker Hub). */
  registry: string;
  repository: string;
  /** A tag or a digest (`sha256:...`). */
  reference: string;
  /** http for loopback registries, https otherwise. */
  scheme: 'http' | 'https';
}

/** `127.0.0.1:5000/xlint/golang:latest`, `alpine`, `ghcr.io/o/r@sha256:...` → parts, or null. */
export function parseImageRef(text: string): ImageRef | null {
  const ref = text.trim();
  if (!ref || /\s/.test(ref)) return null;
  let rest = ref;
  let registry = 'registry-1.docker.io';
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first === 'docker.io' || first === 'index.docker.io' ? 'registry-1.docker.io' : first;
    rest = rest.slice(slash + 1);
  }
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+:[a-f0-9]{32,}$/.test(reference)) return null;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!/^[\w][\w.-]{0,127}$/.test(reference)) return null;
    }
  }
  if (!/^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$/.test(rest)) return null;
  if (registry === 'registry-1.docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, reference, scheme: isLoopback(registry) ? 'http' : 'https' };
}

export function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface BearerChallenge {
  realm: string;
  service: string | null;
  scope: string | null;
}

/** `WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`. */
export function parseBearerChallenge(header: string | null): BearerChallenge | null {
  if (!header) return null;
  const m = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[1]); p; p = re.exec(m[1])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  if (!params.realm) return null;
  return { realm: params.realm, service: params.service ?? null, scope: params.scope ?? null };
}

/** The token URL for anonymous pull access. */
export function tokenUrl(challenge: BearerChallenge, repository: string): string {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
  return url.toString();
}

export interface IndexEntry {
  digest: string;
  mediaType: string;
  /** Normalized `os/arch[/variant]`, or null when the entry names none (or is an attestation). */
  platform: string | null;
  attestation: boolean;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; entries: IndexEntry[] }
  | { kind: 'manifest'; mediaType: string; configDigest: string }
  | { kind: 'unknown'; mediaType: string };

interface RawPlatform {
  os?: string;
  architecture?: string;
  variant?: string;
}

export function platformOfConfig(p: RawPlatform | undefined): string | null {
  if (!p?.os || !p.architecture) return null;
  const parsed = parsePlatform([p.os, p.architecture, p.variant].filter(Boolean).join('/'));
  return parsed ? formatPlatform(parsed) : null;
}

export function parseManifest(body: string, contentType: string | null): ParsedManifest {
  let json: {
    mediaType?: string;
    manifests?: { digest?: string; mediaType?: string; platform?: RawPlatform; annotations?: Record<string, string> }[];
    config?: { digest?: string };
  };
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'unknown', mediaType: contentType ?? '' };
  }
  const mediaType = json.mediaType ?? (contentType ?? '').split(';')[0].trim();
  if (Array.isArray(json.manifests)) {
    const entries = json.manifests.map((m) => {
      const attestation = m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (m.platform?.os === 'unknown' && m.platform?.architecture === 'unknown');
      return { digest: m.digest ?? '', mediaType: m.mediaType ?? '', platform: attestation ? null : platformOfConfig(m.platform), attestation };
    });
    return { kind: 'index', mediaType: mediaType || MEDIA_TYPES.ociIndex, entries };
  }
  if (json.config?.digest) return { kind: 'manifest', mediaType, configDigest: json.config.digest };
  return { kind: 'unknown', mediaType };
}

export interface PlatformCheck {
  platform: string;
  present: boolean;
  manifestDigest: string | null;
  /** What the image config says, when it was read. */
  configPlatform: string | null;
  problem: string | null;
}

export interface ImageCheck {
  ref: string;
  mediaType: string;
  /** Every platform the list names (attestations left out). */
  listed: string[];
  platforms: PlatformCheck[];
  missing: string[];
  ok: boolean;
  problems: string[];
}

/**
 * Checks a manifest list against the targets. `configs` maps a platform manifest's digest to
 * the platform its image config names (null when the config has no os/architecture).
 */
export function checkImage(ref: string, manifest: ParsedManifest, targets: string[], configs: Map<string, string | null>): ImageCheck {
  const problems: string[] = [];
  const wanted = targets.map(normalizePlatform);
  if (manifest.kind !== 'index') {
    const single = manifest.kind === 'manifest' ? configs.get(manifest.configDigest) ?? null : null;
    const platforms = wanted.map((platform) => ({
      platform,
      present: single === platform,
      manifestDigest: null,
      configPlatform: single,
      problem: single === platform ? null : `not in the image: ${ref} is a single-platform image${single ? ` (${single})` : ''}, not a manifest list`,
    }));
    const missing = platforms.filter((p) => !p.present).map((p) => p.platform);
    problems.push(`${ref} is a single-platform image (${manifest.mediaType || 'unknown media type'}), not a manifest list`);
    return { ref, mediaType: manifest.mediaType, listed: single ? [single] : [], platforms, missing, ok: missing.length === 0, problems: missing.length ? problems : [] };
  }
  const listed = manifest.entries.filter((e) => e.platform !== null).map((e) => e.platform!);
  const platforms: PlatformCheck[] = [];
  for (const platform of wanted) {
    const entries = manifest.entries.filter((e) => e.platform === platform);
    if (entries.length === 0) {
      platforms.push({ platform, present: false, manifestDigest: null, configPlatform: null, problem: `${platform} is missing from the manifest list` });
      continue;
    }
    const entry = entries[0];
    const configPlatform = configs.has(entry.digest) ? configs.get(entry.digest)! : null;
    let problem: string | null = null;
    if (entries.length > 1) problem = `${platform} is listed ${entries.length} times`;
    else if (!configs.has(entry.digest)) problem = `the image config of ${platform} could not be read`;
    else if (configPlatform === null) problem = `the image config of ${platform} names no os/architecture`;
    else if (configPlatform !== platform) problem = `the manifest list says ${platform} but its image config says ${configPlatform}`;
    platforms.push({ platform, present: true, manifestDigest: entry.digest, configPlatform, problem });
  }
  const missing = platforms.filter((p) => !p.present).map((p) => p.platform);
  for (const p of platforms) if (p.problem) problems.push(p.problem);
  return { ref, mediaType: manifest.mediaType, listed, platforms, missing, ok: problems.length === 0, problems };
}
