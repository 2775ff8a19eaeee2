/** The build model as plain data: the stable `explain-build --format json` shape. */
import { positionAt } from './document';
import { flowOf, trace } from './flow';
import type { Model, Resolution, Stage } from './model';

export interface ExplainedCommand {
  name: string | null;
  kind: string;
  toolchain?: string;
  line: number;
  /** The build-context script whose commands make this command a build. */
  script?: string;
  /** Environment assignments given to the command (`GOARCH=$TARGETARCH go build`). */
  env?: Record<string, string>;
  nested?: boolean;
}

export interface ExplainedStage {
  index: number;
  name: string | null;
  line: number;
  base: { kind: string; image?: string; stage?: number; text?: string; candidates?: number[] };
  platform: string;
  platformText: string | null;
  platformFor: Record<string, string | null>;
  reachable: boolean;
  reachableFor: string[];
  emulatedOn: string[];
  args: Record<string, Record<string, string | null>>;
  unresolved: { name: string; line: number; column: number; reason: string }[];
  runs: { line: number; form: string; emulatedOn: string[]; commands: ExplainedCommand[] }[];
  /** Files in and out of the stage, from the file-flow model (core/flow.ts). */
  flows: ExplainedFlow[];
}

/**
 * `product`: a path a RUN writes (`explicit`: named by the command, else the tool's default);
 * `copy` / `mount`: paths taken from a stage or image and where they land;
 * `exec`: what a RUN executes (a path, or a name on PATH);
 * `ships`: a product that reaches a target-platform stage of the build, and as what.
 */
export type ExplainedFlow =
  | { kind: 'product'; line: number; command: string | null; path: string; explicit: boolean }
  | { kind: 'copy' | 'mount'; line: number; from: string; fromStage: number | null; sources: string[]; dest: string }
  | { kind: 'exec'; line: number; command: string; path: string | null }
  | { kind: 'ships'; line: number; path: string; toStage: number; as: string };

export interface ExplainedBuild {
  file: string;
  buildPlatform: string;
  targetPlatforms: string[];
  outputStage: number;
  errors: { message: string; line: number; column: number }[];
  stages: ExplainedStage[];
  summary: { emulatedRunSteps: Record<string, number> };
}

export const REASON_TEXT: Record<string, string> = {
  'not-declared-in-stage': 'not declared in the stage (add ARG after FROM)',
  'declared-only-globally': 'declared only globally (before the first FROM); re-declare it with ARG inside the stage',
  'not-declared-globally': 'not declared in the global scope (no ARG before the first FROM)',
  shadowed: 'shadowed by a default, which replaces the value BuildKit sets per platform',
};

export function unresolvedReason(resolution: Resolution): string | null {
  if (resolution.status === 'unresolved') return resolution.reason;
  if (resolution.status === 'shadowed') return 'shadowed';
  return null;
}

export function explainBuild(model: Model, file: string): ExplainedBuild {
  const stages = model.stages.map((stage) => explainStage(model, stage));
  const emulatedRunSteps: Record<string, number> = {};
  for (const target of model.targetPlatforms) {
    emulatedRunSteps[target] = model.stages.filter((s) => s.emulatedOn.includes(target)).reduce((n, s) => n + s.runs.length, 0);
  }
  return {
    file,
    buildPlatform: model.buildPlatform,
    targetPlatforms: model.targetPlatforms,
    outputStage: model.outputStage,
    errors: model.errors.map((e) => ({ message: e.message, line: e.range.start.line + 1, column: e.range.start.character + 1 })),
    stages,
    summary: { emulatedRunSteps },
  };
}

function explainStage(model: Model, stage: Stage): ExplainedStage {
  const base = stage.base;
  return {
    index: stage.index,
    name: stage.name,
    line: stage.line + 1,
    base: { ...base },
    platform: stage.platform.kind,
    platformText: stage.platformFlag?.text ?? null,
    platformFor: stage.platformFor,
    reachable: stage.reachable,
    reachableFor: stage.reachableFor,
    emulatedOn: stage.emulatedOn,
    args: stage.argValues,
    unresolved: model.variableUses
      .filter((u) => u.stage === stage.index && u.resolution.status !== 'resolved')
      .map((u) => ({ name: u.name, line: u.range.start.line + 1, column: u.range.start.character + 1, reason: unresolvedReason(u.resolution)! })),
    runs: stage.runs.map((run) => ({
      line: run.line + 1,
      form: run.form,
      emulatedOn: stage.emulatedOn,
      commands: run.commands.map((c) => {
        const command: ExplainedCommand = { name: c.name, kind: c.kind, line: positionAt(model.source, c.start).line + 1 };
        if (c.toolchain) command.toolchain = c.toolchain;
        if (c.script) command.script = c.script;
        if (c.assignments.length > 0) command.env = Object.fromEntries(c.assignments.map((a) => [a.name, a.value]));
        if (c.depth > 0) command.nested = true;
        return command;
      }),
    })),
    flows: explainFlows(model, stage),
  };
}

function explainFlows(model: Model, stage: Stage): ExplainedFlow[] {
  const flow = flowOf(model)[stage.index];
  const lineOf = (offset: number) => positionAt(model.source, offset).line + 1;
  const out: ExplainedFlow[] = [];
  for (const intake of flow.intakes) {
    const edge = intake.edge;
    out.push({ kind: edge.kind === 'mount' ? 'mount' : 'copy', line: edge.range.start.line + 1, from: edge.ref, fromStage: edge.stage, sources: intake.sources, dest: intake.dest });
  }
  for (const product of flow.products) {
    const line = product.run.line + 1;
    out.push({ kind: 'product', line, command: (product.via ?? product.command).name, path: product.path, explicit: product.explicit });
    const shipped = trace(model, stage, product.path).find((l) => l.stage.platform.kind !== stage.platform.kind && l.stage.platform.kind !== 'builder');
    if (stage.platform.kind === 'builder' && shipped) out.push({ kind: 'ships', line, path: product.path, toStage: shipped.stage.index, as: shipped.path });
  }
  for (const execution of flow.executions) {
    if (execution.path !== null) out.push({ kind: 'exec', line: lineOf(execution.command.start), command: execution.name, path: execution.path });
  }
  return out.sort((a, b) => a.line - b.line);
}
