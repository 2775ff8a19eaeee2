/**
 * Verification results as data and as text. `assemble` joins what a build produced (steps,
 * timings, files) with the build model (which RUN steps emulate); `compareReports` joins two
 * builds of the same context. Pure: no fs, no process.
 */
import { offsetAt } from '../core/document';
import type { Model, Stage } from '../core/model';
import { normalizePlatform } from '../core/platform';
import type { BuildResult } from './driver';
import { compareFiles, checkFiles, type ArchMismatch, type FilesComparison, type OutputFile } from './output';
import { durationMs, parseStepName, runSteps, type Step } from './progress';

export interface EmulatedStep {
  /** The target platform whose build ran it. */
  platform: string;
  stage: string | null;
  /** 1-based line of the RUN in the Dockerfile, when known. */
  line: number | null;
  instruction: string;
  durationMs: number | null;
  cached: boolean;
  /** `log` when the progress log named the platform the step ran on, `model` when xlint's build model says so. */
  source: 'log' | 'model';
}

export interface PlatformReport {
  platform: string;
  ok: boolean;
  durationMs: number | null;
  error: string | null;
  files: number;
  elfFiles: number;
  mismatches: ArchMismatch[];
  unchecked: string | null;
  emulatedSteps: EmulatedStep[];
}

export interface VerifyReport {
  dockerfile: string;
  driver: string;
  buildPlatform: string;
  wallMs: number;
  ok: boolean;
  platforms: PlatformReport[];
}

/** How BuildKit names a stage in step names: its name, else `stage-N`. */
function logStageName(stage: Stage): string {
  return stage.name ?? `stage-${stage.index}`;
}

function stageOfLogName(model: Model, name: string | null): Stage | null {
  if (name === null) return model.stages.length === 1 ? model.stages[0] : null;
  const lower = name.toLowerCase();
  return model.stages.find((s) => logStageName(s).toLowerCase() === lower) ?? null;
}

function runText(model: Model, stage: Stage, index: number): { line: number; text: string } {
  const run = stage.runs[index];
  const range = run.instruction.getRange();
  const start = offsetAt(model.source, range.start);
  const text = model.source.text.slice(start, offsetAt(model.source, range.end));
  const oneLine = text.replace(/\\\r?\n\s*/g, ' ').split('\n')[0].replace(/\s+/g, ' ').trim();
  return { line: run.line + 1, text: oneLine.length > 100 ? `${oneLine.slice(0, 97)}...` : oneLine };
}

/** RUN steps of one stage in the log, in order. */
function logRunsOfStage(steps: Step[], model: Model, stage: Stage, platform: string | null): Step[] {
  return steps
    .map((step) => ({ step, name: parseStepName(step.name) }))
    .filter(({ name }) => name && /^RUN\b/i.test(name.instruction) && stageOfLogName(model, name.stage) === stage && (platform === null || (name.crossTo ?? name.platform) === platform))
    .sort((a, b) => (a.name!.index ?? 0) - (b.name!.index ?? 0))
    .map(({ step }) => step);
}

/** The emulated RUN steps of one target platform's build. */
export function emulatedSteps(model: Model, result: BuildResult, platform: string): EmulatedStep[] {
  const target = normalizePlatform(platform);
  if (result.platformsInLog) {
    return runSteps(result.steps, model.buildPlatform, model.targetPlatforms)
      .filter((r) => r.target === target && r.emulated)
      .map((r) => {
        const stage = stageOfLogName(model, r.stage);
        let line: number | null = null;
        if (stage) {
          const runs = logRunsOfStage(result.steps, model, stage, target);
          const i = runs.findIndex((s) => parseStepName(s.name)?.instruction === r.instruction);
          if (i >= 0 && i < stage.runs.length) line = runText(model, stage, i).line;
        }
        return { platform: target, stage: r.stage, line, instruction: r.instruction, durationMs: r.durationMs, cached: r.cached, source: 'log' as const };
      });
  }
  const steps = result.stepsByPlatform?.[platform] ?? result.steps;
  const out: EmulatedStep[] = [];
  for (const stage of model.stages) {
    if (!stage.emulatedOn.includes(target)) continue;
    const logged = logRunsOfStage(steps, model, stage, null);
    stage.runs.forEach((_, i) => {
      const { line, text } = runText(model, stage, i);
      const step = logged.length === stage.runs.length ? logged[i] : undefined;
      out.push({ platform: target, stage: stage.name ?? (model.stages.length > 1 ? logStageName(stage) : null), line, instruction: text, durationMs: step ? durationMs(step) : null, cached: step?.cached ?? false, source: 'model' });
    });
  }
  return out;
}

export function assemble(dockerfile: string, model: Model, driver: string, result: BuildResult, outputs: Record<string, OutputFile[] | null>): VerifyReport {
  const platforms = result.builds.map((build): PlatformReport => {
    const files = outputs[build.platform] ?? null;
    const check = files ? checkFiles(files, normalizePlatform(build.platform)) : null;
    const mismatches = check?.mismatches ?? [];
    return {
      platform: normalizePlatform(build.platform),
      ok: build.ok && files !== null && mismatches.length === 0,
      durationMs: build.durationMs,
      error: build.error ?? (build.ok && files === null ? 'the build exported no files' : null),
      files: check?.files ?? 0,
      elfFiles: check?.elfFiles ?? 0,
      mismatches,
      unchecked: check?.unchecked ?? null,
      emulatedSteps: emulatedSteps(model, result, build.platform),
    };
  });
  return { dockerfile, driver, buildPlatform: model.buildPlatform, wallMs: result.wallMs, ok: platforms.every((p) => p.ok), platforms };
}

export interface CompareReport {
  original: VerifyReport;
  fixed: VerifyReport;
  /** Rule ids of the fixes that made the fixed Dockerfile. */
  fixes: string[];
  platforms: { platform: string; files: FilesComparison | null; speedup: number | null }[];
  /** Original wall time / fixed wall time. */
  speedup: number | null;
  ok: boolean;
}

export function compareReports(original: VerifyReport, fixed: VerifyReport, outputs: { original: Record<string, OutputFile[] | null>; fixed: Record<string, OutputFile[] | null> }, fixes: string[]): CompareReport {
  const platforms = original.platforms.map((p) => {
    const q = fixed.platforms.find((x) => x.platform === p.platform);
    const a = outputs.original[p.platform];
    const b = outputs.fixed[p.platform];
    return {
      platform: p.platform,
      files: a && b ? compareFiles(a, b) : null,
      speedup: p.durationMs && q?.durationMs ? p.durationMs / q.durationMs : null,
    };
  });
  const ok = original.ok && fixed.ok && platforms.every((p) => p.files?.same === true);
  return { original, fixed, fixes, platforms, speedup: original.wallMs > 0 && fixed.wallMs > 0 ? original.wallMs / fixed.wallMs : null, ok };
}

export function seconds(ms: number | null): string {
  return ms === null ? '?' : `${(ms / 1000).toFixed(1)}s`;
}

export function formatVerifyText(report: VerifyReport): string {
  const lines: string[] = [];
  lines.push(`${report.dockerfile}: built with ${report.driver}; builder platform ${report.buildPlatform}; ${seconds(report.wallMs)} in all`);
  const width = Math.max(...report.platforms.map((p) => p.platform.length));
  for (const p of report.platforms) {
    const status = p.ok ? 'ok  ' : 'FAIL';
    const elf = p.elfFiles === 1 ? '1 ELF file' : `${p.elfFiles} ELF files`;
    lines.push(`  ${status} ${p.platform.padEnd(width)}  ${seconds(p.durationMs).padStart(7)}  ${p.files} files, ${elf}`);
    if (p.error) for (const l of p.error.split('\n')) lines.push(`         ${l}`);
    for (const m of p.mismatches) lines.push(`         wrong architecture: ${m.path} is ${m.found}, ${p.platform} needs ${m.expected}`);
    if (p.unchecked) lines.push(`         ${p.unchecked}`);
    for (const s of p.emulatedSteps) {
      const where = [s.line !== null ? `line ${s.line}` : null, s.stage ? `stage ${s.stage}` : null].filter(Boolean).join(', ');
      const time = s.cached ? 'cached' : s.durationMs !== null ? seconds(s.durationMs) : null;
      lines.push(`         emulated: ${s.instruction}  (${[where, time, s.source === 'log' ? 'per the build log' : 'per the build model'].filter(Boolean).join('; ')})`);
    }
  }
  const failed = report.platforms.filter((p) => !p.ok).map((p) => p.platform);
  lines.push(failed.length === 0 ? `every platform passed` : `failed: ${failed.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function formatCompareText(report: CompareReport): string {
  const lines: string[] = [];
  lines.push('original:');
  lines.push(...formatVerifyText(report.original).trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push(`fixed (${report.fixes.length > 0 ? report.fixes.join(', ') : 'given Dockerfile'}):`);
  lines.push(...formatVerifyText(report.fixed).trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push('comparison:');
  for (const p of report.platforms) {
    const f = p.files;
    const speed = p.speedup !== null ? `${p.speedup.toFixed(1)}× faster` : 'speedup unknown';
    if (!f) lines.push(`  ${p.platform}: not compared (a build failed)`);
    else if (f.same) lines.push(`  ${p.platform}: same files${f.elfContentDiffers.length ? ` (${f.elfContentDiffers.length} ELF files differ in bytes, same machine)` : ''}; ${speed}`);
    else {
      lines.push(`  ${p.platform}: DIFFERENT files; ${speed}`);
      for (const x of f.onlyInFirst.slice(0, 20)) lines.push(`    only in the original: ${x}`);
      for (const x of f.onlyInSecond.slice(0, 20)) lines.push(`    only in the fixed: ${x}`);
      for (const x of f.differ.slice(0, 20)) lines.push(`    ${x.path}: ${x.why}`);
    }
  }
  const speedup = report.speedup !== null ? `${report.speedup.toFixed(1)}× (${seconds(report.original.wallMs)} → ${seconds(report.fixed.wallMs)})` : 'unknown';
  lines.push(`speedup of the fix: ${speedup}`);
  lines.push(report.ok ? 'the fixed Dockerfile builds the same files for every platform' : 'the comparison FAILED');
  return lines.join('\n') + '\n';
}
