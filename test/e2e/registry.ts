/**
 * A real registry for tests (Debian's docker-registry, distribution 2.8, on 127.0.0.1) and plain
 * HTTP pushes of images, indexes and manifest lists: shared by test/e2e/check-images.test.ts and
 * test/e2e/server-check-images.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a registry with its storage and config under `dir`; `auth`: the config's auth section, or ''. */
export async function startRegistry(dir: string, auth: string): Promise<{ host: string; process: ChildProcess }> {
  const port = await freePort();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, auth].join('\n') + '\n',
  );
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      if (response.status === 200 || response.status === 401) return { host, process: child };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry in ${dir} did not start on ${host}: ${log}`);
}

export async function push(registry: { host: string; pushAuth: () => string | null }, repo: string, tag: string, body: Buffer, mediaType: string): Promise<string> {
  const headers: Record<string, string> = { 'content-type': mediaType };
  const auth = registry.pushAuth();
  if (auth) headers.authorization = auth;
  const response = await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers, body });
  if (response.status !== 201) throw new Error(`PUT manifest ${repo}:${tag}: ${response.status} ${await response.text()}`);
  return sha256(body);
}

export async function pushBlob(registry: { host: string; pushAuth: () => string | null }, repo: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const auth = registry.pushAuth();
  const headers: Record<string, string> = auth ? { authorization: auth } : {};
  const start = await fetch(`http://${registry.host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`POST upload ${repo}: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: blob });
  if (done.status !== 201) throw new Error(`PUT blob ${repo}: ${done.status} ${await done.text()}`);
  return digest;
}

/** One platform's image: config and a one-file layer, then the manifest (pushed by digest). */
export async function pushImage(registry: { host: string; pushAuth: () => string | null }, repo: string, platform: string, docker = false): Promise<{ digest: string; size: number; mediaType: string }> {
  const [os, architecture, variant] = platform.split('/');
  const config = Buffer.from(JSON.stringify({ architecture, os, ...(variant ? { variant } : {}), rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  const layer = Buffer.from(`layer of ${platform}`);
  const configDigest = await pushBlob(registry, repo, config);
  const layerDigest = await pushBlob(registry, repo, layer);
  const mediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    }),
  );
  const digest = await push(registry, repo, sha256(manifest), manifest, mediaType);
  return { digest, size: manifest.length, mediaType };
}

export async function pushIndex(registry: { host: string; pushAuth: () => string | null }, repo: string, tag: string, platforms: string[], docker = false): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  const manifests = [];
  for (const platform of platforms) {
    const image = await pushImage(registry, repo, platform, docker);
    digests[platform] = image.digest;
    const [os, architecture, variant] = platform.split('/');
    manifests.push({ mediaType: image.mediaType, digest: image.digest, size: image.size, platform: { os, architecture, ...(variant ? { variant } : {}) } });
  }
  const mediaType = docker ? DOCKER_LIST : OCI_INDEX;
  await push(registry, repo, tag, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests })), mediaType);
  return digests;
}
