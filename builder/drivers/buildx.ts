/** `docker buildx build`: every platform in one call, on the user's (possibly named, remote) builder. */
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { normalizePlatform } from '../../core/platform';
import { commonBuildArgs, errorSummary, platformDir, type BuildEvents, type BuildRequest, type BuildResult, type Driver, type PlatformBuild } from '../driver';
import { run } from '../exec';
import { parseStepName, PlainProgressReader, platformSpans, RawJsonProgressReader } from '../progress';

export class BuildxDriver implements Driver {
  readonly name = 'buildx';
  constructor(
    readonly docker: string,
    readonly builder: string | null,
    readonly buildPlatform: string,
    readonly description: string,
    /** `--progress=rawjson` (buildx ≥0.12) gives timestamps; plain otherwise. */
    readonly rawjson: boolean,
  ) {}

  /** The argv, for tests and `--verbose`. */
  buildArgs(request: BuildRequest): string[] {
    const args = ['buildx', 'build'];
    if (this.builder) args.push('--builder', this.builder);
    args.push('--platform', request.platforms.join(','), `--progress=${this.rawjson ? 'rawjson' : 'plain'}`, '--output', `type=local,dest=${request.outputDir}`);
    args.push(...commonBuildArgs(request), request.context);
    return args;
  }

  async build(request: BuildRequest, events: BuildEvents = {}): Promise<BuildResult> {
    const started = Date.now();
    mkdirSync(request.outputDir, { recursive: true });
    const plain = new PlainProgressReader();
    const raw = new RawJsonProgressReader();
    for (const p of request.platforms) events.onPlatformStart?.(p);
    const result = await run(this.docker, this.buildArgs(request), {
      input: request.dockerfileText,
      onStderrLine: (line) => {
        if (this.rawjson) for (const step of raw.feed(line)) events.onStep?.(null, step);
        else {
          const step = plain.feed(line, Date.now());
          if (step) events.onStep?.(null, step);
        }
      },
    });
    const wallMs = Date.now() - started;
    const steps = this.rawjson ? raw.steps : plain.steps;
    const ok = result.code === 0;
    const error = ok ? null : (result.spawnError ?? errorSummary(result.stderrTail, `docker buildx build exited with ${result.code}`));
    // With one platform the local exporter writes straight into dest: move it into its platform directory.
    if (request.platforms.length === 1) {
      const dir = join(request.outputDir, platformDir(request.platforms[0]));
      const entries = readdirSync(request.outputDir);
      mkdirSync(dir, { recursive: true });
      for (const e of entries) renameSync(join(request.outputDir, e), join(dir, e));
    }
    const spans = platformSpans(steps, request.platforms);
    const failedPlatforms = new Set(steps.filter((s) => s.error).map((s) => parseStepName(s.name)).map((n) => n?.crossTo ?? n?.platform).filter((p): p is string => !!p));
    const builds: PlatformBuild[] = request.platforms.map((platform) => {
      const normalized = normalizePlatform(platform);
      // A failure that names no platform fails them all.
      const failed = !ok && (failedPlatforms.size === 0 || failedPlatforms.has(normalized));
      return {
        platform,
        outputDir: join(request.outputDir, platformDir(platform)),
        durationMs: spans[normalized] ?? (request.platforms.length === 1 ? wallMs : null),
        ok: !failed && ok,
        error: !ok ? (failed ? error : 'the build of another platform failed') : null,
      };
    });
    for (const b of builds) events.onPlatformEnd?.(b.platform, b.ok, b.durationMs);
    return { builds, steps, stepsByPlatform: null, wallMs, platformsInLog: request.platforms.length > 1 };
  }
}

/** `docker buildx inspect` → the builder's name, driver and platforms (first node first). */
export function parseBuildxInspect(text: string): { name: string | null; driver: string | null; platforms: string[] } {
  const name = /^Name:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const driver = /^Driver:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const platforms: string[] = [];
  for (const m of text.matchAll(/^Platforms:\s*(.*)$/gm)) {
    for (const p of m[1].split(',')) {
      const clean = p.trim().replace(/\*$/, '').trim();
      if (clean) {
        const n = normalizePlatform(clean);
        if (!platforms.includes(n)) platforms.push(n);
      }
    }
  }
  return { name, driver, platforms };
}
