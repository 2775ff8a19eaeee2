/** The docker CLI with BuildKit (`DOCKER_BUILDKIT=1 docker build`): one platform per call, plain progress. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { commonBuildArgs, errorSummary, platformDir, stepFailure, type BuildEvents, type BuildRequest, type BuildResult, type Driver, type PlatformBuild } from '../driver';
import { run } from '../exec';
import { PlainProgressReader, type Step } from '../progress';

export class DockerDriver implements Driver {
  readonly name = 'docker';
  constructor(
    readonly docker: string,
    readonly buildPlatform: string,
    readonly description: string,
  ) {}

  async build(request: BuildRequest, events: BuildEvents = {}): Promise<BuildResult> {
    const started = Date.now();
    const builds: PlatformBuild[] = [];
    const stepsByPlatform: Record<string, Step[]> = {};
    for (const platform of request.platforms) {
      const outputDir = join(request.outputDir, platformDir(platform));
      mkdirSync(outputDir, { recursive: true });
      const reader = new PlainProgressReader();
      events.onPlatformStart?.(platform);
      const t0 = Date.now();
      const args = ['build', '--progress=plain', '--platform', platform, '--output', `type=local,dest=${outputDir}`, ...commonBuildArgs(request), request.context];
      const result = await run(this.docker, args, {
        env: { ...process.env, DOCKER_BUILDKIT: '1' },
        input: request.dockerfileText,
        onStderrLine: (line) => {
          const step = reader.feed(line, Date.now());
          if (step) events.onStep?.(platform, step);
        },
      });
      const durationMs = Date.now() - t0;
      const ok = result.code === 0;
      const failed = reader.steps.find((s) => s.error);
      const error = ok
        ? null
        : (result.spawnError ?? (failed ? stepFailure(failed.name, failed.error!, reader.output.get(failed.id)) : errorSummary(result.stderrTail, `docker build exited with ${result.code}`)));
      builds.push({ platform, outputDir, durationMs, ok, error });
      stepsByPlatform[platform] = reader.steps;
      events.onPlatformEnd?.(platform, ok, durationMs);
    }
    return { builds, steps: Object.values(stepsByPlatform).flat(), stepsByPlatform, wallMs: Date.now() - started, platformsInLog: false };
  }
}
