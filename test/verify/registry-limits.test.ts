/**
 * `verify --image` against a registry that misbehaves: an endless body, a dripping one, one cut
 * off, a `null` in the manifest list. Each is a registry error (exit 3) with a message, read
 * within a bound: never "internal error", never gigabytes.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, MAX_BODY_BYTES, RegistryError } from '../../builder/registry';
import { xlintAsync } from '../cli-run';

const INDEX = 'application/vnd.oci.image.index.v1+json';
let server: Server;
let registry: string;
/** Bytes the server managed to send per route: the client must stop reading, not the server. */
const sent: Record<string, number> = {};

function endless(res: ServerResponse, route: string): void {
  res.writeHead(200, { 'content-type': INDEX });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  sent[route] = 0;
  const pump = () => {
    while (!res.destroyed && sent[route] < 1 << 30) {
      sent[route] += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
  };
  res.on('close', () => res.destroy());
  pump();
}

function drip(res: ServerResponse, route: string, thenCut: boolean): void {
  res.writeHead(200, { 'content-type': INDEX });
  sent[route] = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(' ');
    sent[route]++;
    if (thenCut && sent[route] === 5) {
      clearInterval(timer);
      res.socket?.destroy(); // the connection drops mid-body
    }
  }, 50);
  res.on('close', () => clearInterval(timer));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = /^\/v2\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '';
    switch (route) {
      case 'endless':
        return endless(res, route);
      case 'drip':
        return drip(res, route, false);
      case 'cut':
        return drip(res, route, true);
      case 'nullentry':
        res.writeHead(200, { 'content-type': INDEX });
        return res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ digest: 'sha256:a', platform: { os: 'linux', architecture: 'amd64' } }, null] }));
      case 'nulltop':
        res.writeHead(200, { 'content-type': INDEX });
        return res.end('null');
      case 'huge':
        res.writeHead(200, { 'content-type': INDEX, 'content-length': String(10 * 1024 * 1024 * 1024) });
        return res.end();
      case 'token':
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/auth/endless",service="x"` });
        return res.end();
      default:
        if (req.url?.startsWith('/auth/')) return endless(res, 'auth');
        res.writeHead(404);
        return res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const targets = ['linux/amd64'];

describe('registry bodies are bounded', () => {
  it('an endless manifest body stops at the limit, a RegistryError', async () => {
    await expect(inspectImage(`${registry}/endless:1`, targets)).rejects.toThrow(new RegExp(`larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; stopped reading`));
    // What the server got out before the client hung up: the limit plus what sat in socket buffers.
    expect(sent.endless).toBeLessThan(MAX_BODY_BYTES + 16 * 1024 * 1024);
  });

  it('an endless token body too', async () => {
    await expect(inspectImage(`${registry}/token:1`, targets)).rejects.toBeInstanceOf(RegistryError);
    expect(sent.auth).toBeLessThan(MAX_BODY_BYTES + 16 * 1024 * 1024);
  });

  it('a Content-Length past the limit is refused before reading', async () => {
    await expect(inspectImage(`${registry}/huge:1`, targets)).rejects.toThrow(/larger than 4 MiB/);
  });

  it('a dripping body ends at the request timeout, a RegistryError', async () => {
    const started = Date.now();
    await expect(inspectImage(`${registry}/drip:1`, targets, { timeoutMs: 600 })).rejects.toThrow(/timed out reading the response/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a body cut off mid-way, a RegistryError', async () => {
    await expect(inspectImage(`${registry}/cut:1`, targets)).rejects.toThrow(/reading the response failed/);
  });

  it('a null manifest-list entry or a null manifest: a RegistryError naming it', async () => {
    await expect(inspectImage(`${registry}/nullentry:1`, targets)).rejects.toThrow(/malformed manifest list: entry 1 is null, not an object/);
    await expect(inspectImage(`${registry}/nulltop:1`, targets)).rejects.toThrow(/malformed manifest: null is not a JSON object/);
  });
});

describe('xlint verify --image: exit 3 "registry error", never "internal error"', () => {
  it.each([
    ['endless', /registry error: .*larger than 4 MiB; stopped reading/],
    ['nullentry', /registry error: .*entry 1 is null/],
    ['cut', /registry error: .*reading the response failed/],
  ])('%s', async (route, message) => {
    const run = await xlintAsync(['verify', '--image', `${registry}/${route}:1`, '--platform', 'linux/amd64'], { timeoutMs: 20_000 });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('internal error');
    expect(run.status).toBe(3);
  });
});
