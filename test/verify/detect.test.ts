import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuilderUnavailable, detectDriver, qemuProblems, type Probe } from '../../builder/detect';
import { BuildxDriver, parseBuildxInspect } from '../../builder/drivers/buildx';
import { DockerDriver } from '../../builder/drivers/docker';
import { verify } from '../../builder/verify';

type Answer = { code: number; stdout?: string; stderr?: string };

/** A machine described by the answers its docker CLIs give. */
function probe(clis: Record<string, Record<string, Answer>>, files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): Probe {
  return {
    env,
    dockersOnPath: () => Object.keys(clis),
    read: (path) => files[path] ?? null,
    async run(command, args) {
      const key = args.join(' ');
      const answers = clis[command];
      const found = Object.entries(answers ?? {}).find(([k]) => key.startsWith(k));
      const a = found?.[1] ?? { code: 1, stderr: `unknown command ${key}` };
      return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    },
  };
}

const version = (client: string, server: string | null) => ({
  code: server ? 0 : 1,
  stdout: JSON.stringify({ Client: { Version: client }, Server: server ? { Version: server, Os: 'linux', Arch: 'amd64' } : null }),
  stderr: server ? '' : 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
});
const noBuildx = { 'buildx version': { code: 1, stderr: "docker: 'buildx' is not a docker command." } };
const QEMU = { '/proc/sys/fs/binfmt_misc/status': 'enabled', '/proc/sys/fs/binfmt_misc/qemu-aarch64': 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n' };
const both = { platforms: ['linux/amd64', 'linux/arm64'] };

describe('choosing the driver', () => {
  it('takes docker with BuildKit when the CLI has no buildx (Debian docker.io 20.10)', async () => {
    const driver = await detectDriver(both, probe({ '/usr/bin/docker': { ...noBuildx, version: version('20.10.24', '20.10.24') } }, QEMU));
    expect(driver).toBeInstanceOf(DockerDriver);
    expect(driver).toMatchObject({ buildPlatform: 'linux/amd64', docker: '/usr/bin/docker' });
  });

  it('skips a CLI 23+ without buildx for the next one on PATH', async () => {
    const driver = await detectDriver(
      both,
      probe({ '/usr/local/bin/docker': { ...noBuildx, version: version('28.2.2', '20.10.24') }, '/usr/bin/docker': { ...noBuildx, version: version('20.10.24', '20.10.24') } }, QEMU),
    );
    expect(driver).toMatchObject({ name: 'docker', docker: '/usr/bin/docker' });
  });

  it('takes buildx when the CLI has it, with the named builder and rawjson progress', async () => {
    const inspect = { code: 0, stdout: 'Name: multi\nDriver: docker-container\nNodes:\nName: n1\nPlatforms: linux/amd64*, linux/arm64*, linux/386\n' };
    const driver = await detectDriver(
      { ...both, builder: 'multi' },
      probe({ docker: { 'buildx version': { code: 0, stdout: 'github.com/docker/buildx v0.12.1 x' }, 'buildx inspect multi': inspect, 'buildx build --help': { code: 0, stdout: 'rawjson' } } }),
    );
    expect(driver).toBeInstanceOf(BuildxDriver);
    expect(driver).toMatchObject({ builder: 'multi', rawjson: true, buildPlatform: 'linux/amd64' });
    expect(driver.description).toBe('docker buildx (builder "multi", github.com/docker/buildx v0.12.1 x)');
  });

  it.each([
    ['no docker CLI at all', probe({}), /no docker CLI on PATH/],
    ['no daemon', probe({ '/usr/bin/docker': { ...noBuildx, version: version('20.10.24', null) } }, QEMU), /no Docker daemon answers at the default socket \/var\/run\/docker\.sock \(Cannot connect/],
    ['a new CLI without buildx (no BuildKit)', probe({ '/usr/local/bin/docker': { ...noBuildx, version: version('28.2.2', '28.2.2') } }, QEMU), /CLI 28\.2\.2\) needs the buildx plugin for BuildKit builds/],
    ['a daemon without BuildKit', probe({ docker: { ...noBuildx, version: version('17.06.0', '17.06.0') } }, QEMU), /has no BuildKit/],
    ['no QEMU for arm64', probe({ docker: { ...noBuildx, version: version('20.10.24', '20.10.24') } }, { '/proc/sys/fs/binfmt_misc/status': 'enabled' }), /no QEMU for linux\/arm64: \/proc\/sys\/fs\/binfmt_misc\/qemu-aarch64 is missing/],
    ['--builder without buildx', probe({ docker: { ...noBuildx } }), /--builder multi needs docker buildx/],
    ['a buildx builder without the platform', probe({ docker: { 'buildx version': { code: 0 }, 'buildx inspect': { code: 0, stdout: 'Name: default\nDriver: docker\nPlatforms: linux/amd64, linux/386\n' } } }), /buildx builder "default" cannot build linux\/arm64 \(its platforms: linux\/amd64, linux\/386\)/],
  ])('names what is missing: %s', async (_, machine, message) => {
    const options = _ === '--builder without buildx' ? { ...both, builder: 'multi' } : both;
    const error = await detectDriver(options, machine).catch((e) => e);
    expect(error).toBeInstanceOf(BuilderUnavailable);
    expect(error.message).toMatch(message);
  });

  it('does not ask for QEMU for native or 386-on-amd64 targets, and says when binfmt_misc is not mounted', () => {
    expect(qemuProblems('linux/amd64', ['linux/amd64', 'linux/386'], () => null)).toEqual([]);
    expect(qemuProblems('linux/amd64', ['linux/riscv64'], () => null)[0]).toMatch(/qemu-riscv64 is missing.*binfmt_misc is not even mounted/);
    expect(qemuProblems('linux/amd64', ['linux/arm64'], (p) => (p.endsWith('qemu-aarch64') ? 'disabled\n' : 'enabled'))[0]).toMatch(/registered but disabled/);
  });

  it('reads the platforms of docker buildx inspect', () => {
    expect(parseBuildxInspect('Name: b\nDriver: remote\nNodes:\nName: n1\nPlatforms: linux/amd64*, linux/amd64/v2\nName: n2\nPlatforms: linux/arm64, linux/arm/v7\n')).toEqual({
      name: 'b',
      driver: 'remote',
      platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/arm64', 'linux/arm/v7'],
    });
  });
});

describe('the buildx driver against a stand-in CLI', () => {
  const fake = join(__dirname, 'fake-buildx.cjs');
  const work = mkdtempSync(join(tmpdir(), 'xlint-buildx-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const text = 'FROM golang AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /usr/local/bin/app\n';

  it('builds every platform in one call, reads the per-platform exports and the emulated steps from the log', async () => {
    process.env.FAKE_LOG = join(work, 'argv.json');
    const driver = await detectDriver({ ...both, docker: fake, builder: 'multi' });
    const { report } = await verify(driver, { dockerfile: 'Dockerfile', text, stdin: true, context: work, platforms: both.platforms, buildArgs: { V: '1' }, target: 'build' });
    const call = JSON.parse(readFileSync(process.env.FAKE_LOG, 'utf8'));
    expect(call.args.slice(0, 6)).toEqual(['buildx', 'build', '--builder', 'multi', '--platform', 'linux/amd64,linux/arm64']);
    expect(call.args).toContain('--progress=rawjson');
    expect(call.args.join(' ')).toContain('-f - --target build --build-arg V=1');
    expect(call.stdin).toBe(text);
    expect(report.ok).toBe(true);
    expect(report.platforms.map((p) => [p.platform, p.durationMs, p.elfFiles])).toEqual([
      ['linux/amd64', 5_000, 1],
      ['linux/arm64', 60_000, 1],
    ]);
    expect(report.platforms[1].emulatedSteps).toEqual([
      { platform: 'linux/arm64', stage: 'build', line: 2, instruction: 'RUN go build -o /out/app .', durationMs: 60_000, cached: false, source: 'log' },
    ]);
  });

  it('names the wrong-arch file of a platform', async () => {
    process.env.FAKE_WRONG_ARCH = 'linux/arm64';
    try {
      const driver = await detectDriver({ ...both, docker: fake });
      const { report } = await verify(driver, { dockerfile: 'Dockerfile', text, context: work, platforms: both.platforms, buildArgs: {} });
      expect(report.ok).toBe(false);
      expect(report.platforms[1].mismatches).toEqual([{ path: '/usr/local/bin/app', found: 'x86-64', expected: 'aarch64' }]);
    } finally {
      delete process.env.FAKE_WRONG_ARCH;
    }
  });

  it('moves a single-platform export into its platform directory', async () => {
    const driver = await detectDriver({ platforms: ['linux/arm64'], docker: fake });
    const { report } = await verify(driver, { dockerfile: 'Dockerfile', text, context: work, platforms: ['linux/arm64'], buildArgs: {} });
    expect(report.platforms).toMatchObject([{ platform: 'linux/arm64', ok: true, files: 2, elfFiles: 1 }]);
  });
});
