/**
 * The --check-images adapter's parts that need no registry binary: the disk cache (digests kept
 * for good, tags for their time, atomic writes, --offline), credentials from the Docker config
 * (plain auths, Docker Hub's key, a credential helper only when allowed), redirects, and media
 * types. The real registries are test/e2e/check-images.test.ts.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCredentials } from '../../builder/docker-config';
import { checkImages, ImageCache } from '../../builder/image-facts';

const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
let work: string;
let server: Server;
let host: string;
const hits: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'xlint-image-facts-'));
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/v2/moved/manifests/1') {
      res.writeHead(307, { location: `http://${req.headers.host}/v2/list/manifests/1` });
      return res.end();
    }
    if (req.url === '/v2/list/manifests/1') {
      res.writeHead(200, { 'content-type': DOCKER_LIST });
      return res.end(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: DOCKER_LIST,
          manifests: [
            { digest: 'sha256:aa', platform: { os: 'linux', architecture: 'amd64' } },
            { digest: 'sha256:bb', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
            { digest: 'sha256:cc', platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
          ],
        }),
      );
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('checkImages', () => {
  it('a Docker manifest list, reached through a redirect: its platforms, attestations left out', async () => {
    const result = await checkImages([`${host}/moved:1`], { cacheDir: null });
    expect(result.answers.get(`${host}/moved:1`)).toEqual({ kind: 'index', platforms: ['linux/amd64', 'linux/arm/v7'] });
    expect(result.fetched).toBe(1);
  });

  it('a tag is cached for its time, then asked again; a failure is not cached; --offline takes any age', async () => {
    const cacheDir = join(work, 'cache-ttl');
    let now = 1_000_000;
    const options = { cacheDir, tagTtlMs: 60_000, now: () => now };
    const ref = `${host}/list:1`;
    expect((await checkImages([ref, `${host}/absent:1`], options)).fetched).toBe(1);
    hits.length = 0;
    const second = await checkImages([ref, `${host}/absent:1`], options);
    expect([second.cached, second.fetched, second.failed]).toEqual([1, 0, 1]);
    expect(hits).toEqual(['/v2/absent/manifests/1']); // the failure is asked again, the tag is not
    now += 61_000;
    hits.length = 0;
    expect((await checkImages([ref], options)).fetched).toBe(1);
    expect(hits).toEqual(['/v2/list/manifests/1']);
    now += 10 * 60_000;
    hits.length = 0;
    const offline = await checkImages([ref, `${host}/other:1`], { ...options, offline: true });
    expect(offline.answers.get(ref)).toEqual({ kind: 'index', platforms: ['linux/amd64', 'linux/arm/v7'] });
    expect(offline.answers.get(`${host}/other:1`)).toEqual({ error: expect.stringContaining('--offline asks no registry') });
    expect(hits).toEqual([]);
    expect(readdirSync(cacheDir).every((f) => f.endsWith('.json'))).toBe(true);
  });

  it('a digest reference is kept for good; `alpine` and its full spelling share an entry', () => {
    const cache = new ImageCache(join(work, 'cache-digest'));
    const digestKey = 'registry-1.docker.io/library/alpine@sha256:0123456789abcdef0123456789abcdef';
    cache.set(digestKey, { kind: 'manifest', platforms: ['linux/amd64'] }, 0);
    expect(cache.get(digestKey, 1, 10 ** 12)).toEqual({ kind: 'manifest', platforms: ['linux/amd64'] });
    cache.set('registry-1.docker.io/library/alpine:latest', { kind: 'index', platforms: ['linux/amd64'] }, 0);
    expect(cache.get('registry-1.docker.io/library/alpine:latest', 1, 10)).toBeNull();
  });

  it('answers the same reference spelled two ways from one cache entry', async () => {
    const cacheDir = join(work, 'cache-spelling');
    mkdirSync(cacheDir);
    new ImageCache(cacheDir).set('registry-1.docker.io/library/alpine:3.20', { kind: 'index', platforms: ['linux/arm64'] }, Date.now());
    const result = await checkImages(['alpine:3.20', 'docker.io/library/alpine:3.20'], { cacheDir, offline: true });
    expect(result.cached).toBe(2);
  });

  it('a reference that is not one is left unjudged, not asked', async () => {
    const result = await checkImages(['Not A Ref'], { cacheDir: null });
    expect(result.answers.get('Not A Ref')).toEqual({ error: '"Not A Ref" is not an image reference' });
  });
});

describe('credentials from the Docker config', () => {
  const configWith = (name: string, content: unknown) => {
    const path = join(work, `${name}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('plain auths: by host, with or without a scheme; Docker Hub under its index key', async () => {
    const path = configWith('auths', {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
        'http://127.0.0.1:5001': { auth: Buffer.from('me:p:w').toString('base64') },
        'ghcr.io': { username: 'u', password: 'p' },
      },
    });
    const get = dockerCredentials({ path });
    expect(await get('registry-1.docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await get('127.0.0.1:5001')).toEqual({ username: 'me', password: 'p:w' });
    expect(await get('ghcr.io')).toEqual({ username: 'u', password: 'p' });
    expect(await get('quay.io')).toBeNull();
  });

  it('a credential helper runs only when allowed (the CLI with --check-images), with the server on stdin', async () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-xlinttest');
    writeFileSync(helper, '#!/bin/sh\nread server\n[ "$1" = get ] || exit 1\nprintf \'{"ServerURL":"%s","Username":"from-helper","Secret":"%s-secret"}\' "$server" "$server"\n');
    chmodSync(helper, 0o755);
    const path = configWith('helper', { credsStore: 'xlinttest', auths: { 'example.com': { auth: Buffer.from('plain:pw').toString('base64') } } });
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      expect(await dockerCredentials({ path, allowHelpers: true })('example.com')).toEqual({ username: 'from-helper', password: 'example.com-secret' });
      expect(await dockerCredentials({ path, allowHelpers: true })('registry-1.docker.io')).toEqual({ username: 'from-helper', password: 'https://index.docker.io/v1/-secret' });
      // Not allowed (the language server): the plain entry only.
      expect(await dockerCredentials({ path })('example.com')).toEqual({ username: 'plain', password: 'pw' });
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('a missing helper or a broken file: a warning, then anonymous', async () => {
    const warnings: string[] = [];
    const path = configWith('missing-helper', { credHelpers: { 'example.com': 'nosuchhelper' } });
    expect(await dockerCredentials({ path, allowHelpers: true, warn: (m) => warnings.push(m) })('example.com')).toBeNull();
    expect(warnings.join('\n')).toContain('docker-credential-nosuchhelper get example.com: docker-credential-nosuchhelper: not found');
    const broken = join(work, 'broken.json');
    writeFileSync(broken, '{');
    expect(await dockerCredentials({ path: broken, warn: (m) => warnings.push(m) })('example.com')).toBeNull();
    expect(warnings.at(-1)).toContain('registries are asked anonymously');
  });
});
