import { offsetAt } from '../core/document';
import { childrenOf, flowOf, trace, type Product } from '../core/flow';
import { declareArgsBefore } from './utils/edits';
import type { Model, RunStep, Stage, VariableUse } from '../core/model';
import { isPlatformArg } from '../core/platform';
import { defineRule, type Fix } from '../core/rule';

/** Instructions whose `$VAR`s BuildKit expands at build time (RUN gets ARGs as environment variables). */
const EXPANDED = new Set(['ADD', 'ARG', 'COPY', 'ENV', 'EXPOSE', 'LABEL', 'RUN', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** xx reads TARGETPLATFORM (or TARGETARCH, or TARGETPAIR) from the environment; without them it targets `uname -m`. */
const XX_INPUTS = ['TARGETPLATFORM', 'TARGETARCH', 'TARGETPAIR'];

interface Finding {
  messageId: 'undeclared' | 'globalOnly' | 'xxHelper';
  data: Record<string, string>;
  start: number;
  end: number;
  /** The name the fix declares. */
  name: string;
}

export default defineRule({
  meta: {
    id: 'undeclared-platform-arg',
    severity: 'error',
    description: 'Declare `ARG TARGETARCH` (and the other platform args) in every stage that uses them',
    fixes: ['safe'],
    messages: {
      undeclared: '{{text}} is empty here: {{name}} is not declared in this stage, so BuildKit does not pass its automatic value (add ARG {{name}})',
      globalOnly: '{{text}} is empty here: the global ARG {{name}} is visible only in FROM lines until the stage declares ARG {{name}}',
      xxHelper:
        '{{command}} reads TARGETPLATFORM, which is not declared in this stage: xx falls back to the platform it runs on ({{platform}}) instead of the target',
    },
    docs: {
      what:
        'A stage that uses `$TARGETARCH`, `$TARGETOS`, `$TARGETPLATFORM`, `$BUILDPLATFORM` or another automatic platform arg ' +
        '(in a `RUN`, a heredoc, `ENV`, `COPY`, `WORKDIR`, `LABEL`...) without an `ARG` for it in scope; and a stage off the ' +
        'target platform (`$BUILDPLATFORM`, a constant) that runs an xx helper (`xx-go`, `xx-cargo`, `xx-apt-get`, ' +
        '`xx-verify`...) with neither `TARGETPLATFORM` nor `TARGETARCH` declared. `CMD`, `ENTRYPOINT` and `HEALTHCHECK` run in ' +
        'the container, where no `ARG` exists, and `COPY --from` is not expanded: those are not reported.',
      leftAlone:
        'xx helpers without `TARGETPLATFORM` whose product stays on the build platform (host tools, native test or bench stages built with `xx-clang` or `xx-go --wrap`): without it they build for the build platform, which is what those stages want; xx helpers in stages the build does not reach. Names the script sets itself, escaped and single-quoted ones.',
      why:
        'BuildKit defines the platform args in the global scope only: inside a stage they are empty until the stage (or a stage ' +
        'it is built `FROM`) declares `ARG NAME`. Nothing fails: `GOARCH=$TARGETARCH go build` receives an empty `GOARCH` and ' +
        'builds for the builder, so the arm64 image ships an amd64 binary (`exec format error` at run time). BuildKit\'s own ' +
        'checks skip shell-form `RUN`, so the build stays silent. xx helpers read `TARGETPLATFORM` from the environment and, ' +
        'without it, build for the machine they run on.',
      bad:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'WORKDIR /src\n' +
        'COPY . .\n' +
        'ARG TARGETOS\n' +
        'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM gcr.io/distroless/static-debian12\n' +
        'COPY --from=build /out/app /app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'WORKDIR /src\n' +
        'COPY . .\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM gcr.io/distroless/static-debian12\n' +
        'COPY --from=build /out/app /app',
      fixSafety:
        'Safe: the fix declares the missing names in one `ARG` line per stage — appended to an `ARG` of platform args that ' +
        'already comes before every use (so the layers above it stay shared by every platform), else on a new line right ' +
        'after the `FROM`. A declared platform arg without a default takes BuildKit\'s automatic value, which is what the ' +
        'stage was written to read; the only change is that an empty value becomes the right one. Every finding in a stage ' +
        'carries the same edit, so applying any of them fixes the whole stage. When a global `ARG` gives the name a default, ' +
        'the declaration brings that default in: `shadowed-platform-arg` reports and fixes the default itself. Because the ' +
        'edit is shared, a use silenced with `# xlint ignore` is declared along with the other uses of its stage.',
      references: [
        'https://docs.docker.com/build/building/variables/#pre-defined-build-arguments',
        'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
        'https://github.com/tonistiigi/xx',
      ],
    },
  },
  check({ model, report }) {
    const byStage = new Map<number, Finding[]>();
    const add = (stage: number, finding: Finding) => {
      const list = byStage.get(stage) ?? [];
      list.push(finding);
      byStage.set(stage, list);
    };

    for (const use of model.variableUses) {
      if (use.stage === null || !isPlatformArg(use.name) || use.resolution.status !== 'unresolved') continue;
      if (!EXPANDED.has(use.instruction.getKeyword()) || inFromFlag(model, use) || declaredEarlierInSameArg(model, use)) continue;
      add(use.stage, {
        messageId: use.resolution.reason === 'declared-only-globally' ? 'globalOnly' : 'undeclared',
        data: { text: model.source.text.slice(use.start, use.end), name: use.name },
        start: use.start,
        end: use.end,
        name: use.name,
      });
    }

    for (const stage of model.stages) {
      const offTarget = stage.reachable ? offTargetPlatform(model, stage) : null;
      if (offTarget === null) continue;
      for (const run of stage.runs) {
        if (XX_INPUTS.some((name) => run.inScope.has(name) || run.script.assigned.has(name))) continue;
        const helpers = run.commands.filter((c) => c.kind === 'cross-helper' && c.words.length > 0);
        // Without TARGETPLATFORM the helpers build for the build platform: right for host tools and native tests.
        if (helpers.length === 0 || !productReachesTarget(model, stage, run)) continue;
        for (const command of helpers) {
          const word = command.words[0];
          add(stage.index, {
            messageId: 'xxHelper',
            data: { command: word.value, platform: offTarget },
            start: word.start,
            end: word.end,
            name: 'TARGETPLATFORM',
          });
        }
      }
    }

    for (const [index, findings] of byStage) {
      const stage = model.stages[index];
      const names = [...new Set([...findings].sort((a, b) => a.start - b.start).map((f) => f.name))];
      const first = findings.reduce((min, f) => Math.min(min, startOfInstructionAt(model, f.start, stage)), Infinity);
      // One edit for the whole stage, carried by every finding: whichever is applied, the others are fixed with it.
      const fix: Fix = { title: `Add ARG ${names.join(' ')}`, safety: 'safe', edits: [declareArgsBefore(model, stage, names, first)] };
      for (const f of findings) report({ messageId: f.messageId, data: f.data, start: f.start, end: f.end, fix });
    }
  },
});

/** `COPY --from=$X` is not expanded (DESIGN §1): declaring the arg would not help. */
function inFromFlag(model: Model, use: VariableUse): boolean {
  const keyword = use.instruction.getKeyword();
  if (keyword !== 'COPY' && keyword !== 'ADD') return false;
  return model.stages[use.stage!].edges.some(
    (e) => e.kind === 'copy' && e.instruction === use.instruction && offsetAt(model.source, e.range.start) <= use.start && use.end <= offsetAt(model.source, e.range.end),
  );
}

/** `ARG TARGETARCH A=$TARGETARCH`: BuildKit declares the names of one ARG from left to right. */
function declaredEarlierInSameArg(model: Model, use: VariableUse): boolean {
  if (use.instruction.getKeyword() !== 'ARG') return false;
  return model.stages[use.stage!].args.some((a) => a.instruction === use.instruction && a.name === use.name && a.end <= use.start);
}

/** The start of the instruction holding an offset: the fix must land before it. */
function startOfInstructionAt(model: Model, offset: number, stage: Stage): number {
  for (const instruction of stage.instructions) {
    const { instructionStart, end } = model.argumentsOf.get(instruction)!;
    if (offset >= instructionStart && offset <= end) return instructionStart;
  }
  return offset;
}

/** A platform the stage runs on instead of the target (for some target), or null when it always runs on the target. */
/**
 * Whether a file this RUN builds reaches a target-platform stage of the build by path. A helper
 * that sets the stage up (`xx-go --wrap`, `xx-apk add`) answers for every later build of the stage
 * and of the stages built FROM it.
 */
function productReachesTarget(model: Model, stage: Stage, run: RunStep): boolean {
  const setup = run.commands.some((c) => c.kind === 'cross-helper' && !/^xx-(clang|cc|c\+\+|clang\+\+|cargo)$/.test(c.name ?? '') && !(c.name === 'xx-go' && c.words.some((w) => w.value === 'build')));
  const flow = flowOf(model);
  const later = (p: Product) => p.run === run || (setup && p.run.line >= run.line);
  const candidates: { holder: Stage; path: string }[] = [];
  for (const holder of [stage, ...childrenOf(model)[stage.index]]) {
    for (const product of flow[holder.index].products) if (holder !== stage ? setup : later(product)) candidates.push({ holder, path: product.path });
  }
  return candidates.some(({ holder, path }) =>
    trace(model, holder, path).some((l) => l.stage.platform.kind !== 'builder' && l.stage.reachableFor.some((t) => l.stage.platformFor[t] !== stage.platformFor[t])),
  );
}

function offTargetPlatform(model: Model, stage: Stage): string | null {
  for (const target of model.targetPlatforms) {
    const platform = stage.platformFor[target];
    if (platform && platform !== target) return platform;
  }
  if (stage.platform.kind === 'builder') return model.buildPlatform;
  return null;
}
