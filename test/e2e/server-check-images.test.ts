/**
 * `xlint.checkImages` in the language server (issue 14), over stdio as an editor sees it, against
 * a real docker-registry on 127.0.0.1 (test/e2e/registry.ts) holding a single-platform image. The
 * registry is reached through a small TCP proxy that counts connections and can hold them (a
 * registry that is slow to answer): with the setting off nothing is asked; with it on the first
 * diagnostics come without waiting for the registry, and the base-image-platform error follows
 * once the registry answers — pushed, or refreshed for a pull client. Needs `npm run build`.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { LspSession, lspSessions, TEST_SETTINGS, waitFor } from '../lsp/client';
import { describeWithParts } from './real-parts';
import { freePort, OCI_MANIFEST, push, pushImage, REGISTRY_BIN, startRegistry } from './registry';

const missing = existsSync(REGISTRY_BIN) ? [] : ['docker-registry (Debian package docker-registry)'];

let work: string;
let registry: ChildProcess | undefined;
const servers: Server[] = [];
const sockets: Socket[] = [];
const open = lspSessions();

/** A TCP proxy to the registry: counts the connections made to it; while held, keeps them waiting. */
interface Proxy {
  host: string;
  connections: number;
  hold(): void;
  release(): void;
}
let proxy: Proxy;

async function startProxy(target: string): Promise<Proxy> {
  const [targetHost, targetPort] = target.split(':');
  let held = false;
  let waiting: (() => void)[] = [];
  const state: Proxy = {
    host: '',
    connections: 0,
    hold: () => (held = true),
    release: () => {
      held = false;
      for (const go of waiting.splice(0)) go();
    },
  };
  const server = createTcpServer((client) => {
    state.connections++;
    sockets.push(client);
    client.on('error', () => undefined);
    const go = () => {
      const upstream = connect(Number(targetPort), targetHost);
      sockets.push(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    };
    if (held) {
      client.pause();
      waiting.push(go);
    } else go();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  state.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  waiting = [];
  return state;
}

/** A fresh image cache per test, an empty Docker config, a registry timeout the held proxy stays within. */
async function start(options: { checkImages?: boolean; pull?: boolean; cache?: string } = {}): Promise<{ session: LspSession; cache: string }> {
  const cache = options.cache ?? mkdtempSync(join(work, 'cache-'));
  const session = await open({
    pull: options.pull,
    configuration: () => ({ ...TEST_SETTINGS, ...(options.checkImages === undefined ? {} : { checkImages: options.checkImages }) }),
    env: { XLINT_IMAGE_CACHE: cache, DOCKER_CONFIG: join(work, 'docker-config'), XLINT_REGISTRY_TIMEOUT_MS: '20000' },
  });
  return { session, cache };
}

const dockerfile = (host: string) => `FROM ${host}/xlint/single:1\nRUN true\n`;
const imageFindings = (ds: Diagnostic[] | undefined) => (ds ?? []).filter((d) => d.code === 'base-image-platform');

describeWithParts('xlint.checkImages in the language server (docker-registry)', missing, () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xlint-server-images-'));
    mkdirSync(join(work, 'docker-config'));
    writeFileSync(join(work, 'docker-config', 'config.json'), '{}');
    const started = await startRegistry(join(work, 'registry'), '');
    registry = started.process;
    const target = { host: started.host, pushAuth: () => null };
    // A single-platform (linux/amd64) image under a tag.
    const single = await pushImage(target, 'xlint/single', 'linux/amd64');
    const body = await fetch(`http://${started.host}/v2/xlint/single/manifests/${single.digest}`, { headers: { accept: OCI_MANIFEST } }).then((r) => r.arrayBuffer());
    await push(target, 'xlint/single', '1', Buffer.from(body), OCI_MANIFEST);
    proxy = await startProxy(started.host);
  }, 60_000);

  afterEach(() => {
    proxy?.release();
  });

  afterAll(() => {
    if (registry && registry.exitCode === null) registry.kill('SIGKILL');
    for (const socket of sockets) socket.destroy();
    for (const server of servers) server.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('off by default: no base-image-platform finding, no request to the registry', async () => {
    const before = proxy.connections;
    const { session, cache } = await start();
    const uri = 'file:///w/off/Dockerfile';
    await session.open(uri, dockerfile(proxy.host));
    const diagnostics = await session.pushedFor(uri, 1);
    expect(imageFindings(diagnostics)).toEqual([]);
    // Nothing is asked later either.
    await new Promise((r) => setTimeout(r, 500));
    expect(proxy.connections).toBe(before);
    expect(readdirSync(cache)).toEqual([]);
    expect(session.published.get(uri)).toHaveLength(1);
  });

  it('push: the first diagnostics do not wait for a slow registry; the error is pushed when it answers, then read from the cache', async () => {
    proxy.hold();
    const before = proxy.connections;
    const { session, cache } = await start({ checkImages: true });
    const uri = 'file:///w/push/Dockerfile';
    const opened = Date.now();
    await session.open(uri, dockerfile(proxy.host));
    const first = await session.pushedFor(uri, 1, 10_000);
    const firstMs = Date.now() - opened;
    expect(imageFindings(first)).toEqual([]);
    // The registry was asked, and has not answered.
    await waitFor(() => proxy.connections > before, 10_000, 'a request to the registry');
    expect(session.published.get(uri)).toHaveLength(1);

    proxy.release();
    const second = await waitFor(() => imageFindings(session.latest(uri)).length > 0 && session.latest(uri), 20_000, 'the base-image-platform error');
    expect(session.published.get(uri)!.length).toBeGreaterThanOrEqual(2);
    const [finding] = imageFindings(second);
    expect(finding).toMatchObject({ severity: 1, range: { start: { line: 0, character: 5 } } });
    expect(finding.message).toContain(`"${proxy.host}/xlint/single:1" is a single-platform image (linux/amd64), pulled here for linux/arm64`);
    // Never shown to the user as a message.
    expect(session.logs.filter((l) => l.startsWith('show:'))).toEqual([]);
    console.log(`xlint.checkImages: first push ${firstMs} ms after didOpen, with the registry held`);

    // Another server on the same cache answers at once, without asking the registry.
    const after = proxy.connections;
    const { session: next } = await start({ checkImages: true, cache });
    await next.open(uri, dockerfile(proxy.host));
    expect(imageFindings(await next.pushedFor(uri, 1, 10_000))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.connections).toBe(after);
  }, 60_000);

  it('pull: the first report does not wait; workspace/diagnostic/refresh once the registry answers', async () => {
    proxy.hold();
    const before = proxy.connections;
    const { session } = await start({ checkImages: true, pull: true });
    const uri = 'file:///w/pull/Dockerfile';
    await session.open(uri, dockerfile(proxy.host));
    const first = await session.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    expect(first.kind).toBe('full');
    expect(imageFindings(first.kind === 'full' ? first.items : [])).toEqual([]);
    await waitFor(() => proxy.connections > before, 10_000, 'a request to the registry');
    expect(session.refreshes).toBe(0);

    proxy.release();
    await waitFor(() => session.refreshes > 0, 20_000, 'workspace/diagnostic/refresh');
    const second = await session.request<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: first.kind === 'full' ? first.resultId : undefined,
    });
    expect(second.kind).toBe('full');
    expect(imageFindings(second.kind === 'full' ? second.items : [])).toHaveLength(1);
  }, 60_000);

  it('a failing registry is logged once, never a diagnostic, and not asked again on every edit', async () => {
    const unreachable = `127.0.0.1:${await freePort()}`;
    const { session } = await start({ checkImages: true });
    const uri = 'file:///w/down/Dockerfile';
    await session.open(uri, dockerfile(unreachable));
    expect(imageFindings(await session.pushedFor(uri, 1))).toEqual([]);
    const said = () => session.logs.filter((l) => l.includes(`cannot check image ${unreachable}/xlint/single:1`));
    await waitFor(() => said().length > 0, 10_000, 'the registry failure in the log');
    const v2 = await session.change(uri, dockerfile(unreachable) + 'RUN echo 2\n');
    const v3 = await session.change(uri, dockerfile(unreachable) + 'RUN echo 3\n');
    await session.pushedFor(uri, v3);
    await new Promise((r) => setTimeout(r, 300));
    expect(said()).toHaveLength(1);
    expect(session.logs.filter((l) => l.startsWith('show:'))).toEqual([]);
    expect(session.published.get(uri)!.flatMap((p) => imageFindings(p.diagnostics))).toEqual([]);
    expect(session.published.get(uri)!.some((p) => p.version === v2 || p.version === v3)).toBe(true);
  }, 30_000);
});
