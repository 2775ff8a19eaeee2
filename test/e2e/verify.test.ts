/**
 * `xlint verify` against the real test builder of test/builder/setup.sh (dockerd 20.10 with
 * BuildKit, QEMU through binfmt_misc, a registry on 127.0.0.1:5000 with base images made from
 * Debian packages). Runs the bundled CLI (dist/xlint.js) as a user would.
 *
 * XLINT_E2E=1: runs, and fails naming what is missing when the builder is not there.
 * XLINT_E2E unset: skipped, with a loud warning (the suite builds Go under QEMU: minutes).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fixText } from '../../core/fix';
import { rules } from '../../rules/index';
import { builderProblems, dockerCli, env, fixtures, json, registry, xlint } from './builder';
import { describeWithParts, REQUIRED } from './real-parts';

const PLATFORMS = 'linux/amd64,linux/arm64';

interface PlatformReport {
  platform: string;
  ok: boolean;
  durationMs: number;
  files: number;
  elfFiles: number;
  mismatches: { path: string; found: string; expected: string }[];
  emulatedSteps: { platform: string; line: number | null; instruction: string; source: string }[];
}
interface VerifyReport {
  ok: boolean;
  driver: string;
  buildPlatform: string;
  wallMs: number;
  platforms: PlatformReport[];
}
interface CompareReport {
  ok: boolean;
  speedup: number;
  fixes: string[];
  original: VerifyReport;
  fixed: VerifyReport;
  platforms: { platform: string; files: { same: boolean }; speedup: number }[];
}

const byPlatform = (report: VerifyReport, platform: string) => report.platforms.find((p) => p.platform === platform)!;

// The suite builds Go under QEMU (minutes): it runs with XLINT_E2E=1 only, and then insists on the builder.
const missing = REQUIRED ? builderProblems() : ['XLINT_E2E=1 (this suite takes minutes; run test/builder/setup.sh first)'];

describeWithParts('xlint verify on a real builder', missing, () => {
  it('fails a build-platform binary shipped in the arm64 image, naming the file', async () => {
    const run = await xlint(['verify', 'wrong-arch.Dockerfile', '--platform', PLATFORMS]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('wrong architecture: /usr/local/bin/hello is x86-64, linux/arm64 needs aarch64');
    expect(run.stdout).toMatch(/failed: linux\/arm64\n$/);
    // The progress display (not a terminal here: one line per step) and the driver it chose.
    expect(run.stderr).toContain('with docker 20.10');
    expect(run.stderr).toMatch(/linux\/arm64: \[build \d\/\d\] RUN CGO_ENABLED=0 go build/);
  }, 300_000);

  it('passes its fixed form', async () => {
    const run = await xlint(['verify', 'wrong-arch.fixed.Dockerfile', '--platform', PLATFORMS, '--format', 'json']);
    const report = json<VerifyReport>(run);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    for (const p of report.platforms) expect(p).toMatchObject({ ok: true, mismatches: [], emulatedSteps: [] });
  }, 300_000);

  it('builds the emulated Go example and its fix for amd64 and arm64: right machines, the same files, the emulated step named, a speedup', async () => {
    const original = readFileSync(join(fixtures, 'go-emulated.Dockerfile'), 'utf8');
    const fixable = fixText(original, { rules, buildPlatform: 'linux/amd64', targetPlatforms: PLATFORMS.split(',') }).changed;
    if (!fixable) console.warn('!! go-emulated.Dockerfile has no safe fix in this rule catalog: comparing with go-cross.Dockerfile instead');
    const run = await xlint(['verify', 'go-emulated.Dockerfile', '--platform', PLATFORMS, '--compare', ...(fixable ? [] : ['--against', 'go-cross.Dockerfile']), '--format', 'json']);
    const report = json<CompareReport>(run);
    console.log(
      `verify --compare go-emulated.Dockerfile: ${(report.original.wallMs / 1000).toFixed(1)}s emulated → ${(report.fixed.wallMs / 1000).toFixed(1)}s cross-compiled, ` +
        `speedup ${report.speedup.toFixed(1)}× (arm64 ${report.platforms[1].speedup.toFixed(1)}×); fixes: ${report.fixes.join(', ') || 'go-cross.Dockerfile'}`,
    );
    expect(run.code, run.stderr).toBe(0);
    for (const build of [report.original, report.fixed]) {
      expect(build.ok).toBe(true);
      for (const p of build.platforms) expect(p).toMatchObject({ ok: true, mismatches: [] });
      expect(byPlatform(build, 'linux/arm64').elfFiles).toBeGreaterThanOrEqual(2); // busybox and hello, both aarch64
    }
    // The original emulates its go build for arm64 only; the fix emulates nothing.
    expect(byPlatform(report.original, 'linux/amd64').emulatedSteps).toEqual([]);
    expect(byPlatform(report.original, 'linux/arm64').emulatedSteps).toMatchObject([{ platform: 'linux/arm64', line: 6, instruction: 'RUN CGO_ENABLED=0 go build -a -o /out/hello .', source: 'model' }]);
    expect(report.fixed.platforms.flatMap((p) => p.emulatedSteps)).toEqual([]);
    expect(report.platforms.map((p) => p.files.same)).toEqual([true, true]);
    expect(report.platforms[1].speedup).toBeGreaterThan(2);
    expect(report.speedup).toBeGreaterThan(1.3); // amd64 builds natively either way: the gain is arm64's
  }, 900_000);

  it('builds the cross-compiled Go example for amd64 and arm64 with nothing emulated', async () => {
    const run = await xlint(['verify', 'go-cross.Dockerfile', '--platform', PLATFORMS, '--format', 'json']);
    const report = json<VerifyReport>(run);
    expect(run.code, run.stderr).toBe(0);
    expect(report.platforms.map((p) => [p.platform, p.ok, p.mismatches.length, p.emulatedSteps.length])).toEqual([
      ['linux/amd64', true, 0, 0],
      ['linux/arm64', true, 0, 0],
    ]);
  }, 300_000);

  it('compares a Dockerfile with its --fix output given on stdin: the same files', async () => {
    const run = await xlint(['verify', 'redundant-platform.Dockerfile', '--platform', PLATFORMS, '--compare']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('fixed (redundant-target-platform):');
    expect(run.stdout).toMatch(/linux\/arm64: same files/);
    expect(run.stdout).toContain('the fixed Dockerfile builds the same files for every platform');
  }, 300_000);

  it('reads a Dockerfile from stdin', async () => {
    const run = await xlint(['verify', '-', '--platform', 'linux/arm64', '--context', fixtures], readFileSync(join(fixtures, 'wrong-arch.Dockerfile'), 'utf8'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('/usr/local/bin/hello is x86-64');
  }, 300_000);

  it('--image passes a complete multi-platform image in the local registry', async () => {
    const run = await xlint(['verify', '--image', `${registry}/xlint/golang:latest`, '--platform', PLATFORMS]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('lists linux/amd64, linux/arm64');
    expect(run.stdout).toContain('every platform is present and matches its image config');
  }, 60_000);

  it('--image names the platform missing from an incomplete image', async () => {
    // A manifest list of the amd64 image alone.
    const ref = `${registry}/xlint/incomplete:latest`;
    const docker = (...args: string[]) => {
      const r = spawnSync(dockerCli, args, { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    };
    spawnSync(dockerCli, ['manifest', 'rm', ref], { env });
    docker('manifest', 'create', '--insecure', ref, `${registry}/xlint/busybox:amd64`);
    docker('manifest', 'push', '--purge', '--insecure', ref);
    const run = await xlint(['verify', '--image', ref, '--platform', PLATFORMS, '--format', 'json']);
    expect(run.code).toBe(1);
    expect(json<{ missing: string[]; listed: string[] }>(run)).toMatchObject({ missing: ['linux/arm64'], listed: ['linux/amd64'] });
    const text = await xlint(['verify', '--image', ref, '--platform', PLATFORMS]);
    expect(text.stdout).toContain('FAIL linux/arm64: linux/arm64 is missing from the manifest list');
  }, 60_000);
});
