/**
 * `xlint verify`: build a Dockerfile for every target platform on a real builder and check what
 * came out; `compare`: the same for the original and the fixed Dockerfile. Orchestration only:
 * the driver builds, output.ts reads the files, report.ts judges.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../core/model';
import type { BuildEvents, Driver } from './driver';
import { readOutput, type OutputFile } from './output';
import { assemble, compareReports, type CompareReport, type VerifyReport } from './report';

export interface VerifyRequest {
  /** Shown in reports; the path given to the builder unless `dockerfileText` is set. */
  dockerfile: string;
  /** The Dockerfile's text: parsed for the model; sent to the builder on stdin when `stdin` is set. */
  text: string;
  stdin?: boolean;
  context: string;
  platforms: string[];
  target?: string;
  buildArgs: Record<string, string>;
  noCache?: boolean;
  /** Hash file contents (for comparison). */
  hash?: boolean;
  /** Keep the exported files here instead of a temp directory. */
  outputDir?: string;
}

export interface VerifyRun {
  report: VerifyReport;
  outputs: Record<string, OutputFile[] | null>;
}

export async function verify(driver: Driver, request: VerifyRequest, events?: BuildEvents): Promise<VerifyRun> {
  const model = buildModel(request.text, { buildPlatform: driver.buildPlatform, targetPlatforms: request.platforms, target: request.target, buildArgs: request.buildArgs });
  const outputDir = request.outputDir ?? mkdtempSync(join(tmpdir(), 'xlint-verify-'));
  try {
    const result = await driver.build(
      {
        dockerfile: request.dockerfile,
        dockerfileText: request.stdin ? request.text : undefined,
        context: request.context,
        platforms: request.platforms,
        target: request.target,
        buildArgs: request.buildArgs,
        noCache: request.noCache,
        outputDir,
      },
      events,
    );
    const outputs: Record<string, OutputFile[] | null> = {};
    for (const build of result.builds) {
      outputs[build.platform] = build.ok && existsSync(build.outputDir) ? readOutput(build.outputDir, { hash: request.hash }) : null;
    }
    return { report: assemble(request.dockerfile, model, driver.description, result, outputs), outputs };
  } finally {
    if (!request.outputDir) rmSync(outputDir, { recursive: true, force: true });
  }
}

/** Builds the original and the fixed Dockerfile (from stdin), both without cache so the times compare. */
export async function compare(
  driver: Driver,
  original: VerifyRequest,
  fixed: VerifyRequest,
  fixes: string[],
  events: (label: 'original' | 'fixed') => BuildEvents | undefined,
): Promise<CompareReport> {
  const a = await verify(driver, { ...original, noCache: true, hash: true }, events('original'));
  const b = await verify(driver, { ...fixed, noCache: true, hash: true }, events('fixed'));
  return compareReports(a.report, b.report, { original: a.outputs, fixed: b.outputs }, fixes);
}
