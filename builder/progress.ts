/**
 * BuildKit progress logs → steps. Reads `--progress=plain` text and `--progress=rawjson` lines
 * (buildx), and tells which RUN steps ran emulated. Pure: lines in, steps out.
 */
import { normalizePlatform } from '../core/platform';

export interface Step {
  /** The plain log's `#N`, or the vertex digest. */
  id: string;
  /** The vertex name as BuildKit prints it: `[linux/arm64 build 3/5] RUN go build`. */
  name: string;
  startedMs: number | null;
  completedMs: number | null;
  /** Seconds the log reports (`#5 DONE 12.3s`), when it has no timestamps. */
  seconds: number | null;
  cached: boolean;
  error: string | null;
}

/** A step name taken apart. */
export interface StepName {
  /** The platform the step runs on, when the log says (multi-platform builds only). */
  platform: string | null;
  /** The target platform of a cross-compiling step: `[linux/amd64->arm64 ...]`. */
  crossTo: string | null;
  stage: string | null;
  /** `3/5`. */
  index: number | null;
  count: number | null;
  /** `RUN go build`. */
  instruction: string;
}

const STEP_NAME = /^\[(?:(\S+?\/\S+?)(?:->(\S+))?\s+)?(?:(\S+)\s+)?(\d+)\/(\d+)\]\s+(.*)$/s;

export function parseStepName(name: string): StepName | null {
  const m = STEP_NAME.exec(name.trim());
  if (!m) return null;
  const [, platform, cross, stage, index, count, instruction] = m;
  let crossTo: string | null = null;
  if (platform && cross) {
    // `linux/amd64->arm64`: the arch (and variant) of the target, same OS unless spelled out.
    const spelledOut = /^(linux|windows|darwin|freebsd|netbsd|openbsd|solaris|illumos|wasip1|js)\//.test(cross);
    crossTo = normalizePlatform(spelledOut ? cross : `${platform.split('/')[0]}/${cross}`);
  }
  return {
    platform: platform ? normalizePlatform(platform) : null,
    crossTo,
    stage: stage ?? null,
    index: Number(index),
    count: Number(count),
    instruction: instruction.trim(),
  };
}

/** The time BuildKit reports for a step (`DONE 12.3s`), else the span of its timestamps. */
export function durationMs(step: Step): number | null {
  if (step.seconds !== null) return Math.round(step.seconds * 1000);
  if (step.startedMs !== null && step.completedMs !== null) return Math.max(0, step.completedMs - step.startedMs);
  return null;
}

/** Incremental reader of `--progress=plain` output; feed it lines, read `steps` at any time. */
export class PlainProgressReader {
  private readonly byId = new Map<string, Step>();
  /** Lines of each step's output, for error messages (bounded). */
  readonly output = new Map<string, string[]>();

  get steps(): Step[] {
    return [...this.byId.values()];
  }

  /** Returns the step the line changed, if any. */
  feed(line: string, nowMs: number): Step | null {
    const m = /^#(\d+)\s+(.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) return null;
    const [, id, rest] = m;
    let step = this.byId.get(id);
    if (!step) {
      if (rest.startsWith('sha256:') || /^\d+(\.\d+)?\s/.test(rest)) return null;
      step = { id, name: rest.trim(), startedMs: nowMs, completedMs: null, seconds: null, cached: false, error: null };
      this.byId.set(id, step);
      return step;
    }
    const done = /^DONE\s+([\d.]+)s\s*$/.exec(rest);
    if (done) {
      step.seconds = Number(done[1]);
      step.completedMs = nowMs;
      return step;
    }
    if (/^CACHED\s*$/.test(rest)) {
      step.cached = true;
      step.completedMs = nowMs;
      return step;
    }
    const error = /^ERROR:?\s*(.*)$/.exec(rest);
    if (error) {
      step.error = error[1] || 'failed';
      step.completedMs = nowMs;
      return step;
    }
    // `#5 1.234 output line` (BuildKit ≥0.9) or `#5 output line`.
    const text = rest.replace(/^\d+\.\d+\s/, '');
    if (!text.startsWith('sha256:')) {
      const lines = this.output.get(id) ?? [];
      lines.push(text);
      if (lines.length > 200) lines.shift();
      this.output.set(id, lines);
    }
    return null;
  }
}

interface RawVertex {
  digest?: string;
  Digest?: string;
  name?: string;
  Name?: string;
  started?: string;
  Started?: string;
  completed?: string;
  Completed?: string;
  cached?: boolean;
  Cached?: boolean;
  error?: string;
  Error?: string;
}

/** Incremental reader of `--progress=rawjson` output (one SolveStatus per line). */
export class RawJsonProgressReader {
  private readonly byId = new Map<string, Step>();

  get steps(): Step[] {
    return [...this.byId.values()];
  }

  /** Returns the steps the line changed; lines that are not JSON are ignored. */
  feed(line: string): Step[] {
    let status: { vertexes?: RawVertex[]; Vertexes?: RawVertex[] };
    try {
      status = JSON.parse(line);
    } catch {
      return [];
    }
    const changed: Step[] = [];
    for (const v of status?.vertexes ?? status?.Vertexes ?? []) {
      const id = v.digest ?? v.Digest;
      if (!id) continue;
      let step = this.byId.get(id);
      if (!step) {
        step = { id, name: '', startedMs: null, completedMs: null, seconds: null, cached: false, error: null };
        this.byId.set(id, step);
      }
      const name = v.name ?? v.Name;
      const started = v.started ?? v.Started;
      const completed = v.completed ?? v.Completed;
      const error = v.error ?? v.Error;
      if (name) step.name = name;
      if (started) step.startedMs = Date.parse(started);
      if (completed) step.completedMs = Date.parse(completed);
      if (v.cached ?? v.Cached) step.cached = true;
      if (error) step.error = error;
      changed.push(step);
    }
    return changed;
  }
}

export interface RunStepReport {
  /** The target platform whose build ran the step. */
  target: string;
  /** Where the step ran: the builder's platform, or the emulated one. */
  platform: string;
  stage: string | null;
  instruction: string;
  emulated: boolean;
  /** Cross-compiling: a builder-platform step of a foreign target (`linux/amd64->arm64`). */
  cross: boolean;
  cached: boolean;
  durationMs: number | null;
}

/**
 * RUN steps of a multi-platform log, each with where it ran. Only such logs name the platform;
 * steps without one are returned with `platform` set to the target when there is just one target
 * (the caller decides emulation from the model then).
 */
export function runSteps(steps: Step[], buildPlatform: string, targets: string[]): RunStepReport[] {
  const out: RunStepReport[] = [];
  const build = normalizePlatform(buildPlatform);
  for (const step of steps) {
    const name = parseStepName(step.name);
    if (!name || !/^RUN\b/i.test(name.instruction)) continue;
    let target: string | null;
    let platform: string | null;
    if (name.platform) {
      platform = name.platform;
      target = name.crossTo ?? name.platform;
    } else if (targets.length === 1) {
      platform = null;
      target = normalizePlatform(targets[0]);
    } else continue;
    const emulated = platform !== null && platform !== build;
    out.push({
      target,
      platform: platform ?? target,
      stage: name.stage,
      instruction: name.instruction,
      emulated,
      cross: name.crossTo !== null && name.crossTo !== platform,
      cached: step.cached,
      durationMs: durationMs(step),
    });
  }
  return out;
}

/** Busy time per target platform in a multi-platform log: first start to last completion of its steps. */
export function platformSpans(steps: Step[], targets: string[]): Record<string, number | null> {
  const spans: Record<string, [number, number] | undefined> = {};
  for (const step of steps) {
    const name = parseStepName(step.name);
    if (!name?.platform || step.startedMs === null || step.completedMs === null) continue;
    const target = name.crossTo ?? name.platform;
    const span = spans[target];
    spans[target] = span ? [Math.min(span[0], step.startedMs), Math.max(span[1], step.completedMs)] : [step.startedMs, step.completedMs];
  }
  const out: Record<string, number | null> = {};
  for (const t of targets.map(normalizePlatform)) out[t] = spans[t] ? spans[t]![1] - spans[t]![0] : null;
  return out;
}
