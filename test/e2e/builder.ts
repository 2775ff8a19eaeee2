/**
 * What the real-builder suites share: the environment test/builder/setup.sh wrote, the bundled CLI
 * run as a user runs it, and the check that the builder and its base images are there.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '../..');
export const fixtures = join(root, 'test/fixtures/verify');
export const cli = join(root, 'dist/xlint.js');
const builderDir = process.env.XLINT_BUILDER_DIR ?? '/var/tmp/xlint-builder';

function readEnvFile(name: string): string | undefined {
  const file = join(builderDir, 'env');
  if (!existsSync(file)) return undefined;
  return new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
}

/** The environment setup.sh wrote (DOCKER_HOST, XLINT_REGISTRY, XLINT_DOCKER), under what the caller set. */
function builderEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const file = join(builderDir, 'env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^(\w+)=(.*)$/.exec(line);
      if (m && env[m[1]] === undefined) env[m[1]] = m[2];
    }
  }
  // The driver must find a CLI that can build by itself: do not hand it one.
  delete env.XLINT_DOCKER;
  delete env.FORCE_COLOR;
  return env;
}

export const env = builderEnv();
export const registry = env.XLINT_REGISTRY ?? '127.0.0.1:5000';
export const dockerCli = process.env.XLINT_DOCKER ?? readEnvFile('XLINT_DOCKER') ?? '/usr/bin/docker';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The bundled CLI in the fixtures folder, with the builder's environment. */
export function xlint(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: fixtures, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - t0 }));
    child.stdin.end(input ?? '');
  });
}

export function json<T>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`xlint printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** What is missing for a real build: the CLI bundle, a Docker daemon, the base images. */
export function builderProblems(): string[] {
  const out: string[] = [];
  if (!existsSync(cli)) out.push(`${cli} is missing: run npm run build`);
  const docker = spawnSync(dockerCli, ['version', '--format', '{{.Server.Version}}'], { env, encoding: 'utf8' });
  if (docker.status !== 0) out.push(`no Docker daemon via ${dockerCli} (DOCKER_HOST=${env.DOCKER_HOST ?? 'unset'}): ${(docker.stderr || String(docker.error)).trim()}`);
  for (const image of ['xlint/busybox', 'xlint/golang']) {
    const r = spawnSync('curl', ['-fsS', '-o', '/dev/null', '-H', 'Accept: application/vnd.docker.distribution.manifest.list.v2+json', `http://${registry}/v2/${image}/manifests/latest`], { encoding: 'utf8' });
    if (r.status !== 0) out.push(`${registry}/${image}:latest is not in the registry: ${(r.stderr || String(r.error)).trim()}`);
  }
  return out;
}
