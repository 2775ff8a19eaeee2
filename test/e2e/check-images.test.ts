/**
 * `xlint --check-images` against real registries started here (issue 14): Debian's
 * docker-registry (distribution 2.8) on 127.0.0.1, three times — open, behind htpasswd basic auth,
 * and behind a token endpoint (a small token server in this file, signing ES256 JWTs that the
 * registry verifies against a certificate made with openssl) — each holding an OCI index with
 * every target, a Docker manifest list, an index without arm64, a single-platform image and a
 * single platform's manifest by digest, pushed with plain HTTP PUTs. Also an unreachable
 * registry, one that accepts connections and never answers (a timeout), and a second run that
 * answers from the disk cache with the registry stopped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI } from '../cli-run';
import { describeWithParts, onPath } from './real-parts';
import { freePort, OCI_MANIFEST, push, pushImage, pushIndex, REGISTRY_BIN, startRegistry as startRegistryIn } from './registry';

const missing = [...(existsSync(REGISTRY_BIN) ? [] : ['docker-registry (Debian package docker-registry)']), ...(onPath('openssl') ? [] : ['openssl'])];

const USER = 'xlint';
const PASSWORD = 's3cret-pass';
/** bcrypt of PASSWORD (cost 4), made once with libxcrypt: `python3 -c "import crypt; print(crypt.crypt('s3cret-pass', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"`. */
const HTPASSWD = `${USER}:$2b$04$2Ph0iSw.F3Ppw75G27XRv.2ybaNGYyWANglkSdUbAH8BRt/Kex1iO\n`;
const SERVICE = 'xlint-test-registry';
const ISSUER = 'xlint-test-token-server';


let work: string;
const children: ChildProcess[] = [];
const servers: (Server | TcpServer)[] = [];
const sockets: Socket[] = [];

interface Registry {
  host: string;
  /** Authorization header for pushing, or null. */
  pushAuth: () => string | null;
  process: ChildProcess;
  /** The digest of the linux/amd64 manifest inside xlint/multi:1. */
  amd64Digest: string;
}
let open: Registry;
let basic: Registry;
let token: Registry;
let tokenKey: ReturnType<typeof createPrivateKey>;
let tokenCertDer: string;
let tokenServerUrl: string;
let unreachableHost: string;
let hangingHost: string;


async function populate(registry: { host: string; pushAuth: () => string | null }): Promise<string> {
  const multi = await pushIndex(registry, 'xlint/multi', '1', ['linux/amd64', 'linux/arm64']);
  await pushIndex(registry, 'xlint/dockerlist', '1', ['linux/amd64', 'linux/arm/v6'], true);
  await pushIndex(registry, 'xlint/amd64only', '1', ['linux/amd64']);
  const single = await pushImage(registry, 'xlint/single', 'linux/amd64');
  const body = await fetch(`http://${registry.host}/v2/xlint/single/manifests/${single.digest}`, {
    headers: { accept: OCI_MANIFEST, ...(registry.pushAuth() ? { authorization: registry.pushAuth()! } : {}) },
  }).then((r) => r.arrayBuffer());
  await push(registry, 'xlint/single', '1', Buffer.from(body), OCI_MANIFEST);
  return multi['linux/amd64'];
}

async function startRegistry(name: string, auth: string): Promise<{ host: string; process: ChildProcess }> {
  const started = await startRegistryIn(join(work, name), auth);
  children.push(started.process);
  return started;
}

function jwt(access: { type: string; name: string; actions: string[] }[]): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ typ: 'JWT', alg: 'ES256', x5c: [tokenCertDer] });
  const claims = b64({ iss: ISSUER, sub: USER, aud: SERVICE, exp: now + 300, nbf: now - 60, iat: now - 60, jti: String(Math.random()), access });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: tokenKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

/** Files of a test project and the CLI run over them, with a cache and a Docker config of its own. */
function lintRun(dockerfile: string, extra: string[] = [], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string; ms: number; findings: { line: number; severity: string; message: string }[] }> {
  const dir = mkdtempSync(join(work, 'project-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CLI, '--check-images', '--format', 'json', '--platform', 'linux/amd64,linux/arm64', '--build-platform', 'linux/amd64', ...extra, join(dir, 'Dockerfile')],
      { env: { ...process.env, NO_COLOR: '1', XLINT_IMAGE_CACHE: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker-config'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      let findings = [];
      try {
        findings = JSON.parse(stdout)[0].diagnostics.filter((d: { ruleId: string }) => d.ruleId === 'base-image-platform');
      } catch {
        // reported by the assertions
      }
      resolve({ status, stdout, stderr, ms: Date.now() - started, findings });
    });
  });
}

/** A Dockerfile that pulls every case from one registry; each case on its own line. */
function casesFor(host: string, amd64Digest: string): string {
  return [
    `FROM ${host}/xlint/multi:1 AS complete`, // 1: silent
    `FROM ${host}/xlint/amd64only:1 AS lacking`, // 2: arm64 missing
    `FROM ${host}/xlint/single:1 AS single`, // 3: single-platform tag for both
    `FROM ${host}/xlint/multi@${amd64Digest} AS pinned`, // 4: one platform's digest for both
    `FROM --platform=$BUILDPLATFORM ${host}/xlint/single:1 AS tools`, // 5: silent: the build platform only
    `FROM ${host}/xlint/multi:1`, // 6
    'COPY --from=complete / /c',
    'COPY --from=lacking / /l',
    'COPY --from=single / /s',
    'COPY --from=pinned / /p',
    'COPY --from=tools / /t',
    `COPY --from=${host}/xlint/dockerlist:1 / /d`, // 12: Docker manifest list: arm64 takes arm/v6
    '',
  ].join('\n');
}

function expectCases(findings: { line: number; severity: string; message: string }[], host: string): void {
  expect(findings.map((f) => `${f.line} ${f.severity}`)).toEqual(['2 error', '3 error', '4 error', '12 warning']);
  expect(findings[0].message).toBe(`"${host}/xlint/amd64only:1" has no linux/arm64 image and nothing BuildKit takes instead: the build for linux/arm64 fails ("no match for platform in manifest"). It has linux/amd64`);
  expect(findings[1].message).toMatch(/is a single-platform image \(linux\/amd64\), pulled here for linux\/arm64: BuildKit uses it as it is, so the build for linux\/arm64 gets linux\/amd64 files/);
  expect(findings[2].message).toMatch(/single-platform image \(linux\/amd64\): the digest names one platform's manifest, not an image index, pulled here for linux\/arm64/);
  expect(findings[3].message).toMatch(/has no linux\/arm64 image: BuildKit takes its linux\/arm\/v6 image instead \(containerd's platform matcher falls back to the 32-bit architecture\).*It has linux\/amd64, linux\/arm\/v6$/);
}

describeWithParts('--check-images against real registries (docker-registry)', missing, () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xlint-check-images-'));
    mkdirSync(join(work, 'docker-config'));
    writeFileSync(join(work, 'docker-config', 'config.json'), '{}');

    // Open.
    const o = await startRegistry('open', '');
    open = { ...o, pushAuth: () => null, amd64Digest: '' };
    open.amd64Digest = await populate(open);

    // htpasswd basic auth.
    writeFileSync(join(work, 'htpasswd'), HTPASSWD);
    const b = await startRegistry('basic', ['auth:', '  htpasswd:', '    realm: xlint-test', `    path: ${join(work, 'htpasswd')}`].join('\n'));
    const basicHeader = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    basic = { ...b, pushAuth: () => basicHeader, amd64Digest: '' };
    basic.amd64Digest = await populate(basic);

    // A token endpoint: grants pull (and push) to USER with the password; an anonymous token grants nothing.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(work, 'token.key'), '-out', join(work, 'token.crt'), '-subj', '/CN=xlint-test-token', '-days', '2'], { stdio: 'ignore' });
    tokenKey = createPrivateKey(readFileSync(join(work, 'token.key')));
    tokenCertDer = new X509Certificate(readFileSync(join(work, 'token.crt'))).raw.toString('base64');
    const tokenServer = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const authed = req.headers.authorization === basicHeader;
      const scope = /^repository:([^:]+):(.*)$/.exec(url.searchParams.get('scope') ?? '');
      if (url.pathname !== '/token' || url.searchParams.get('service') !== SERVICE) {
        res.writeHead(400);
        return res.end();
      }
      if (req.headers.authorization && !authed) {
        res.writeHead(401);
        return res.end('{"details":"wrong password"}');
      }
      const access = authed && scope ? [{ type: 'repository', name: scope[1], actions: scope[2].split(',') }] : [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: jwt(access), expires_in: 300 }));
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    servers.push(tokenServer);
    tokenServerUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    writeFileSync(join(work, 'token-bundle.crt'), readFileSync(join(work, 'token.crt')));
    const t = await startRegistry(
      'token',
      ['auth:', '  token:', `    realm: ${tokenServerUrl}`, `    service: ${SERVICE}`, `    issuer: ${ISSUER}`, `    rootcertbundle: ${join(work, 'token-bundle.crt')}`].join('\n'),
    );
    token = { ...t, pushAuth: () => `Bearer ${jwt(['xlint/multi', 'xlint/dockerlist', 'xlint/amd64only', 'xlint/single'].map((name) => ({ type: 'repository', name, actions: ['pull', 'push'] })))}`, amd64Digest: '' };
    token.amd64Digest = await populate(token);

    // Nothing listening.
    unreachableHost = `127.0.0.1:${await freePort()}`;
    // Accepts connections, never answers.
    const hanging = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    servers.push(hanging);
    hangingHost = `127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const socket of sockets) socket.destroy();
    for (const server of servers) server.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const writeDockerConfig = (config: unknown) => writeFileSync(join(work, 'docker-config', 'config.json'), JSON.stringify(config));

  it('an open registry: each case found, the complete index silent', async () => {
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const run = await lintRun(casesFor(open.host, open.amd64Digest));
    expect(run.stderr).toBe('');
    expectCases(run.findings, open.host);
    expect(run.status).toBe(1);
  });

  it('the complete index alone: exit 0, nothing said', async () => {
    const run = await lintRun(`FROM ${open.host}/xlint/multi:1\nCOPY --from=${open.host}/xlint/multi:1 / /\n`);
    expect(run.findings).toEqual([]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('htpasswd basic auth: credentials from the Docker config\'s plain "auths"', async () => {
    writeDockerConfig({ auths: { [`http://${basic.host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const run = await lintRun(casesFor(basic.host, basic.amd64Digest), [], { XLINT_IMAGE_CACHE: join(work, 'cache-basic') });
    expect(run.stderr).toBe('');
    expectCases(run.findings, basic.host);
  });

  it('htpasswd basic auth without credentials: a warning per image, the lint goes on, exit code unchanged', async () => {
    writeDockerConfig({});
    const run = await lintRun(`FROM ${basic.host}/xlint/amd64only:1\nRUN true\n`, [], { XLINT_IMAGE_CACHE: join(work, 'cache-basic-none') });
    expect(run.findings).toEqual([]);
    expect(run.stderr).toContain(`xlint: warning: cannot check image ${basic.host}/xlint/amd64only:1: `);
    expect(run.stderr).toContain(`the registry wants a user name and password, and there are none for ${basic.host} in the Docker config file`);
    expect(run.status).toBe(0);
  });

  it('wrong credentials are named as refused', async () => {
    writeDockerConfig({ auths: { [basic.host]: { auth: Buffer.from(`${USER}:wrong`).toString('base64') } } });
    const run = await lintRun(`FROM ${basic.host}/xlint/amd64only:1\n`, [], { XLINT_IMAGE_CACHE: join(work, 'cache-basic-wrong') });
    expect(run.stderr).toMatch(/401 Unauthorized \(the credentials for 127\.0\.0\.1:\d+ from the Docker config were refused\)/);
    expect(run.status).toBe(0);
  });

  it('a token endpoint (WWW-Authenticate: Bearer realm, service, scope): the token asked with the credentials', async () => {
    writeDockerConfig({ auths: { [token.host]: { username: USER, password: PASSWORD } } });
    const run = await lintRun(casesFor(token.host, token.amd64Digest), [], { XLINT_IMAGE_CACHE: join(work, 'cache-token') });
    expect(run.stderr).toBe('');
    expectCases(run.findings, token.host);
  });

  it('a token endpoint, anonymously: the anonymous token grants nothing, said plainly', async () => {
    writeDockerConfig({});
    const run = await lintRun(`FROM ${token.host}/xlint/amd64only:1\n`, [], { XLINT_IMAGE_CACHE: join(work, 'cache-token-anon') });
    expect(run.findings).toEqual([]);
    expect(run.stderr).toMatch(/cannot check image .*401 Unauthorized \(the image needs credentials, and there are none for 127\.0\.0\.1:\d+ in the Docker config file\)/);
    expect(run.status).toBe(0);
  });

  it('an unreachable registry: one clear warning per image, the lint goes on', async () => {
    const run = await lintRun(`FROM ${unreachableHost}/xlint/a:1\nCOPY --from=${unreachableHost}/xlint/b:1 / /\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH true\n`);
    expect(run.stderr).toContain(`xlint: warning: cannot check image ${unreachableHost}/xlint/a:1: cannot reach http://${unreachableHost}/v2/xlint/a/manifests/1: ECONNREFUSED`);
    expect(run.stderr).toContain(`cannot check image ${unreachableHost}/xlint/b:1:`);
    expect(JSON.parse(run.stdout)[0].diagnostics).toBeDefined();
    expect(run.status).toBe(0);
  });

  it('a registry that never answers: a timeout, asked once for all its images', async () => {
    const run = await lintRun(`FROM ${hangingHost}/xlint/a:1\nCOPY --from=${hangingHost}/xlint/b:1 / /\nCOPY --from=${hangingHost}/xlint/c:1 / /\nCOPY --from=${hangingHost}/xlint/d:1 / /\nCOPY --from=${hangingHost}/xlint/e:1 / /\n`, [], {
      XLINT_REGISTRY_TIMEOUT_MS: '1500',
    });
    expect(run.stderr).toMatch(/cannot check image 127\.0\.0\.1:\d+\/xlint\/a:1: http:\/\/127\.0\.0\.1:\d+\/v2\/xlint\/a\/manifests\/1: timed out after 1\.5 s waiting for an answer/);
    expect(run.stderr).toMatch(/cannot check image 127\.0\.0\.1:\d+\/xlint\/e:1: 127\.0\.0\.1:\d+ was not reachable/);
    // Four asked at once, then the fifth knows the registry is down: one timeout's worth, not five.
    expect(run.ms).toBeLessThan(8_000);
    expect(run.status).toBe(0);
  });

  it('failOnRegistryError in the config: exit 3', async () => {
    const dir = mkdtempSync(join(work, 'strict-'));
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ checkImages: { failOnRegistryError: true } }));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${unreachableHost}/xlint/a:1\n`);
    const run = execFileSyncStatus([CLI, join(dir, 'Dockerfile')]);
    expect(run.stderr).toContain('cannot check image');
    expect(run.status).toBe(3);
  });

  it('a second run answers from the disk cache, with the registry stopped; --offline too', async () => {
    const cache = join(work, 'cache-second');
    const first = await lintRun(casesFor(open.host, open.amd64Digest), [], { XLINT_IMAGE_CACHE: cache });
    expectCases(first.findings, open.host);
    // One file per reference, written whole (no temporary file left).
    const files = readdirSync(cache);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(5);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    open.process.kill('SIGKILL');
    await new Promise((r) => open.process.once('exit', r));
    const second = await lintRun(casesFor(open.host, open.amd64Digest), [], { XLINT_IMAGE_CACHE: cache });
    expect(second.stderr).toBe('');
    expect(second.findings).toEqual(first.findings);
    const offline = await lintRun(casesFor(open.host, open.amd64Digest), ['--offline'], { XLINT_IMAGE_CACHE: cache });
    expect(offline.stderr).toBe('');
    expect(offline.findings).toEqual(first.findings);
    console.log(`check-images: first run ${first.ms} ms (5 images from the registry), second ${second.ms} ms (cache), --offline ${offline.ms} ms`);

    // A tag past its time (tagTtlMinutes: 0) is asked again: the registry is down, so it is a warning now; the digest is still answered.
    const dir = mkdtempSync(join(work, 'ttl-'));
    writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ checkImages: { tagTtlMinutes: 0 } }));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${open.host}/xlint/multi@${open.amd64Digest}\nCOPY --from=${open.host}/xlint/amd64only:1 / /\n`);
    const stale = execFileSyncStatus([CLI, '--format', 'json', join(dir, 'Dockerfile')], { XLINT_IMAGE_CACHE: cache });
    expect(stale.stderr).toContain(`cannot check image ${open.host}/xlint/amd64only:1: cannot reach`);
    expect(JSON.parse(stale.stdout)[0].diagnostics.filter((d: { ruleId: string }) => d.ruleId === 'base-image-platform').map((d: { line: number }) => d.line)).toEqual([1]);
    // --offline takes an old tag anyway.
    const offlineStale = execFileSyncStatus([CLI, '--offline', '--format', 'json', join(dir, 'Dockerfile')], { XLINT_IMAGE_CACHE: cache });
    expect(offlineStale.stderr).toBe('');
    expect(JSON.parse(offlineStale.stdout)[0].diagnostics.filter((d: { ruleId: string }) => d.ruleId === 'base-image-platform').map((d: { line: number }) => d.line)).toEqual([1, 2]);
  });

  it('--offline with an empty cache: a warning per image, nothing asked', async () => {
    const run = await lintRun(`FROM ${basic.host}/xlint/amd64only:1\n`, ['--offline'], { XLINT_IMAGE_CACHE: join(work, 'cache-empty') });
    expect(run.stderr).toContain('not in the image cache');
    expect(run.stderr).toContain('--offline asks no registry');
    expect(run.status).toBe(0);
  });
});

function execFileSyncStatus(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', XLINT_IMAGE_CACHE: join(work, 'cache-sync'), DOCKER_CONFIG: join(work, 'docker-config'), XLINT_REGISTRY_TIMEOUT_MS: '3000', ...env },
    timeout: 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
