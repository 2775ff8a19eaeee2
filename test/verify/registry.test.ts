import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage, parseBearerChallenge, parseImageRef, parseManifest, tokenUrl } from '../../builder/oci';
import { inspectImage, RegistryError } from '../../builder/registry';

describe('image references', () => {
  it.each([
    ['127.0.0.1:5000/xlint/golang', { registry: '127.0.0.1:5000', repository: 'xlint/golang', reference: 'latest', scheme: 'http' }],
    ['localhost:5000/app:v1', { registry: 'localhost:5000', repository: 'app', reference: 'v1', scheme: 'http' }],
    ['alpine', { registry: 'registry-1.docker.io', repository: 'library/alpine', reference: 'latest', scheme: 'https' }],
    ['docker.io/tonistiigi/xx:1.6', { registry: 'registry-1.docker.io', repository: 'tonistiigi/xx', reference: '1.6', scheme: 'https' }],
    ['ghcr.io/o/r@sha256:' + 'a'.repeat(64), { registry: 'ghcr.io', repository: 'o/r', reference: 'sha256:' + 'a'.repeat(64), scheme: 'https' }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text)).toEqual(expected);
  });

  it.each(['', 'UPPER/case', 'a b', 'repo@sha256:short'])('rejects %j', (text) => {
    expect(parseImageRef(text)).toBeNull();
  });
});

describe('Bearer challenges', () => {
  it('reads realm, service and scope', () => {
    const c = parseBearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
    expect(c).toEqual({ realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' });
    expect(tokenUrl(c!, 'library/alpine')).toBe('https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull');
  });
  it('ignores Basic challenges', () => {
    expect(parseBearerChallenge('Basic realm="x"')).toBeNull();
  });
});

const index = (platforms: ({ os: string; architecture: string; variant?: string } | 'attestation')[]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: platforms.map((p, i) =>
      p === 'attestation'
        ? { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:att${i}`, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }
        : { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:m${i}`, platform: p },
    ),
  });

describe('checking a manifest list', () => {
  it('passes when every target is listed and its config agrees', () => {
    const m = parseManifest(index([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'attestation']), null);
    const check = checkImage('x', m, ['linux/amd64', 'linux/arm64'], new Map([['sha256:m0', 'linux/amd64'], ['sha256:m1', 'linux/arm64']]));
    expect(check).toMatchObject({ ok: true, missing: [], listed: ['linux/amd64', 'linux/arm64'], problems: [] });
  });

  it('names a missing platform', () => {
    const m = parseManifest(index([{ os: 'linux', architecture: 'amd64' }]), null);
    const check = checkImage('x', m, ['linux/amd64', 'linux/arm64'], new Map([['sha256:m0', 'linux/amd64']]));
    expect(check).toMatchObject({ ok: false, missing: ['linux/arm64'], problems: ['linux/arm64 is missing from the manifest list'] });
  });

  it('names a config that disagrees with the list', () => {
    const m = parseManifest(index([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]), null);
    const check = checkImage('x', m, ['linux/amd64', 'linux/arm64'], new Map([['sha256:m0', 'linux/amd64'], ['sha256:m1', 'linux/amd64']]));
    expect(check.problems).toEqual(['the manifest list says linux/arm64 but its image config says linux/amd64']);
  });

  it('fails a single-platform image', () => {
    const m = parseManifest(JSON.stringify({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: 'sha256:c' } }), null);
    const check = checkImage('x', m, ['linux/amd64', 'linux/arm64'], new Map([['sha256:c', 'linux/amd64']]));
    expect(check).toMatchObject({ ok: false, missing: ['linux/arm64'] });
  });
});

/** A registry on 127.0.0.1 that wants an anonymous Bearer token, like Docker Hub. */
describe('reading an image from a registry', () => {
  let server: Server;
  let base: string;
  const requests: { url: string; accept?: string; auth?: string }[] = [];
  const configs: Record<string, object> = {
    'sha256:cfg-amd64': { os: 'linux', architecture: 'amd64' },
    'sha256:cfg-arm64': { os: 'linux', architecture: 'arm64' },
  };
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      requests.push({ url: req.url!, accept: req.headers.accept, auth: req.headers.authorization });
      const send = (status: number, body: string, type = 'application/json', headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(body);
      };
      if (req.url!.startsWith('/token')) return send(200, JSON.stringify({ token: 'anon-token' }));
      if (req.headers.authorization !== 'Bearer anon-token') {
        return send(401, '{}', 'application/json', { 'www-authenticate': `Bearer realm="${base}/token",service="test",scope="repository:team/app:pull"` });
      }
      const m = /^\/v2\/team\/(\w+)\/(manifests|blobs)\/(.+)$/.exec(req.url!);
      if (!m) return send(404, '{}');
      const [, repo, kind, ref] = m;
      if (kind === 'blobs') return configs[ref] ? send(200, JSON.stringify(configs[ref]), 'application/octet-stream') : send(404, '{}');
      if (ref === 'latest') {
        const list = repo === 'app' ? ['amd64', 'arm64'] : ['amd64'];
        return send(
          200,
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
            manifests: list.map((a) => ({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: `sha256:man-${a}`, platform: { os: 'linux', architecture: a } })),
          }),
          'application/vnd.docker.distribution.manifest.list.v2+json',
        );
      }
      const arch = /^sha256:man-(\w+)$/.exec(ref)?.[1];
      if (arch) return send(200, JSON.stringify({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: `sha256:cfg-${arch}` } }), 'application/vnd.docker.distribution.manifest.v2+json');
      return send(404, '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows the anonymous token flow, asks for both list media types and checks each config', async () => {
    const ref = `${base.slice('http://'.length)}/team/app:latest`;
    const check = await inspectImage(ref, ['linux/amd64', 'linux/arm64']);
    expect(check).toMatchObject({ ok: true, listed: ['linux/amd64', 'linux/arm64'] });
    expect(requests[0]).toMatchObject({ url: '/v2/team/app/manifests/latest', auth: undefined });
    expect(requests[0].accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(requests[0].accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(requests[1].url).toBe('/token?service=test&scope=repository%3Ateam%2Fapp%3Apull');
    expect(requests.filter((r) => r.url.startsWith('/v2/team/app/blobs/')).map((r) => r.url)).toEqual(['/v2/team/app/blobs/sha256:cfg-amd64', '/v2/team/app/blobs/sha256:cfg-arm64']);
  });

  it('names the platform an incomplete image lacks', async () => {
    const check = await inspectImage(`${base.slice('http://'.length)}/team/half:latest`, ['linux/amd64', 'linux/arm64']);
    expect(check).toMatchObject({ ok: false, missing: ['linux/arm64'] });
  });

  it('says when the image does not exist or the registry cannot be reached', async () => {
    await expect(inspectImage(`${base.slice('http://'.length)}/team/app:nope`, ['linux/amd64'])).rejects.toThrow(/not found/);
    await expect(inspectImage('127.0.0.1:1/team/app', ['linux/amd64'])).rejects.toThrow(RegistryError);
  });
});
