/**
 * Chooses the driver: `docker buildx` when the CLI has it (required for `--builder`), else the
 * docker CLI with BuildKit. When neither can build, one message names everything that is missing:
 * the CLI, the daemon, BuildKit, or QEMU for a foreign platform. The machine is reached through a
 * `Probe`, so the decisions are testable without docker.
 */
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { normalizePlatform, parsePlatform } from '../core/platform';
import type { Driver } from './driver';
import { BuildxDriver, parseBuildxInspect } from './drivers/buildx';
import { DockerDriver } from './drivers/docker';
import { run } from './exec';

export interface Probe {
  /** Runs a command to completion: exit code and output. */
  run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The text of a file, or null. */
  read(path: string): string | null;
  /** Every executable named `docker` on PATH, first first, without duplicates. */
  dockersOnPath(): string[];
  env: NodeJS.ProcessEnv;
}

export interface DetectOptions {
  /** `--builder NAME`: a buildx builder (needs buildx). */
  builder?: string;
  /** `--docker PATH` or XLINT_DOCKER: the CLI to use. */
  docker?: string;
  /** Target platforms, to check that the builder can run them. */
  platforms: string[];
  /** Overrides the builder's platform (`--build-platform`). */
  buildPlatform?: string;
}

export class BuilderUnavailable extends Error {
  constructor(readonly problems: string[]) {
    super(`no builder can run this build:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The binfmt_misc entry qemu-user-static registers for an arch. */
export function qemuBinfmtName(arch: string): string | null {
  const map: Record<string, string> = { arm64: 'aarch64', arm: 'arm', riscv64: 'riscv64', s390x: 's390x', ppc64le: 'ppc64le', '386': 'i386', amd64: 'x86_64', mips64le: 'mips64el', loong64: 'loongarch64' };
  return map[arch] ?? null;
}

/** Platforms a machine of `buildPlatform` runs without emulation. */
export function runsNatively(buildPlatform: string, target: string): boolean {
  const b = parsePlatform(buildPlatform);
  const t = parsePlatform(target);
  if (!b || !t || b.os !== t.os) return false;
  if (b.arch === t.arch) return true;
  return b.arch === 'amd64' && t.arch === '386';
}

/** Docker's `Server.Arch` / `uname -m` → a platform. */
export function platformOfArch(os: string, arch: string): string {
  return normalizePlatform(`${os || 'linux'}/${arch}`);
}

function major(version: string): number {
  const m = /^(\d+)\./.exec(version.trim());
  return m ? Number(m[1]) : 0;
}

/** Problems with running `targets` emulated on a local daemon of `buildPlatform`. */
export function qemuProblems(buildPlatform: string, targets: string[], read: (path: string) => string | null): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    if (runsNatively(buildPlatform, target)) continue;
    const t = parsePlatform(target);
    const name = t ? qemuBinfmtName(t.arch) : null;
    if (!name) {
      problems.push(`${target} is foreign to this builder (${buildPlatform}) and xlint knows no QEMU emulator for it`);
      continue;
    }
    const entry = read(`/proc/sys/fs/binfmt_misc/qemu-${name}`);
    if (entry === null) {
      const mounted = read('/proc/sys/fs/binfmt_misc/status') !== null;
      problems.push(
        `no QEMU for ${target}: /proc/sys/fs/binfmt_misc/qemu-${name} is missing, so the builder (${buildPlatform}) cannot run its RUN steps` +
          (mounted ? '' : ' (binfmt_misc is not even mounted: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)') +
          '; install qemu-user-static and binfmt-support, then update-binfmts --enable',
      );
    } else if (!/^enabled/m.test(entry)) {
      problems.push(`QEMU for ${target} is registered but disabled (/proc/sys/fs/binfmt_misc/qemu-${name}); run update-binfmts --enable qemu-${name}`);
    }
  }
  return problems;
}

function isLocalDaemon(env: NodeJS.ProcessEnv): boolean {
  const host = env.DOCKER_HOST;
  return !host || host.startsWith('unix://') || host.startsWith('npipe://');
}

export async function detectDriver(options: DetectOptions, probe: Probe = systemProbe()): Promise<Driver> {
  const explicit = options.docker ?? probe.env.XLINT_DOCKER;
  const candidates = explicit ? [explicit] : probe.dockersOnPath();
  if (candidates.length === 0) throw new BuilderUnavailable(['no docker CLI on PATH (install docker.io or docker-ce, or name one with --docker / XLINT_DOCKER)']);
  const problems: string[] = [];
  for (const docker of candidates) {
    // 1. buildx.
    const buildx = await probe.run(docker, ['buildx', 'version']);
    if (buildx.code === 127) {
      problems.push(`${docker}: cannot run it (${buildx.stderr.trim() || 'not found'})`);
      continue;
    }
    if (buildx.code === 0) {
      const inspect = await probe.run(docker, ['buildx', 'inspect', ...(options.builder ? [options.builder] : []), '--bootstrap']);
      if (inspect.code !== 0) {
        problems.push(`${docker} buildx: builder ${options.builder ? `"${options.builder}"` : '(default)'} is not usable: ${firstLine(inspect.stderr) || `exit ${inspect.code}`}`);
        continue;
      }
      const info = parseBuildxInspect(inspect.stdout);
      const buildPlatform = options.buildPlatform ?? info.platforms[0] ?? (await daemonPlatform(docker, probe)) ?? 'linux/amd64';
      const missing = options.platforms.map(normalizePlatform).filter((p) => info.platforms.length > 0 && !info.platforms.includes(p));
      if (missing.length > 0) {
        const hint = info.driver === 'docker' || !options.builder ? '; install QEMU (qemu-user-static, binfmt-support) or use a builder with nodes of those platforms (--builder)' : '';
        problems.push(`buildx builder "${info.name ?? options.builder ?? 'default'}" cannot build ${missing.join(', ')} (its platforms: ${info.platforms.join(', ')})${hint}`);
        continue;
      }
      const help = await probe.run(docker, ['buildx', 'build', '--help']);
      const rawjson = help.stdout.includes('rawjson') || help.stderr.includes('rawjson');
      const version = firstLine(buildx.stdout);
      return new BuildxDriver(docker, options.builder ?? null, buildPlatform, `docker buildx (builder "${info.name ?? 'default'}", ${version})`, rawjson);
    }
    if (options.builder) {
      problems.push(`${docker}: --builder ${options.builder} needs docker buildx, and this CLI has no buildx plugin`);
      continue;
    }
    // 2. The docker CLI with BuildKit.
    const version = await probe.run(docker, ['version', '--format', '{{json .}}']);
    let parsed: { Client?: { Version?: string }; Server?: { Version?: string; Os?: string; Arch?: string } | null } = {};
    try {
      parsed = JSON.parse(version.stdout);
    } catch {
      // fall through: no JSON means no daemon or a broken CLI
    }
    const client = parsed.Client?.Version ?? '';
    const server = parsed.Server ?? null;
    if (!server?.Version) {
      const where = probe.env.DOCKER_HOST ? `DOCKER_HOST=${probe.env.DOCKER_HOST}` : 'the default socket /var/run/docker.sock';
      problems.push(`${docker}: no Docker daemon answers at ${where} (${firstLine(version.stderr) || 'is dockerd running?'})`);
      continue;
    }
    if (major(client) >= 23) {
      problems.push(`${docker} (CLI ${client}) needs the buildx plugin for BuildKit builds, and has none (install docker-buildx, or point --docker / XLINT_DOCKER at a CLI older than 23 or one with buildx)`);
      continue;
    }
    if (major(server.Version) > 0 && major(server.Version) < 18) {
      problems.push(`the Docker daemon ${server.Version} has no BuildKit (needs 18.09 or later)`);
      continue;
    }
    const buildPlatform = options.buildPlatform ?? platformOfArch(server.Os ?? 'linux', server.Arch ?? 'amd64');
    const qemu = isLocalDaemon(probe.env) ? qemuProblems(buildPlatform, options.platforms, probe.read) : [];
    if (qemu.length > 0) {
      problems.push(...qemu);
      break; // the other CLIs would reach the same daemon
    }
    return new DockerDriver(docker, buildPlatform, `docker ${client} with BuildKit (daemon ${server.Version}, one platform per build)`);
  }
  throw new BuilderUnavailable(problems);
}

async function daemonPlatform(docker: string, probe: Probe): Promise<string | null> {
  const r = await probe.run(docker, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
  return r.code === 0 && r.stdout.trim().includes('/') ? normalizePlatform(r.stdout.trim()) : null;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

export function systemProbe(): Probe {
  return {
    env: process.env,
    async run(command, args) {
      const r = await run(command, args, { timeoutMs: 60_000, tail: 20 });
      return { code: r.code, stdout: r.stdout, stderr: r.spawnError ?? r.stderrTail.join('\n') };
    },
    read(path) {
      return readSmallFile(path, 64 * 1024);
    },
    dockersOnPath() {
      const seen = new Set<string>();
      const found: string[] = [];
      for (const dir of (process.env.PATH ?? '').split(delimiter)) {
        if (!dir) continue;
        const candidate = join(dir, 'docker');
        try {
          accessSync(candidate, constants.X_OK);
          const real = realpathSync(candidate);
          if (seen.has(real)) continue;
          seen.add(real);
          found.push(candidate);
        } catch {
          // not here
        }
      }
      return found;
    },
  };
}

/** A regular file's first `limit` bytes as text (binfmt_misc entries: a few lines), or null. Never blocks on a FIFO. */
function readSmallFile(path: string, limit: number): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(limit);
    let total = 0;
    for (let n = 1; n > 0 && total < limit; total += n) n = readSync(fd, buffer, total, limit - total, null);
    return buffer.subarray(0, total).toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
