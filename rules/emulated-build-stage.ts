import { offsetAt } from '../core/document';
import {
  cgoDisabled,
  commandLabel,
  consumersByStage,
  installsBuildLibraries,
  isGoCompile,
  nameIsSet,
  needsGoarm,
  subcommand,
  type Consumer,
} from './utils/cross';
import { appendToCommand, declareArgsBeforeInstruction, setCommandEnv, setFromPlatform } from './utils/edits';
import type { CommandFacts, Model, RunStep, Stage } from '../core/model';
import { defineRule, type Edit, type FixSafety, type Report } from '../core/rule';

type Level = FixSafety | 'none';
const RANK: Record<Level, number> = { none: 0, 'display-only': 1, unsafe: 2, safe: 3 };

const TOOLCHAIN_NAMES: Record<string, string> = { go: 'Go', dotnet: '.NET', java: 'Java', node: 'Node', rust: 'Rust', c: 'C/C++', python: 'Python' };

/** Directories (and files) a JS build writes its arch-neutral bundle to. */
const BUNDLE_DIRS = new Set(['dist', 'build', 'out', 'public', 'static', 'storybook-static', 'www', 'html', '_site', 'assets']);
const BUNDLE_FILE = /\.(m?js|cjs|css|html?|map|wasm|json|svg|txt|ico|png|jpe?g|webp|woff2?)$/i;
/** Node commands that install dependencies (and build their native addons) rather than bundle. */
const NODE_INSTALL = /^(ci|install|i|add|rebuild)$/;

interface Build {
  run: RunStep;
  command: CommandFacts;
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
      copiedModules:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the bundle is arch-neutral, but "{{source}}" copied from it may hold node_modules with native addons',
      crossToolchain: 'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; {{toolchain}} builds on $BUILDPLATFORM only with a cross toolchain ({{hint}})',
      nativeWheels:
        'Stage {{stage}} runs "{{command}}" emulated on {{targets}}; the emulation is needed: Python packages with native extensions are built for the platform pip runs on',
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
        'Display-only for Rust and C/C++ (needs tonistiigi/xx or a cross compiler), .NET NativeAOT and exec-form RUNs. ' +
        'No fix for Python wheels, `node_modules`, jlink or native-image: they must be built on the platform they run on.',
      references: [
        'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
        'https://github.com/tonistiigi/xx',
      ],
    },
  },
  check({ model, report }) {
    const consumers = consumersByStage(model);
    for (const stage of model.stages) {
      if (!stage.reachable || stage.index === model.outputStage) continue;
      if (stage.platform.kind !== 'target' || stage.emulatedOn.length === 0) continue;
      const builds: Build[] = stage.runs.flatMap((run) => run.commands.filter((c) => c.kind === 'build').map((command) => ({ run, command })));
      const takenBy = consumers[stage.index];
      if (builds.length === 0 || takenBy.length === 0) continue;
      checkStage(model, stage, builds, takenBy, report);
    }
  },
});

function checkStage(model: Model, stage: Stage, builds: Build[], takenBy: Consumer[], report: (r: Report) => void): void {
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
  reasons.push(...blockers(model, stage, builds, takenBy));
  if (level === 'safe' && reasons.length > 0) level = 'unsafe';

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
  // A FROM <stage> runs on its parent's platform: a --platform flag there would do nothing.
  const movable = stage.base.kind === 'image' || (stage.base.kind === 'variable' && stage.base.candidates.length === 0);
  if (level === 'none' || !movable) {
    report({ messageId: decisive.messageId, data, start, end });
    return;
  }
  const edits: Edit[] = [setFromPlatform(model, stage, '$BUILDPLATFORM')];
  const argsFor = plans.flatMap((p) => p.argsFor).sort((a, b) => a.command.start - b.command.start);
  const names = [...new Set(plans.flatMap((p) => p.args))];
  if (argsFor.length > 0 && names.length > 0) {
    const first = argsFor[0].run;
    const missing = names.filter((n) => !first.inScope.has(n));
    if (missing.length > 0) edits.push(declareArgsBeforeInstruction(model, stage, missing, first.instruction));
  }
  for (const plan of plans) edits.push(...plan.edits);
  const title = reasons.length > 0 ? `${decisive.title} (${[...new Set(reasons)].join('; ')})` : decisive.title;
  report({ messageId: decisive.messageId, data, start, end, fix: { title, safety: level, edits } });
}

function planFor(model: Model, stage: Stage, toolchain: string, list: Build[], takenBy: Consumer[]): Plan | null {
  const last = list[list.length - 1];
  const base = { toolchain, command: last.command, reasons: [] as string[], edits: [] as Edit[], args: [] as string[], argsFor: [] as Build[] };
  const execForm = list.some((b) => b.run.form === 'exec');
  switch (toolchain) {
    case 'go': {
      const compiles = list.filter((b) => isGoCompile(b.command));
      const plan: Plan = { ...base, level: 'safe', messageId: 'crossCompile', title: 'Cross-compile on $BUILDPLATFORM with GOOS/GOARCH' };
      if (compiles.length === 0) {
        plan.reasons.push('"go test" would then run on the builder\'s platform');
        plan.level = 'unsafe';
        return plan;
      }
      plan.command = compiles[compiles.length - 1].command;
      if (execForm) return { ...plan, level: 'display-only', title: 'Cross-compile on $BUILDPLATFORM with GOOS/GOARCH (use a shell-form RUN to read $TARGETARCH)' };
      const env: [string, string, string][] = [
        ['GOOS', '$TARGETOS', 'TARGETOS'],
        ['GOARCH', '$TARGETARCH', 'TARGETARCH'],
      ];
      if (needsGoarm(model)) env.push(['GOARM', '${TARGETVARIANT#v}', 'TARGETVARIANT']);
      for (const build of compiles) {
        const { run, command } = build;
        const missing = env.filter(([name]) => !nameIsSet(run, command, name));
        if (missing.length > 0) plan.edits.push(...setCommandEnv(command, missing.map(([name, value]) => [name, value])));
        plan.args.push(...missing.map(([, , arg]) => arg));
        if (missing.length > 0) plan.argsFor.push(build);
        if (!cgoDisabled(stage, run, command)) plan.level = 'unsafe';
      }
      if (plan.level === 'unsafe') plan.reasons.push('cgo is not explicitly off: cross-compiling disables it');
      return plan;
    }
    case 'dotnet': {
      const aot = list.find((b) => b.command.words.some((w) => /PublishAot=true/i.test(w.value)));
      if (aot) {
        return {
          ...base,
          command: aot.command,
          level: 'display-only',
          messageId: 'crossToolchain',
          data: { hint: 'NativeAOT links with the target\'s native toolchain' },
          title: 'Publish NativeAOT on $BUILDPLATFORM with a cross linker for the target',
        };
      }
      const plan: Plan = { ...base, level: 'safe', messageId: 'crossCompile', title: 'Cross-compile on $BUILDPLATFORM with -a $TARGETARCH' };
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
    case 'java': {
      const native = stage.runs.flatMap((r) => r.commands).find((c) => c.name === 'jlink' || c.name === 'jpackage' || c.name === 'native-image');
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
      const sources = takenBy.flatMap((c) => c.edge.sources);
      const modules = sources.find((p) => segments(p).includes('node_modules'));
      if (modules !== undefined || bundles.length === 0) {
        const command = (installs[0] ?? last).command;
        return { ...base, command, level: 'none', messageId: 'nativeModules', data: { source: modules ?? sources[0] ?? '/' }, title: '' };
      }
      const command = bundles[bundles.length - 1].command;
      const unknown = sources.find((p) => !isBundlePath(p));
      if (unknown !== undefined) {
        return {
          ...base,
          command,
          level: 'unsafe',
          messageId: 'copiedModules',
          data: { source: unknown },
          title: 'Bundle on $BUILDPLATFORM',
          reasons: [`"${unknown}" may hold node_modules built for the builder`],
        };
      }
      return { ...base, command, level: 'safe', messageId: 'archNeutral', title: 'Bundle on $BUILDPLATFORM' };
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
    case 'python':
      return { ...base, level: 'none', messageId: 'nativeWheels', title: '' };
    default:
      return null;
  }
}

/** Why moving the stage could change what it produces, whatever the toolchain. */
function blockers(model: Model, stage: Stage, builds: Build[], takenBy: Consumer[]): string[] {
  const reasons: string[] = [];
  const children = takenBy.filter((c) => c.edge.kind === 'from');
  for (const child of children) {
    reasons.push(`stage ${child.stage.name ? `"${child.stage.name}"` : child.stage.index} is built FROM it and would move too`);
  }
  const commands = stage.runs.flatMap((r) => r.commands);
  const probe = commands.find((c) => c.kind === 'probe');
  if (probe) reasons.push(`"${probe.words.map((w) => w.value).join(' ')}" would report the builder's architecture`);
  const install = commands.find(installsBuildLibraries);
  if (install) reasons.push(`"${install.name} ${subcommand(install)}" installs libraries for the target`);
  const wired = builds.map((b) => b.command);
  const targetUse = model.variableUses.find(
    (u) => u.stage === stage.index && /^TARGET(PLATFORM|OS|ARCH|VARIANT)$/.test(u.name) && !wired.some((c) => u.start >= c.start && u.end <= c.end),
  );
  if (targetUse) reasons.push(`$${targetUse.name} is also read outside the build commands`);
  return reasons;
}

function isNodeInstall(command: CommandFacts): boolean {
  const sub = subcommand(command);
  if (command.name === 'yarn' && sub === undefined) return true;
  return ['npm', 'yarn', 'pnpm', 'bun'].includes(command.name ?? '') && sub !== undefined && NODE_INSTALL.test(sub);
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
  return parts.length > 0 && BUNDLE_FILE.test(parts[parts.length - 1]);
}
