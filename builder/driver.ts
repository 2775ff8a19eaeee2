/** What every builder driver does: build a Dockerfile for a list of platforms into local directories. */
import type { Step } from './progress';

export interface BuildRequest {
  /** Path of the Dockerfile; ignored when `dockerfileText` is given (sent on stdin as `-f -`). */
  dockerfile: string;
  dockerfileText?: string;
  context: string;
  platforms: string[];
  target?: string;
  buildArgs: Record<string, string>;
  noCache?: boolean;
  /** An empty directory; each platform's files land in `outputDir/<os_arch[_variant]>`. */
  outputDir: string;
}

export interface PlatformBuild {
  platform: string;
  /** The exported root filesystem. */
  outputDir: string;
  /** Wall time of this platform's build (its own call, or its span in a shared multi-platform call). */
  durationMs: number | null;
  ok: boolean;
  error: string | null;
}

export interface BuildResult {
  builds: PlatformBuild[];
  /** Every step of the log; `stepsByPlatform` when the driver built one platform per call. */
  steps: Step[];
  stepsByPlatform: Record<string, Step[]> | null;
  wallMs: number;
  /** Whether step names carry platforms (`[linux/arm64 build 2/3]`): multi-platform buildx logs. */
  platformsInLog: boolean;
}

export interface BuildEvents {
  /** A step started, finished or failed; `platform` is null when one call builds every platform. */
  onStep?(platform: string | null, step: Step): void;
  onPlatformStart?(platform: string): void;
  onPlatformEnd?(platform: string, ok: boolean, durationMs: number | null): void;
}

export interface Driver {
  name: 'buildx' | 'docker';
  /** One line for humans: `docker buildx (builder "multi", buildx v0.12.1)`. */
  description: string;
  /** The builder's own platform: RUN steps of other platforms are emulated. */
  buildPlatform: string;
  build(request: BuildRequest, events?: BuildEvents): Promise<BuildResult>;
}

/** `linux/arm/v7` → `linux_arm_v7`, the directory buildx's local exporter uses per platform. */
export function platformDir(platform: string): string {
  return platform.replace(/\//g, '_');
}

/** The arguments every docker build shares. */
export function commonBuildArgs(request: BuildRequest): string[] {
  const args: string[] = [];
  args.push('-f', request.dockerfileText !== undefined ? '-' : request.dockerfile);
  if (request.target) args.push('--target', request.target);
  for (const [k, v] of Object.entries(request.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (request.noCache) args.push('--no-cache');
  return args;
}

/** The most useful lines of a failed build's stderr, without BuildKit's repetitions. */
export function errorSummary(tail: string[], fallback: string): string {
  const strip = (l: string) => l.replace(/^#\d+\s+([\d.]+\s+)?/, '').replace(/^ERROR:\s*/, '').trim();
  const errors = tail.filter((l) => /^(error|ERROR)\b|^#\d+ ERROR|failed to solve|executor failed|exec format error/i.test(l.replace(/^#\d+\s+[\d.]+\s+/, '')));
  const chosen = [...new Set((errors.length > 0 ? errors : tail.slice(-5)).map(strip).filter(Boolean))].slice(-3);
  return chosen.length > 0 ? chosen.join('\n') : fallback;
}

/** A failed step named, with the last lines it printed. */
export function stepFailure(name: string, error: string, output: string[] | undefined): string {
  const last = (output ?? []).filter((l) => l.trim()).slice(-3);
  return [`${name}: ${error}`, ...last.map((l) => `  | ${l}`)].join('\n');
}
