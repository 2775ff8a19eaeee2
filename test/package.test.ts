/**
 * The npm package as a user gets it: `npm pack` of this tree (built first: `npm run build`),
 * installed with `npm install -g --prefix <tmp>` from the tarball (offline: the bundles need no
 * dependency), then the installed `xlint` run from another directory. The tarball holds the bundles
 * and what they read, nothing else: no source maps, no .vsix, no tests, no install scripts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

function run(command: string, args: string[], cwd: string, input?: string) {
  // npm_config_* of an enclosing `npm test` (e.g. its prefix) must not steer these npm runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return spawnSync(command, args, { cwd, input, encoding: 'utf8', env: { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' }, timeout: 120_000 });
}

describe('the npm package', () => {
  let tmp: string;
  let packed: Packed;
  let prefix: string;
  let installed: ReturnType<typeof run>;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'xlint-package-'));
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    [packed] = JSON.parse(pack.stdout) as Packed[];
    prefix = join(tmp, 'prefix');
    installed = run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(tmp, packed.filename)], tmp);
  }, 180_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('is called dockerfile-xlint (the npm name xlint is another tool) and ships only the bundles and what they read', () => {
    expect(pkg.name).toBe('dockerfile-xlint');
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/xlint.js', 'dist/server.js', 'dist/verify.js', 'schema/xlintrc.schema.json']));
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.vsix'))).toEqual([]);
    expect(paths.filter((p) => /^(test|bench|scripts|core|rules|cli|server|builder|client|host)\//.test(p) || /\.ts$/.test(p))).toEqual([]);
    // Measured when this test was written: 1.6 MB packed before (4.7 MB of maps and a .vsix), 0.5 MB after.
    expect(packed.size).toBeLessThan(1024 * 1024);
  });

  it('declares no dependency (everything is bundled) and no install script (npm 11 warns about them)', () => {
    const shipped = JSON.parse(run('tar', ['-xzOf', join(tmp, packed.filename), 'package/package.json'], tmp).stdout);
    expect(shipped.name).toBe('dockerfile-xlint');
    expect(shipped.bin).toEqual({ xlint: 'dist/xlint.js' });
    expect(shipped.dependencies ?? {}).toEqual({});
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(shipped.scripts?.[script], script).toBeUndefined();
  });

  it('installs from the tarball offline, without warnings about install scripts', () => {
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout + installed.stderr).not.toMatch(/install-scripts|allowScripts/i);
  });

  it('the installed xlint runs: --version, a lint from another directory, rules, verify --help', () => {
    const xlint = join(prefix, 'bin', 'xlint');
    const version = run(xlint, ['--version'], tmp);
    expect(version.stdout.trim(), version.stderr).toBe(pkg.version);

    const project = mkdtempSync(join(tmp, 'project-'));
    copyFileSync(join(ROOT, 'examples', 'go-emulated.Dockerfile'), join(project, 'Dockerfile'));
    const lint = run(xlint, ['--format', 'json', '.'], project);
    expect(lint.status, lint.stderr).toBe(1);
    const [report] = JSON.parse(lint.stdout);
    expect(report.filePath).toBe('Dockerfile');
    expect(report.diagnostics.map((d: { ruleId: string }) => d.ruleId)).toContain('emulated-build-stage');

    expect(run(xlint, ['rules'], project).stdout).toContain('emulated-build-stage');

    expect(run(xlint, ['verify', '--help'], project).status).toBe(0);
  });

  it('the installed xlint lsp loads its server bundle and answers initialize', async () => {
    const message = (body: object) => {
      const json = JSON.stringify(body);
      return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
    };
    // The server exits when its input ends, so the input stays open until it has answered.
    const child = spawn(join(prefix, 'bin', 'xlint'), ['lsp', '--stdio'], { cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to initialize: ${stdout}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('"id":1,"result"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.write(message({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    try {
      await answered;
    } finally {
      child.stdin.end(message({ jsonrpc: '2.0', id: 2, method: 'shutdown' }) + message({ jsonrpc: '2.0', method: 'exit' }));
      child.kill();
    }
    expect(stdout).toContain('"capabilities"');
  });
});
