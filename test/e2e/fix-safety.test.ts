/**
 * Are xlint's Go fixes safe? Proved on the real test builder of test/builder/setup.sh (dockerd 20.10
 * with BuildKit, QEMU, the local registry's Go 1.19 image), with the bundled CLI (dist/xlint.js).
 *
 * For each fixture of test/fixtures/verify (see its README):
 *  1. the Go facts, shown by building the naive rewrite (the fixture with `ARG TARGETOS TARGETARCH`
 *     and `GOOS=$TARGETOS GOARCH=$TARGETARCH` added by this test, not by xlint) for linux/arm64;
 *  2. the property: when `xlint --fix` (safe fixes only) changes the file, the fixed Dockerfile builds,
 *     for amd64 and arm64, the same files as the original with every ELF of the right machine
 *     (`xlint verify --compare --against <the --fix output>`); when it changes nothing, xlint still
 *     reports the problem. A build that is right as it is (host-tool) gets no finding and no fix.
 *
 * XLINT_E2E=1: runs, and fails naming what is missing when the builder is not there.
 * XLINT_E2E unset: skipped, with a loud warning.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builderProblems, dockerCli, env, fixtures, json, xlint } from './builder';
import { describeWithParts, REQUIRED } from './real-parts';

const PLATFORMS = 'linux/amd64,linux/arm64';
const ARM64 = 'linux/arm64';

interface Mismatch {
  path: string;
  found: string;
  expected: string;
}
interface PlatformReport {
  platform: string;
  ok: boolean;
  error: string | null;
  files: number;
  elfFiles: number;
  mismatches: Mismatch[];
}
interface VerifyReport {
  ok: boolean;
  buildPlatform: string;
  platforms: PlatformReport[];
}
interface FilesComparison {
  onlyInFirst: string[];
  onlyInSecond: string[];
  differ: { path: string; why: string }[];
  same: boolean;
}
interface CompareReport {
  ok: boolean;
  original: VerifyReport;
  fixed: VerifyReport;
  platforms: { platform: string; files: FilesComparison | null }[];
}
interface Finding {
  ruleId: string;
  line: number;
  message: string;
  fix?: { title: string; safety: string };
}

const byPlatform = (report: VerifyReport, platform: string) => report.platforms.find((p) => p.platform === platform)!;
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

/**
 * The rewrite a reader would make by hand: `ARG TARGETOS TARGETARCH` in the `$BUILDPLATFORM` stage and
 * `GOOS=$TARGETOS GOARCH=$TARGETARCH` before every `go build|install|test` of a RUN that has no GOARCH.
 */
function naiveWiring(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    out.push(/^RUN\b/.test(line) && !/\bGOARCH=/.test(line) ? line.replace(/\bgo (build|install|test)\b/g, 'GOOS=$TARGETOS GOARCH=$TARGETARCH go $1') : line);
    if (/^FROM --platform=\$BUILDPLATFORM\b/.test(line) && !/^ARG TARGETOS TARGETARCH$/m.test(text)) out.push('ARG TARGETOS TARGETARCH');
  }
  const result = out.join('\n');
  if (result === text) throw new Error('the naive rewrite changed nothing');
  return result;
}

/** One build of a Dockerfile text (on stdin, the fixtures as context) through `xlint verify`. */
async function verifyText(text: string, platforms: string): Promise<VerifyReport> {
  return json<VerifyReport>(await xlint(['verify', '-', '--platform', platforms, '--context', fixtures, '--format', 'json'], text));
}

/** One file of a single-platform build, exported with the docker CLI and BuildKit. */
function builtFile(text: string, platform: string, path: string): string {
  const dest = mkdtempSync(join(tmpdir(), 'xlint-fix-safety-out-'));
  try {
    const r = spawnSync(dockerCli, ['build', '-q', '--platform', platform, '--output', `type=local,dest=${dest}`, '-f', '-', fixtures], { env: { ...env, DOCKER_BUILDKIT: '1' }, input: text, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`docker build --platform ${platform} failed:\n${r.stderr}`);
    return readFileSync(join(dest, path), 'utf8');
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `xlint --fix` (safe fixes only) on a temp copy of a fixture: the copy's path and whether it changed. */
async function fixCopy(name: string): Promise<{ path: string; changed: boolean; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'xlint-fix-safety-'));
  temps.push(dir);
  const path = join(dir, basename(name));
  copyFileSync(join(fixtures, name), path);
  const run = await xlint(['--fix', '--platform', PLATFORMS, path]);
  expect(run.code, `xlint --fix ${name}: ${run.stdout}${run.stderr}`).toBeLessThan(2);
  const text = readFileSync(path, 'utf8');
  return { path, changed: text !== fixture(name), text };
}

async function lint(name: string): Promise<Finding[]> {
  const run = await xlint(['--format', 'json', '--platform', PLATFORMS, name]);
  expect(run.code, run.stderr).toBeLessThan(2);
  return json<{ diagnostics: Finding[] }[]>(run).flatMap((f) => f.diagnostics);
}

/**
 * The fix-safety property for a fixture whose arm64 image ships the build platform's binaries
 * (`wrongOnArm64`, sorted): a safe fix builds the same files, every ELF of the right machine; no
 * safe fix leaves a wrong-arch-artifact finding.
 */
async function expectSafeFixOrReported(name: string, wrongOnArm64: string[]): Promise<void> {
  const fixed = await fixCopy(name);
  if (!fixed.changed) {
    const findings = await lint(name);
    expect(findings.filter((d) => d.ruleId === 'wrong-arch-artifact'), `--fix offers no safe fix for ${name}: xlint must still report the problem`).not.toEqual([]);
    return;
  }
  console.log(`${name}: xlint --fix wrote\n${fixed.text}`);
  // --against: compare with exactly what --fix wrote (built from stdin in the fixtures' context).
  const run = await xlint(['verify', name, '--compare', '--against', fixed.path, '--platform', PLATFORMS, '--format', 'json']);
  const report = json<CompareReport>(run);
  // The original builds on both platforms and ships the wrong binaries to arm64: that is the bug,
  // so the compare's own verdict (`ok`, exit code) is false by construction and is not asserted.
  expect(report.original.platforms.map((p) => [p.platform, p.error])).toEqual([
    ['linux/amd64', null],
    [ARM64, null],
  ]);
  expect(byPlatform(report.original, ARM64).mismatches.map((m) => m.path).sort()).toEqual(wrongOnArm64);
  // The fixed Dockerfile builds on both platforms, every ELF of the platform's machine.
  for (const p of report.fixed.platforms) {
    expect.soft(p, `the --fix output of ${name}, ${p.platform}${p.error ? `: ${p.error}` : ''}`).toMatchObject({ ok: true, error: null, mismatches: [] });
  }
  // The same files: amd64's unchanged; arm64's changed only in the machine of the binaries that were wrong.
  const files = (platform: string) => report.platforms.find((p) => p.platform === platform)?.files ?? null;
  const compared = (platform: string) => `${name}, ${platform}: the files of the original and the --fix output${files(platform) === null ? ' (not compared: a build failed)' : ''}`;
  expect.soft(files('linux/amd64'), compared('linux/amd64')).toMatchObject({ same: true });
  expect.soft(files(ARM64), compared(ARM64)).toMatchObject({
    onlyInFirst: [],
    onlyInSecond: [],
    differ: wrongOnArm64.map((path) => ({ path, why: 'x86-64 vs aarch64' })),
  });
}

const missing = REQUIRED ? builderProblems() : ['XLINT_E2E=1 (this suite builds on the real test builder; run test/builder/setup.sh first)'];

describeWithParts('xlint --fix keeps Go builds right on a real builder', missing, () => {
  describe('gobin-install.Dockerfile: GOBIN=/out go install', () => {
    it('the naive wiring fails for linux/arm64: Go will not install cross-compiled binaries when GOBIN is set', async () => {
      const report = await verifyText(naiveWiring(fixture('gobin-install.Dockerfile')), ARM64);
      expect(report.ok).toBe(false);
      expect(report.platforms[0].error).toContain('cannot install cross-compiled binaries when GOBIN is set');
    }, 300_000);

    it('--fix: a safe fix builds the same files, of the right machine; else the problem is still reported', async () => {
      await expectSafeFixOrReported('gobin-install.Dockerfile', ['/usr/local/bin/gen', '/usr/local/bin/hello']);
    }, 600_000);
  });

  describe('gopath-install.Dockerfile: go install into /go/bin', () => {
    it('the naive wiring breaks the COPY for linux/arm64: a cross-compiled go install writes /go/bin/linux_arm64/hello', async () => {
      const naive = naiveWiring(fixture('gopath-install.Dockerfile'));
      const report = await verifyText(naive, ARM64);
      expect(report.ok).toBe(false);
      expect(report.platforms[0].error).toMatch(/\/go\/bin\/hello.*not found/);
      // Where the binary went instead: an aarch64 binary under $GOPATH/bin/linux_arm64 (GOPATH=/go in the image).
      const moved = await verifyText(naive.replace('COPY --from=build /go/bin/hello ', 'COPY --from=build /go/bin/linux_arm64/hello '), ARM64);
      expect(moved.platforms[0], moved.platforms[0].error ?? '').toMatchObject({ ok: true, mismatches: [] });
      expect(moved.platforms[0].elfFiles).toBe(2); // busybox and hello
    }, 300_000);

    it('--fix: a safe fix builds the same files, of the right machine; else the problem is still reported', async () => {
      await expectSafeFixOrReported('gopath-install.Dockerfile', ['/usr/local/bin/hello']);
    }, 600_000);
  });

  describe('two-compiles.Dockerfile: go build and go test -c in one stage', () => {
    it('the naive wiring of both commands builds two aarch64 binaries for linux/arm64', async () => {
      const report = await verifyText(naiveWiring(fixture('two-compiles.Dockerfile')), ARM64);
      expect(report.platforms[0], report.platforms[0].error ?? '').toMatchObject({ ok: true, mismatches: [] });
      expect(report.platforms[0].elfFiles).toBe(3); // busybox, hello and hello.test
    }, 300_000);

    it('--fix: a safe fix wires both commands (two aarch64 binaries), same files; else the problem is still reported', async () => {
      await expectSafeFixOrReported('two-compiles.Dockerfile', ['/usr/local/bin/hello', '/usr/local/bin/hello.test']);
    }, 600_000);
  });

  describe('host-tool.Dockerfile: a generator built and run on the build platform (right as it is)', () => {
    const name = 'host-tool.Dockerfile';

    it('builds right for both platforms as it is: gen runs on the builder, the app is cross-compiled', async () => {
      const run = await xlint(['verify', name, '--platform', PLATFORMS, '--format', 'json']);
      const report = json<VerifyReport>(run);
      expect(run.code, run.stderr).toBe(0);
      expect(report.platforms.map((p) => [p.platform, p.ok, p.error, p.mismatches, p.elfFiles])).toEqual([
        ['linux/amd64', true, null, [], 2],
        [ARM64, true, null, [], 2],
      ]);
      // The generated file of the arm64 image was made by gen running natively on the builder.
      expect(builtFile(fixture(name), ARM64, 'etc/hello.conf')).toBe(`greeting = hello\ngenerated-on = ${report.buildPlatform}\n`);
    }, 300_000);

    it('the naive wiring of gen makes it an arm64 binary that runs under QEMU: the generated file changes', async () => {
      expect(builtFile(naiveWiring(fixture(name)), ARM64, 'etc/hello.conf')).toBe('greeting = hello\ngenerated-on = linux/arm64\n');
    }, 300_000);

    it('xlint reports no wrong-arch-artifact and no undeclared-platform-arg', async () => {
      const findings = await lint(name);
      expect(findings.filter((d) => d.ruleId === 'wrong-arch-artifact' || d.ruleId === 'undeclared-platform-arg')).toEqual([]);
    });

    it('--fix changes nothing', async () => {
      const fixed = await fixCopy(name);
      expect(fixed.text).toBe(fixture(name));
    });
  });
});
