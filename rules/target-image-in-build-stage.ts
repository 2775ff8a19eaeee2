import { lineText, offsetAt } from '../core/document';
import { executes, flowOf, landing, trace, type Execution, type Intake } from '../core/flow';
import { keyword } from './utils/edits';
import type { Edge, Model, Stage } from '../core/model';
import { platformKind } from '../core/model';
import { defineRule, type Edit, type Fix } from '../core/rule';

export default defineRule({
  meta: {
    id: 'target-image-in-build-stage',
    severity: 'error',
    description: 'Copy tools into a `$BUILDPLATFORM` stage from a stage pinned to `$BUILDPLATFORM`, not from an image',
    fixes: ['unsafe', 'display-only'],
    messages: {
      copy:
        '"--from={{image}}" in a $BUILDPLATFORM stage: BuildKit pulls {{image}} for the target platform, so "{{tool}}", ' +
        'run on line {{line}}, is the target\'s build and fails (or runs emulated) on the build platform ({{buildPlatform}})',
      mount:
        '"from={{image}}" in a $BUILDPLATFORM stage: BuildKit mounts {{image}} for the target platform, so "{{tool}}", ' +
        'run on line {{line}}, is the target\'s build and fails (or runs emulated) on the build platform ({{buildPlatform}})',
    },
    docs: {
      what:
        'A `COPY --from=<image>` or `RUN --mount=from=<image>` that names an image (not a stage) inside a stage the build ' +
        'reaches and that runs on `$BUILDPLATFORM` (directly or through `FROM <stage>`), when a `RUN` on the build platform ' +
        'then executes something it brought in: a copied path, or a name the copy put on `PATH` — in that stage, in a ' +
        'stage built FROM it, or in another `$BUILDPLATFORM` stage the files are copied on to.',
      leftAlone:
        'Files that are only copied on or shipped: the output stage ships the target\'s files, which is right (a pinned output stage is `final-stage-on-buildplatform`\'s finding); a mounted SDK or sysroot read by a cross compiler; stages the build does not reach; Windows stages; `tonistiigi/xx`, whose helpers are shell scripts, the same on every platform.',
      why:
        'BuildKit resolves an image named in `--from` for the **target** platform, even inside a `$BUILDPLATFORM` stage. ' +
        'A compiler, linter or helper copied or mounted from it is the arm64 build when building for arm64, and the ' +
        'amd64 build stage fails with `exec format error` (or, under QEMU, silently runs emulated). Name the image in its ' +
        'own `FROM --platform=$BUILDPLATFORM <image> AS <name>` stage and copy from that stage: that is how ' +
        '`tonistiigi/xx` is meant to be used, even though its scripts happen to be the same on every platform.',
      bad:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'COPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/\n' +
        'WORKDIR /src\nCOPY . .\nRUN golangci-lint run\n',
      good:
        'FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS lint-tools\n\n' +
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'COPY --from=lint-tools /usr/bin/golangci-lint /usr/bin/\n' +
        'WORKDIR /src\nCOPY . .\nRUN golangci-lint run\n',
      fixSafety:
        'Unsafe when an earlier stage is already `FROM --platform=$BUILDPLATFORM <the same image> AS <name>` with nothing ' +
        'else in it: `--from` then names that stage, which changes the architecture of what is copied (the point, but ' +
        'the files differ); display-only for `RUN --mount=from=`, since `--fix` does not rewrite `--mount` flags. ' +
        'Otherwise display-only: the fix adds a `FROM --platform=$BUILDPLATFORM <image> AS <name>` ' +
        'stage above this one, and `--fix` never applies a fix that changes the number of stages (it would shift ' +
        '`--from=<index>` references and `--target` names).',
      references: [
        'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
        'https://github.com/tonistiigi/xx#usage',
      ],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!stage.reachable || stage.platform.kind !== 'builder' || stage.windows) continue;
      if (!stage.edges.some((e) => e.stage === null && e.kind !== 'from')) continue;
      for (const intake of flowOf(model)[stage.index].intakes) {
        const edge = intake.edge;
        if (edge.stage !== null) continue;
        const image = edge.ref;
        if (!image || image.includes('$') || image.toLowerCase() === 'scratch' || ARCH_NEUTRAL_IMAGE.test(image)) continue;
        const run = executedFrom(model, stage, intake);
        if (!run) continue;
        const span = refSpan(model, edge);
        if (!span) continue;
        report({
          messageId: edge.kind,
          data: { image, buildPlatform: model.buildPlatform, tool: run.execution.path ?? run.execution.name, line: run.stage.line === stage.line ? run.execution.run.line + 1 : `${run.execution.run.line + 1} (stage ${stageLabel(run.stage)})` },
          start: span.start,
          end: span.end,
          fix: fixFor(model, stage, image, span, edge.kind === 'mount'),
        });
      }
    }
  },
});

/** tonistiigi/xx holds only shell scripts: the same files for every platform. */
const ARCH_NEUTRAL_IMAGE = /^(docker\.io\/)?tonistiigi\/xx(:|@|$)/;

function stageLabel(stage: Stage): string {
  return stage.name ? `"${stage.name}"` : String(stage.index);
}

/**
 * The first RUN on the build platform that executes a file this intake brought in: in the same
 * RUN for a mount; later in the stage, or in a $BUILDPLATFORM stage the files flow to, for a copy.
 * Files that are only copied on (or shipped) are never run here, whatever their architecture.
 */
function executedFrom(model: Model, stage: Stage, intake: Intake): { stage: Stage; execution: Execution } | null {
  const flow = flowOf(model);
  const landed = intake.sources.map((source) => landing(source, source, intake.dest));
  const instructionStart = (e: Execution) => e.run.instruction.getRange().start.line;
  const copyLine = intake.edge.instruction.getRange().start.line;
  if (intake.edge.kind === 'mount') {
    const execution = flow[stage.index].executions.find((e) => e.run.instruction === intake.edge.instruction && landed.some((p) => executes(e, p, flow[stage.index].pathDirs)));
    return execution ? { stage, execution } : null;
  }
  const own = flow[stage.index].executions.find((e) => instructionStart(e) > copyLine && landed.some((p) => executes(e, p, flow[stage.index].pathDirs)));
  if (own) return { stage, execution: own };
  for (const path of landed) {
    for (const reached of trace(model, stage, path)) {
      if (reached.stage.platform.kind !== 'builder' || reached.stage.windows) continue;
      const execution = flow[reached.stage.index].executions.find((e) => executes(e, reached.path, flow[reached.stage.index].pathDirs));
      if (execution) return { stage: reached.stage, execution };
    }
  }
  return null;
}

/** The offsets of the image reference: the `--from` value, or the `from=` value inside `--mount`. */
function refSpan(model: Model, edge: Edge): { start: number; end: number } | null {
  const start = offsetAt(model.source, edge.range.start);
  const end = offsetAt(model.source, edge.range.end);
  if (edge.kind === 'copy') return { start, end };
  const raw = model.source.text.slice(start, end);
  const m = /(^|,)\s*from=([^,]*)/i.exec(raw);
  if (!m) return null;
  const valueStart = start + m.index + m[0].length - m[2].length;
  const value = m[2].trimEnd();
  return { start: valueStart, end: valueStart + value.length };
}

/** `inMount`: the edit lands inside a `--mount` flag, which `--fix` never rewrites: display-only. */
function fixFor(model: Model, stage: Stage, image: string, span: { start: number; end: number }, inMount: boolean): Fix {
  const alias = model.stages.find(
    (s) =>
      s.index < stage.index &&
      s.name !== null &&
      s.instructions.length === 0 &&
      s.base.kind === 'image' &&
      s.base.image === image &&
      s.platformFlag !== null &&
      platformKind(s.platformFlag.text, model.escapeChar).kind === 'builder',
  );
  if (alias) {
    const title = `${inMount ? 'Mount' : 'Copy'} from stage "${alias.name}" (${image} on $BUILDPLATFORM)`;
    return { title, safety: inMount ? 'display-only' : 'unsafe', edits: [{ start: span.start, end: span.end, text: alias.name! }] };
  }
  const name = stageName(model, image);
  const at = insertionPoint(model, stage);
  const eol = model.source.eol;
  const line = `${keyword(model, 'FROM')} --platform=$BUILDPLATFORM ${image} ${keyword(model, 'AS')} ${name}`;
  const edits: Edit[] = [
    { start: at, end: at, text: line + eol + eol },
    { start: span.start, end: span.end, text: name },
  ];
  return { title: `Add a stage "${name}" (${image} on $BUILDPLATFORM) and ${inMount ? 'mount' : 'copy'} from it`, safety: 'display-only', edits };
}

/** `tonistiigi/xx:1.4` → `xx`; `golang:1.22@sha256:...` → `golang`, made unique among the stage names. */
function stageName(model: Model, image: string): string {
  const path = image.split('@')[0];
  const last = path.slice(path.lastIndexOf('/') + 1).split(':')[0].toLowerCase();
  const base = last.replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'tools';
  const taken = new Set(model.stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The start of the stage's FROM line, above the comments attached to it (they stay with their stage). */
function insertionPoint(model: Model, stage: Stage): number {
  const directives = new Set(model.directives.map((d) => d.line));
  let line = stage.line;
  // The last line of the instruction before the FROM (a loop: spreading every instruction into Math.max overflows the stack).
  let floor = -1;
  for (const instruction of model.ast.getInstructions()) {
    const end = instruction.getRange().end.line;
    if (end < stage.line && end > floor) floor = end;
  }
  while (line - 1 > floor && !directives.has(line - 1) && /^[ \t]*#/.test(lineText(model.source, line - 1))) line--;
  return model.source.lineStarts[line];
}
