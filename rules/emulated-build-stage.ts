import { offsetAt } from '../core/document';
import { childrenOf, flowOf, intakesByStage, overlaps, productsOfCommand, type Product, type Taken } from '../core/flow';
import {
  cgoDisabled,
  commandLabel,
  installsBuildLibraries,
  isGoCompile,
  nameIsSet,
  dotnetCrossCompile,
  needsGoarm,
  stageLineage,
  subcommand,
} from './utils/cross';
import { appendToCommand, declareArgsBeforeInstruction, setCommandEnv, setFromPlatform } from './utils/edits';
import { append, type CommandFacts, type Model, type RunStep, type Stage } from '../core/model';
import { defineRule, type Edit, type FixSafety, type Report } from '../core/rule';

type Level = FixSafety | 'none';
const RANK: Record<Level, number> = { none: 0, 'display-only': 1, unsafe: 2, safe: 3 };

const TOOLCHAIN_NAMES: Record<string, string> = { go: 'Go', dotnet: '.NET', java: 'Java', node: 'Node', rust: 'Rust', c: 'C/C++', python: 'Python', haskell: 'Haskell' };

/** Directories (and files) a JS build writes its arch-neutral bundle to. */
const BUNDLE_DIRS = new Set(['dist', 'build', 'out', 'public', 'static', 'storybook-static', 'www', 'html', '_site', 'assets']);
/** Files that are the same on every platform: bundles, WebAssembly, configuration, text. */
const ARCH_NEUTRAL_FILE = /\.(m?js|cjs|css|html?|map|wasm|json|svg|txt|ico|png|jpe?g|gif|webp|woff2?|conf|ya?ml|toml|ini|xml|md|env|sh|jar|war)$/i;
/** Node commands that install dependencies (and build their native addons) rather than bundle. */
const NODE_INSTALL = /^(ci|install|i|add|rebuild)$/;

interface Build {
  run: RunStep;
  command: CommandFacts;
  /** The stage of the RUN: the flagged stage, a stage built FROM it, or (for setup such as npm ci) one it is built FROM. */
  stage: Stage;
}

/** What moving the stage to $BUILDPLATFORM means for one toolchain. */
interface Plan {
  level: Level;
  messageId: string;
  command: CommandFacts;
  toolchain: string;
  data?: Record<string, string>;
  title: string;
  /** Why the fix is not safe. */
  reasons: string[];
  /** Edits besides the --platform flag and the ARG line; `args` must be declared before the first of `argsFor`. */
  edits: Edit[];
  args: string[];
  argsFor: Build[];
}

export default defineRule({
  meta: {
    id: 'emulated-build-stage',
    severity: 'warning',
    description: 'Build on $BUILDPLATFORM what the toolchain can build for the target without emulation',
    fixes: ['safe', 'unsafe', 'display-only'],
    messages: {
      crossCompile: 'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; {{toolchain}} cross-compiles: build on $BUILDPLATFORM for the target instead',
      archNeutral: 'Stage {{stage}} runs "{{command}}" emulated on {{targets}}, but its {{toolchain}} output is arch-neutral: build it on $BUILDPLATFORM',
      copiedUnknown:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the bundle is arch-neutral, but xlint cannot tell what "{{source}}" copied from it holds',
      copiedOutput:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}, but only {{source}} is copied from it, not the packages it installed: build it on $BUILDPLATFORM',
      crossToolchain: 'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; {{toolchain}} builds on $BUILDPLATFORM only with a cross toolchain ({{hint}})',
      nativeWheels:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the emulation is needed: "{{source}}" copied from it holds Python packages, whose native extensions are built for the platform pip runs on',
      nativeModules:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the emulation is needed: "{{source}}" copied from it holds node_modules whose native addons are built for the platform the package manager runs on',
      nativeJava: 'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the emulation is needed: "{{tool}}" produces native code for the platform it runs on',
    },
    docs: {
      what:
        'A stage on the target platform (no `--platform`, or `--platform=$TARGETPLATFORM`) that runs build work — compilers, ' +
        'bundlers, package builds — whose product another stage copies, mounts or builds FROM, in a build where that stage runs ' +
        'emulated for at least one target. The message names the toolchain and the platforms it emulates on, and says when ' +
        'emulation is in fact needed (native Python wheels, `node_modules` with native addons).',
      leftAlone:
        'Stages in the output\'s `FROM` chain (they are the image: their `RUN`s run on the target by necessity); stages the build does not reach; Windows stages (QEMU does not run Windows containers: they need a Windows builder); stages whose work stays in them (nothing they make is copied or mounted elsewhere); set-up steps alone (`npm ci`, `pip install --upgrade pip`) when the work is done in a stage built FROM them, where the one finding of the chain goes. "Emulation is needed" (native Python packages, `node_modules`, jlink) is information, not a warning. A project script a `RUN` executes (`./install-runc`, `sh hack/build.sh`) is read from the build context by the CLI and counts as build work only when it plainly compiles (`make`, `go build`, `cargo build`...); a script the CLI cannot read (the editor, stdin without a context, a binary, one that only calls other scripts) is opaque, and is not guessed at.',
      why:
        'On an amd64 builder every `RUN` of a `linux/arm64` stage runs under QEMU, 8–17× slower than native for compilers ' +
        '(a Go build: 148 s emulated, 17.5 s cross-compiled). Go and .NET cross-compile by themselves, and Java jars and JS ' +
        'bundles do not depend on the architecture at all, so the stage can run on the builder (`FROM --platform=$BUILDPLATFORM`) ' +
        'and hand the target to the compiler (`GOOS=$TARGETOS GOARCH=$TARGETARCH`, `-a $TARGETARCH`). Rust and C need a cross ' +
        'toolchain (tonistiigi/xx or a `<triple>-gcc`); native Python wheels and `node_modules` must be built where they run.',
      bad: [
        'FROM golang:1.22 AS build',
        'WORKDIR /src',
        'COPY . .',
        'RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app',
        '',
        'FROM gcr.io/distroless/static-debian12',
        'COPY --from=build /out/app /app',
      ].join('\n'),
      good: [
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'WORKDIR /src',
        'COPY . .',
        'ARG TARGETOS TARGETARCH',
        'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app',
        '',
        'FROM gcr.io/distroless/static-debian12',
        'COPY --from=build /out/app /app',
      ].join('\n'),
      fixSafety:
        'The fix adds `--platform=$BUILDPLATFORM` to the FROM, declares the target args right before the first RUN that needs ' +
        'them (the layers above stay shared by every platform) and wires the compiler. Safe for Go when cgo is explicitly off ' +
        '(`CGO_ENABLED=0` on the command, earlier in the RUN, or as ARG/ENV), for .NET (`-a $TARGETARCH` on `dotnet restore`, ' +
        '`build` and `publish`), for Maven/Gradle jars, and for JS bundles when only bundle paths (`dist/`, `build/`, `out/`) ' +
        'are copied out. Unsafe when cgo may be on (cross-compiling disables it), when another stage is built FROM this one ' +
        '(it would move too), when the stage probes its architecture (`uname -m`, `dpkg --print-architecture`), installs ' +
        'libraries the build links against, reads `$TARGETARCH` elsewhere, or when copied paths may hold `node_modules`. ' +
        'Display-only for Rust and C/C++ (needs tonistiigi/xx or a cross compiler), .NET NativeAOT, exec-form RUNs and builds inside a project script (how it is told the target is not in the Dockerfile). ' +
        'No fix for Python wheels, `node_modules`, jlink or native-image: they must be built on the platform they run on.',
      references: [
        'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
        'https://github.com/tonistiigi/xx',
      ],
    },
  },
  check({ model, report }) {
    const qualifies = (s: Stage) => s.reachable && !s.inOutputChain && !s.windows && s.platform.kind === 'target' && s.emulatedOn.length > 0;
    // Most files have no emulated stage that builds: they never pay for the flow model.
    if (!model.stages.some((s) => qualifies(s) && s.runs.some((r) => r.commands.some((c) => c.kind === 'build')))) return;
    const taken = intakesByStage(model);
    const children = childrenOf(model);
    // Work: builds other than setting up (npm ci, pip install of pip itself), unless what the setup made is copied out directly.
    const works = (s: Stage) => s.runs.some((r) => r.commands.some((c) => c.kind === 'build' && (!isSetup(c) || taken[s.index].length > 0)));
    for (const stage of model.stages) {
      if (!qualifies(stage) || !works(stage)) continue;
      // One finding per FROM chain, on the first stage that does the work; the stages built FROM it are part of it.
      const ancestors = stageLineage(model, stage).slice(1);
      if (ancestors.some((a) => qualifies(a) && works(a))) continue;
      const group = descendantsOf(stage, children).filter(qualifies);
      const inGroup = new Set(group.map((s) => s.index));
      const takenBy = group.flatMap((s) => taken[s.index]).filter((t) => !inGroup.has(t.consumer.index));
      if (takenBy.length === 0) continue;
      const builds: Build[] = [...ancestors.reverse(), ...group].flatMap((s) =>
        s.runs.flatMap((run) => run.commands.filter((c) => c.kind === 'build').map((command) => ({ run, command, stage: s }))),
      );
      checkStage(model, stage, group, builds, takenBy, report);
    }
  },
});

/** The stage and every reachable stage built FROM it, transitively. */
function descendantsOf(stage: Stage, children: Stage[][]): Stage[] {
  const out = [stage];
  const seen = new Set([stage.index]);
  for (let i = 0; i < out.length; i++) {
    for (const child of children[out[i].index]) if (!seen.has(child.index)) seen.add(child.index), out.push(child);
  }
  return out;
}

/** Installing what a build needs rather than building: `npm ci`, `pip install --upgrade pip setuptools wheel`, `dotnet restore`. */
function isSetup(command: CommandFacts): boolean {
  if (isNodeInstall(command)) return true;
  if (command.toolchain === 'dotnet') return subcommand(command) === 'restore';
  if (command.toolchain !== 'python') return false;
  const packages = command.words.slice(2).map((w) => w.value).filter((v) => !v.startsWith('-') && v !== 'install');
  return packages.length > 0 && packages.every((p) => /^(pip|setuptools|wheel|virtualenv|poetry|uv|pipenv|build)([<>=~!].*)?$/i.test(p));
}

function checkStage(model: Model, stage: Stage, group: Stage[], builds: Build[], takenBy: Taken[], report: (r: Report) => void): void {
  const byToolchain = new Map<string, Build[]>();
  for (const build of builds) {
    const key = build.command.toolchain ?? 'other';
    if (!byToolchain.has(key)) byToolchain.set(key, []);
    byToolchain.get(key)!.push(build);
  }
  const plans: Plan[] = [];
  for (const [toolchain, list] of byToolchain) {
    const plan = planFor(model, stage, toolchain, list, takenBy);
    if (plan) plans.push(plan);
  }
  if (plans.length === 0) return;
  const decisive = plans.reduce((a, b) => (RANK[b.level] < RANK[a.level] ? b : a));
  let level = decisive.level;
  const reasons = plans.flatMap((p) => p.reasons);
  append(reasons, blockers(model, group, builds));
  if (level === 'safe' && reasons.length > 0) level = 'unsafe';
  // A build inside a project script: what the script is told is not in the Dockerfile.
  const scripted = builds.find((b) => b.command.script !== undefined);
  if (scripted && (level === 'safe' || level === 'unsafe')) {
    level = 'display-only';
    reasons.push(`xlint cannot tell how the script "${scripted.command.script}" is told the target`);
  }

  const flag = stage.platformFlag;
  const start = flag ? offsetAt(model.source, flag.range.start) : offsetAt(model.source, (stage.from.getImageRange() ?? stage.from.getRange()).start);
  const end = flag ? offsetAt(model.source, flag.range.end) : offsetAt(model.source, (stage.from.getImageRange() ?? stage.from.getRange()).end);
  const data = {
    stage: stage.name ? `"${stage.name}"` : String(stage.index),
    command: commandLabel(decisive.command),
    targets: stage.emulatedOn.join(', '),
    toolchain: TOOLCHAIN_NAMES[decisive.toolchain] ?? decisive.toolchain,
    ...decisive.data,
  };
  const severity = INFORMATION.has(decisive.messageId) ? ('info' as const) : undefined;
  // A FROM <stage> runs on its parent's platform: a --platform flag there would do nothing.
  if (level === 'none' || stage.base.kind !== 'image') {
    report({ messageId: decisive.messageId, data, start, end, severity });
    return;
  }
  const edits: Edit[] = [setFromPlatform(model, stage, '$BUILDPLATFORM')];
  const argsFor = plans.flatMap((p) => p.argsFor).sort((a, b) => a.command.start - b.command.start);
  const names = [...new Set(plans.flatMap((p) => p.args))];
  // Each stage of the chain declares the args before its own first wired RUN, unless a stage it is built FROM does (ARGs are inherited).
  const declared = new Set<string>();
  for (const member of group) {
    const first = argsFor.find((b) => b.stage === member)?.run;
    const missing = first ? names.filter((n) => !first.inScope.has(n) && !declared.has(n)) : [];
    if (first && missing.length > 0) edits.push(declareArgsBeforeInstruction(model, member, missing, first.instruction));
    for (const name of missing) declared.add(name);
  }
  // Item by item: a plan may hold an edit per compile (140,000 `go build`), too many for call arguments.
  for (const plan of plans) append(edits, plan.edits);
  const title = reasons.length > 0 ? `${decisive.title} (${[...new Set(reasons)].join('; ')})` : decisive.title;
  report({ messageId: decisive.messageId, data, start, end, severity, fix: { title, safety: level, edits } });
}

const TARGET_REFERENCE = /\$\{?TARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** Messages that say emulation is needed: information, not a warning (nothing to act on). */
const INFORMATION = new Set(['nativeWheels', 'nativeModules', 'nativeJava']);

function planFor(model: Model, stage: Stage, toolchain: string, list: Build[], takenBy: Taken[]): Plan | null {
  const last = list[list.length - 1];
  const base = { toolchain, command: last.command, reasons: [] as string[], edits: [] as Edit[], args: [] as string[], argsFor: [] as Build[] };
  const execForm = list.some((b) => b.run.form === 'exec');
  const sources = takenBy.flatMap((t) => t.intake.sources);
  const productsOfAll = (builds: Build[]) => builds.flatMap((b) => productsOf(model, b));
  switch (toolchain) {
    case 'go':
      return goPlan(model, list, sources, base, execForm);
    case 'dotnet':
      return dotnetPlan(model, stage, list, base, execForm);
    case 'java': {
      const native = list.map((b) => b.command).find((c) => c.name === 'jlink' || c.name === 'jpackage' || c.name === 'native-image') ??
        list.flatMap((b) => b.stage.runs.flatMap((r) => r.commands)).find((c) => c.name === 'jlink' || c.name === 'jpackage' || c.name === 'native-image');
      const nativeGoal = list.find((b) => b.command.words.some((w) => /^(-Pnative|native:compile|nativeCompile)$/.test(w.value)));
      if (native || nativeGoal) {
        const command = native ?? nativeGoal!.command;
        return { ...base, command, level: 'none', messageId: 'nativeJava', data: { tool: native ? native.name! : 'native-image' }, title: '' };
      }
      return { ...base, level: 'safe', messageId: 'archNeutral', title: 'Build the jar on $BUILDPLATFORM' };
    }
    case 'node': {
      const installs = list.filter((b) => isNodeInstall(b.command));
      const bundles = list.filter((b) => !isNodeInstall(b.command));
      // node_modules sit in each install's directory (or the global prefix): a copy of that directory takes them.
      const moduleDirs = productsOfAll(installs).map((p) => (p.path.endsWith('node_modules/') ? p.path : p.path + 'node_modules/'));
      const modules = sources.find((p) => segments(p).includes('node_modules') || (mayHoldDirectory(p) && moduleDirs.some((d) => overlaps(p, d))));
      if (modules !== undefined) {
        const command = (installs[0] ?? last).command;
        return { ...base, command, level: 'none', messageId: 'nativeModules', data: { source: modules }, title: '' };
      }
      if (bundles.length === 0) return null; // what is copied is not what npm installed
      const command = bundles[bundles.length - 1].command;
      const unknown = sources.find((p) => !isBundlePath(p));
      if (unknown !== undefined) {
        return {
          ...base,
          command,
          level: 'unsafe',
          messageId: 'copiedUnknown',
          data: { source: unknown },
          title: 'Bundle on $BUILDPLATFORM',
          reasons: [`xlint cannot tell whether "${unknown}" holds native code`],
        };
      }
      return { ...base, command, level: 'safe', messageId: 'archNeutral', title: 'Bundle on $BUILDPLATFORM' };
    }
    case 'python': {
      const installed = productsOfAll(list).map((p) => p.path);
      const packages = sources.find((p) => p === '/' || installed.some((d) => overlaps(p, d)));
      if (packages !== undefined || sources.length === 0) return { ...base, level: 'none', messageId: 'nativeWheels', data: { source: packages ?? '/' }, title: '' };
      // Only other files (a static site, generated docs) are copied: the packages were tools of the build.
      return {
        ...base,
        level: 'unsafe',
        messageId: 'copiedOutput',
        data: { source: sources.join(', ') },
        title: 'Build on $BUILDPLATFORM',
        reasons: [`xlint cannot tell whether ${sources.map((p) => `"${p}"`).join(', ')} holds native code`],
      };
    }
    case 'haskell': {
      if (sources.length > 0 && sources.every((p) => ARCH_NEUTRAL_FILE.test(p))) {
        return { ...base, level: 'unsafe', messageId: 'archNeutral', title: 'Build on $BUILDPLATFORM', reasons: ['xlint cannot tell whether the build runs target binaries'] };
      }
      return { ...base, level: 'none', messageId: 'crossToolchain', data: { hint: 'a GHC cross compiler for the target' }, title: '' };
    }
    case 'rust': {
      const plan: Plan = {
        ...base,
        level: 'display-only',
        messageId: 'crossToolchain',
        data: { hint: 'xx-cargo from tonistiigi/xx, or cargo --target with a linker for the target' },
        title: 'Build on $BUILDPLATFORM with xx-cargo (copy tonistiigi/xx into the stage; install target libraries with xx-apt-get)',
      };
      if (execForm) return plan;
      for (const build of list) {
        if (build.command.name !== 'cargo') continue;
        const word = build.command.words[0];
        plan.edits.push({ start: word.start, end: word.end, text: 'xx-cargo' });
        plan.args.push('TARGETPLATFORM');
        plan.argsFor.push(build);
      }
      return plan;
    }
    case 'c': {
      const plan: Plan = {
        ...base,
        level: 'display-only',
        messageId: 'crossToolchain',
        data: { hint: 'xx-clang from tonistiigi/xx, or a <triple>-gcc cross compiler' },
        title: 'Build on $BUILDPLATFORM with xx-clang or a cross compiler (copy tonistiigi/xx into the stage; install target libraries with xx-apt-get)',
      };
      plan.args.push('TARGETPLATFORM');
      plan.argsFor.push(list[0]);
      return plan;
    }
    default:
      return null;
  }
}

/** The paths a build command writes (also as copies in stages built FROM its stage), from the flow model. */
function productsOf(model: Model, build: Build): Product[] {
  return productsOfCommand(model, build.command).map((p) => p.product);
}

type PlanBase = Pick<Plan, 'toolchain' | 'command' | 'reasons' | 'edits' | 'args' | 'argsFor'>;

/**
 * Go: every compile whose file is copied out gets GOOS/GOARCH. Safe only when each of them is a
 * `go build`/`go test -c` (a cross-compiled `go install` refuses GOBIN and writes to
 * `$GOPATH/bin/<os>_<arch>/`), cgo is off, and no copied path is written by a command xlint cannot wire.
 */
function goPlan(model: Model, list: Build[], sources: string[], base: PlanBase, execForm: boolean): Plan {
  const plan: Plan = { ...base, level: 'safe', messageId: 'crossCompile', title: 'Cross-compile on $BUILDPLATFORM with GOOS/GOARCH' };
  const flow = flowOf(model);
  const copied = (build: Build) => productsOf(model, build).some((p) => sources.some((s) => overlaps(s, p.path)));
  const compiles = list.filter((b) => isGoCompile(b.command) || isTestBinary(b.command));
  const shipped = compiles.filter(copied);
  const wired = shipped.length > 0 ? shipped : compiles;
  if (wired.length === 0) {
    plan.command = last(list).command;
    plan.level = 'display-only';
    plan.reasons.push(`xlint cannot tell how "${commandLabel(plan.command)}" is told the target`);
    return plan;
  }
  plan.command = last(wired).command;
  if (execForm) return { ...plan, level: 'display-only', title: 'Cross-compile on $BUILDPLATFORM with GOOS/GOARCH (use a shell-form RUN to read $TARGETARCH)' };
  const install = wired.find((b) => subcommand(b.command) === 'install');
  if (install) {
    plan.level = 'display-only';
    plan.reasons.push('a cross-compiled "go install" refuses GOBIN and writes to $GOPATH/bin/<os>_<arch>/: use "go build -o"');
  }
  // Copied files that another command writes (`xk6 build --output`, `go run build.go`): wiring go would not change them.
  const groupStages = new Set(list.map((b) => b.stage.index));
  // Sets, not a scan of the builds per product: 140,000 `go build` in one RUN made this quadratic.
  const wiredCommands = new Set<unknown>(wired.map((b) => b.command));
  const compileCommands = new Set<unknown>(compiles.map((b) => b.command));
  const others = [...groupStages].flatMap((i) => flow[i].products).filter((p) => !wiredCommands.has(p.command) && p.explicit);
  // A command that already follows the target (`curl .../tool-$TARGETARCH`) keeps doing so on the builder.
  const followsTarget = (c: CommandFacts) => c.words.some((w) => TARGET_REFERENCE.test(w.value)) || c.assignments.some((a) => TARGET_REFERENCE.test(a.value));
  const foreign = others.find((p) => sources.some((s) => overlaps(s, p.path)) && !compileCommands.has(p.command) && !followsTarget(p.command as CommandFacts));
  if (foreign) {
    plan.command = foreign.command;
    plan.level = 'display-only';
    plan.reasons.push(`"${foreign.path}" is written by "${commandLabel(foreign.command as CommandFacts)}", which xlint cannot tell the target`);
  }
  const env: [string, string, string][] = [
    ['GOOS', '$TARGETOS', 'TARGETOS'],
    ['GOARCH', '$TARGETARCH', 'TARGETARCH'],
  ];
  if (needsGoarm(model)) env.push(['GOARM', '${TARGETVARIANT#v}', 'TARGETVARIANT']);
  for (const build of wired) {
    const { run, command } = build;
    const goarch = command.assignments.find((a) => a.name === 'GOARCH')?.value;
    if (goarch !== undefined && !/\$\{?TARGETARCH\b/.test(goarch)) {
      plan.level = 'display-only';
      plan.reasons.push(`"${commandLabel(command)}" is given GOARCH=${goarch}, not the target's $TARGETARCH`);
    }
    const missing = env.filter(([name]) => !nameIsSet(run, command, name));
    if (missing.length > 0) plan.edits.push(...setCommandEnv(command, missing.map(([name, value]) => [name, value])));
    plan.args.push(...missing.map(([, , arg]) => arg));
    if (missing.length > 0) plan.argsFor.push(build);
    if (!cgoDisabled(build.stage, run, command) && plan.level === 'safe') {
      plan.level = 'unsafe';
      plan.reasons.push('cgo is not explicitly off: cross-compiling disables it');
    }
  }
  return plan;
}

function last<T>(list: T[]): T {
  return list[list.length - 1];
}

/** `go test -c -o x`: a test binary, shipped like any other. */
function isTestBinary(command: CommandFacts): boolean {
  return command.toolchain === 'go' && subcommand(command) === 'test' && command.words.some((w) => w.value === '-c');
}

/** .NET: `-a $TARGETARCH` where the SDK takes it (rules/utils/cross.ts: dotnetCrossCompile); NativeAOT display-only. */
function dotnetPlan(model: Model, stage: Stage, list: Build[], base: PlanBase, execForm: boolean): Plan {
  const aot = list.find((b) => b.command.words.some((w) => /PublishAot=true/i.test(w.value)));
  const cross = dotnetCrossCompile(model, stage, list.map((b) => b.command));
  if (cross.aot) {
    return {
      ...base,
      command: (aot ?? list.find((b) => subcommand(b.command) === 'publish') ?? last(list)).command,
      level: 'display-only',
      messageId: 'crossToolchain',
      data: { hint: 'NativeAOT links with the target\'s native toolchain' },
      title: 'Publish NativeAOT on $BUILDPLATFORM with a cross linker for the target',
    };
  }
  const plan: Plan = { ...base, level: cross.safety, messageId: 'crossCompile', title: 'Cross-compile on $BUILDPLATFORM with -a $TARGETARCH' };
  if (cross.reason) plan.reasons.push(cross.reason);
  const publish = [...list].reverse().find((b) => subcommand(b.command) === 'publish');
  if (publish) plan.command = publish.command;
  if (execForm) return { ...plan, level: 'display-only', title: 'Cross-compile on $BUILDPLATFORM with -a $TARGETARCH (use a shell-form RUN to read $TARGETARCH)' };
  for (const build of list) {
    const words = build.command.words.map((w) => w.value);
    if (!['restore', 'build', 'publish'].includes(subcommand(build.command) ?? '')) continue;
    if (words.some((w) => /^(-a|--arch|-r|--runtime)$/.test(w) || /^(--arch|--runtime)[=:]/.test(w) || /RuntimeIdentifiers?=/i.test(w))) continue;
    plan.edits.push(appendToCommand(build.command, '-a $TARGETARCH'));
    plan.args.push('TARGETARCH');
    plan.argsFor.push(build);
  }
  return plan;
}

/** Why moving the stage (and the stages built FROM it) could change what they produce, whatever the toolchain. */
function blockers(model: Model, group: Stage[], builds: Build[]): string[] {
  const reasons: string[] = [];
  const inGroup = new Set(group.map((s) => s.index));
  // Their RUN steps move to the builder too: what they install or download would be the builder's.
  for (const child of group.slice(1)) {
    if (child.runs.length > 0) reasons.push(`stage ${child.name ? `"${child.name}"` : child.index} is built FROM it and would move too`);
  }
  const commands = group.flatMap((s) => s.runs.flatMap((r) => r.commands));
  const probe = commands.find((c) => c.kind === 'probe');
  if (probe) reasons.push(`"${probe.words.map((w) => w.value).join(' ')}" would report the builder's architecture`);
  const install = commands.find(installsBuildLibraries);
  if (install) reasons.push(`"${install.name} ${subcommand(install)}" installs libraries for the target`);
  const wired = spans(builds.map((b) => b.command));
  const targetUse = model.variableUses.find(
    (u) => u.stage !== null && inGroup.has(u.stage) && /^TARGET(PLATFORM|OS|ARCH|VARIANT)$/.test(u.name) && !within(wired, u.start, u.end),
  );
  if (targetUse) reasons.push(`$${targetUse.name} is also read outside the build commands`);
  return reasons;
}

/** The text the commands cover, as sorted disjoint spans (a nested command lies inside its outer one). */
function spans(commands: CommandFacts[]): [number, number][] {
  const sorted = commands.map((c): [number, number] => [c.start, c.end]).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span[0] < last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push(span);
  }
  return merged;
}

/** Whether [start, end) lies inside one of the spans: a binary search, not a scan per use. */
function within(spans: [number, number][], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][0] <= start) lo = mid + 1;
    else hi = mid;
  }
  const span = spans[lo - 1];
  return span !== undefined && end <= span[1];
}

function isNodeInstall(command: CommandFacts): boolean {
  const sub = subcommand(command);
  if (command.name === 'yarn' && sub === undefined) return true;
  return ['npm', 'yarn', 'pnpm', 'bun'].includes(command.name ?? '') && sub !== undefined && NODE_INSTALL.test(sub);
}

/** A path that may be a directory: not a file with a known arch-neutral extension. */
function mayHoldDirectory(path: string): boolean {
  return !ARCH_NEUTRAL_FILE.test(path);
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** `/app/dist`, `build/`, `/app/out/index.html`: the arch-neutral output of a JS build. */
function isBundlePath(path: string): boolean {
  const parts = segments(path.replace(/\*.*$/, ''));
  if (parts.includes('node_modules') || path.includes('.next/standalone')) return false;
  if (parts.some((p) => BUNDLE_DIRS.has(p))) return true;
  if (path.includes('.next/static')) return true;
  return parts.length > 0 && ARCH_NEUTRAL_FILE.test(parts[parts.length - 1]);
}
