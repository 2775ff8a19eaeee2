/**
 * Cross-compilation wiring: how a build command is told the platform to build for. Facts of the
 * model, computed once per model on first use: per stage over its lineage (the stage and the
 * stages it is built FROM), per RUN over its commands. Asking for one command is then constant
 * work beyond its own words (issue 11: the rules used to re-collect every command of the lineage
 * for each command, and again for every other command of the RUN, cubic in the commands).
 */
import type { CommandFacts, Model, RunStep, Stage } from './model-types';
import { derivedFact } from './derived';

/** `$TARGETARCH`, `${TARGETPLATFORM}`, ... in a word. */
export const TARGET_REFERENCE = /\$\{?TARGET(PLATFORM|OS|ARCH|VARIANT)\b/;
/** A cross compiler named after its target triple: `aarch64-linux-gnu-gcc`, `x86_64-w64-mingw32-g++`, `arm-linux-gnueabihf-gcc-12`. */
const TRIPLE_COMPILER = /^[a-z0-9_]+(-[a-z0-9_]+){1,3}-(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(-\d+)?$/;

/** Whether a name is set for a command: as its own prefix, earlier in the same RUN, or by ARG/ENV before the RUN. */
export function nameIsSet(run: RunStep, command: CommandFacts, name: string): boolean {
  return command.assignments.some((a) => a.name === name) || run.script.assigned.has(name) || run.inScope.has(name);
}

/** What wires the builds of a whole lineage: a `go env -w GOARCH=`, an `xx-go --wrap`, a wired C step. */
interface LineageWiring {
  goEnvWrite: boolean;
  xxGoWrap: boolean;
  /** The first C wiring in lineage order (nearest stage first, its RUNs in order), or null. */
  c: string | null;
}

/** What a RUN holds: an `xx-*` helper, and how many of its build commands are wired, per toolchain. */
interface RunWiring {
  crossHelper: boolean;
  /** Counted on first use (it needs the lineage facts). */
  wiredBuilds: Map<string | undefined, number> | null;
}

/**
 * How a build command is told the platform to build for, or null when it is not:
 * GOARCH (assignments, ARG/ENV, `go env -w`), `-a`/`--arch`/`-r`/`--runtime` for dotnet,
 * `--target` for cargo, a `*-linux-gnu-gcc` compiler, CC/CXX, `--host` for configure or any
 * `$TARGET*` handed to a C build, an `xx-*` helper in the same RUN. A wiring whose value is wrong
 * or undeclared (`GOARCH=$TARGETARCH` with no `ARG TARGETARCH`) still counts: other rules report it.
 */
export function targetWiring(model: Model, stage: Stage, run: RunStep, command: CommandFacts): string | null {
  if (runWiring(run).crossHelper) return 'xx helper';
  const lineage = lineageWiring(model)[stage.index];
  switch (command.toolchain) {
    case 'go':
      // GOOS alone (`GOOS=linux go build`) still builds for the builder's architecture.
      if (nameIsSet(run, command, 'GOARCH')) return 'GOARCH';
      if (lineage.goEnvWrite) return 'go env -w';
      if (lineage.xxGoWrap) return 'xx-go --wrap';
      return null;
    case 'dotnet': {
      const words = command.words.slice(1).map((w) => w.value);
      const flag = words.find((w) => /^(-a|--arch|-r|--runtime)$/.test(w) || /^(--arch|--runtime)[=:]/.test(w) || /^[-/]p(roperty)?:RuntimeIdentifiers?=/i.test(w));
      return flag ?? (nameIsSet(run, command, 'RuntimeIdentifier') ? 'RuntimeIdentifier' : null);
    }
    case 'rust': {
      const flag = command.words.slice(1).find((w) => w.value === '--target' || w.value.startsWith('--target='));
      return flag?.value ?? (nameIsSet(run, command, 'CARGO_BUILD_TARGET') ? 'CARGO_BUILD_TARGET' : null);
    }
    case 'c':
      // One wired step wires the rest of the build (`./configure --host=...` then `make`).
      return lineage.c;
    default:
      return null;
  }
}

/** How many build commands of this toolchain in the RUN are told the target (`command` itself included when it is). */
export function wiredBuildsInRun(model: Model, stage: Stage, run: RunStep, toolchain: string | undefined): number {
  const facts = runWiring(run);
  if (!facts.wiredBuilds) {
    const counts = (facts.wiredBuilds = new Map());
    for (const c of run.commands) {
      if (c.kind === 'build' && targetWiring(model, stage, run, c) !== null) counts.set(c.toolchain, (counts.get(c.toolchain) ?? 0) + 1);
    }
  }
  return facts.wiredBuilds.get(toolchain) ?? 0;
}

const runWiring = derivedFact('run wiring', (run: RunStep): RunWiring => ({ crossHelper: run.commands.some((c) => c.kind === 'cross-helper'), wiredBuilds: null }));

/** Each stage's own wiring, combined with its parents' once: linear in stages and commands. */
const lineageWiring = derivedFact('lineage wiring', (model: Model): LineageWiring[] => {
  const own = model.stages.map(ownWiring);
  const all: (LineageWiring | undefined)[] = new Array(model.stages.length);
  const parentOf = (stage: Stage): Stage | undefined => (stage.base.kind === 'stage' ? model.stages[stage.base.stage] : undefined);
  for (const stage of model.stages) {
    if (all[stage.index]) continue;
    // Walk up to a stage already combined, an image, or back onto the path (a cycle, a model error).
    const path: Stage[] = [];
    const onPath = new Set<number>();
    let current: Stage | undefined = stage;
    while (current && !all[current.index] && !onPath.has(current.index)) {
      path.push(current);
      onPath.add(current.index);
      current = parentOf(current);
    }
    let tail: LineageWiring = current && all[current.index] ? all[current.index]! : { goEnvWrite: false, xxGoWrap: false, c: null };
    if (current && !all[current.index]) {
      // A cycle back to `current`: the last stage of the path continues with the cycle from `current` on.
      for (let i = path.length - 2; i >= path.indexOf(current); i--) tail = combine(own[path[i].index], tail);
    }
    for (let i = path.length - 1; i >= 0; i--) all[path[i].index] = tail = combine(own[path[i].index], tail);
  }
  return all as LineageWiring[];
});

function combine(near: LineageWiring, far: LineageWiring): LineageWiring {
  return { goEnvWrite: near.goEnvWrite || far.goEnvWrite, xxGoWrap: near.xxGoWrap || far.xxGoWrap, c: near.c ?? far.c };
}

function ownWiring(stage: Stage): LineageWiring {
  const facts: LineageWiring = { goEnvWrite: false, xxGoWrap: false, c: null };
  for (const run of stage.runs) {
    for (const c of run.commands) {
      if (c.name === 'go' && c.words[1]?.value === 'env' && c.words.some((w) => w.value.startsWith('GOARCH='))) facts.goEnvWrite = true;
      if (c.name === 'xx-go' && c.words.some((w) => w.value === '--wrap')) facts.xxGoWrap = true;
      if (facts.c === null && c.toolchain === 'c') facts.c = cWiring(run, c);
    }
  }
  return facts;
}

function cWiring(run: RunStep, command: CommandFacts): string | null {
  if (command.name && TRIPLE_COMPILER.test(command.name)) return command.name;
  const words = command.words.slice(1).map((w) => w.value);
  // A build script handed the target (`make ARCH=$TARGETARCH`, `cmake -DARCH=$TARGETARCH`).
  if (words.some((w) => TARGET_REFERENCE.test(w)) || command.assignments.some((a) => TARGET_REFERENCE.test(a.value))) return '$TARGET* argument';
  const flag = words.find(
    (w) =>
      /^--(host|target|cross-file)(=|$)/.test(w) ||
      w === '-target' ||
      /^(CC|CXX|CROSS_COMPILE|ARCH|TARGET)=/.test(w) ||
      /^-DCMAKE_(TOOLCHAIN_FILE|C_COMPILER|CXX_COMPILER|SYSTEM_PROCESSOR)\b/.test(w) ||
      TRIPLE_COMPILER.test(w.replace(/^.*=/, '')),
  );
  if (flag) return flag;
  for (const name of ['CC', 'CXX', 'CROSS_COMPILE']) if (nameIsSet(run, command, name)) return name;
  return null;
}
