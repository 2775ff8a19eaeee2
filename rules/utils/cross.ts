/**
 * Cross-compilation facts about build commands, shared by the rules that move builds between
 * platforms: is a command told which platform to build for, is cgo off for it, what a stage's
 * product flows into. Pure reads of the model.
 */
import type { CommandFacts, Model, RunStep, Stage } from '../../core/model';

/** `$TARGETARCH`, `${TARGETPLATFORM}`, ... in a word. */
const TARGET_REFERENCE = /\$\{?TARGET(PLATFORM|OS|ARCH|VARIANT)\b/;
/** A cross compiler named after its target triple: `aarch64-linux-gnu-gcc`, `x86_64-w64-mingw32-g++`, `arm-linux-gnueabihf-gcc-12`. */
const TRIPLE_COMPILER = /^[a-z0-9_]+(-[a-z0-9_]+){1,3}-(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(-\d+)?$/;

/** The stage and the stages it is built FROM, nearest first (DESIGN §1: a child inherits args and env). */
export function stageLineage(model: Model, stage: Stage): Stage[] {
  const out: Stage[] = [];
  const seen = new Set<number>();
  let current: Stage | undefined = stage;
  while (current && !seen.has(current.index)) {
    out.push(current);
    seen.add(current.index);
    current = current.base.kind === 'stage' ? model.stages[current.base.stage] : undefined;
  }
  return out;
}

/** The subcommand of a tool (`go build` → `build`): its first argument that is not a flag. */
export function subcommand(command: CommandFacts): string | undefined {
  return command.words.slice(1).find((w) => !w.value.startsWith('-'))?.value;
}

/** `go build`, `dotnet publish`, `npm run build`: the command as a reader would name it. */
export function commandLabel(command: CommandFacts): string {
  const args = command.words.slice(1).map((w) => w.value).filter((v) => !v.startsWith('-'));
  const parts = [command.name ?? ''];
  if (args[0] !== undefined && command.kind === 'build' && command.toolchain !== 'c' && !/[/=$]/.test(args[0])) {
    parts.push(args[0]);
    if ((args[0] === 'run' || args[0] === 'run-script') && args[1] !== undefined) parts.push(args[1]);
  }
  return parts.join(' ');
}

/** Whether a name is set for a command: as its own prefix, earlier in the same RUN, or by ARG/ENV before the RUN. */
export function nameIsSet(run: RunStep, command: CommandFacts, name: string): boolean {
  return command.assignments.some((a) => a.name === name) || run.script.assigned.has(name) || run.inScope.has(name);
}

/**
 * How a build command is told the platform to build for, or null when it is not:
 * GOARCH (assignments, ARG/ENV, `go env -w`), `-a`/`--arch`/`-r`/`--runtime` for dotnet,
 * `--target` for cargo, a `*-linux-gnu-gcc` compiler, CC/CXX, `--host` for configure or any
 * `$TARGET*` handed to a C build, an `xx-*` helper in the same RUN. A wiring whose value is wrong
 * or undeclared (`GOARCH=$TARGETARCH` with no `ARG TARGETARCH`) still counts: other rules report it.
 */
export function targetWiring(model: Model, stage: Stage, run: RunStep, command: CommandFacts): string | null {
  const words = command.words.slice(1).map((w) => w.value);
  if (run.commands.some((c) => c.kind === 'cross-helper')) return 'xx helper';
  const lineage = stageLineage(model, stage);
  const everyCommand = lineage.flatMap((s) => s.runs.flatMap((r) => r.commands));
  switch (command.toolchain) {
    case 'go': {
      // GOOS alone (`GOOS=linux go build`) still builds for the builder's architecture.
      if (nameIsSet(run, command, 'GOARCH')) return 'GOARCH';
      const goEnvWrite = everyCommand.some((c) => c.name === 'go' && c.words[1]?.value === 'env' && c.words.some((w) => w.value.startsWith('GOARCH=')));
      if (goEnvWrite) return 'go env -w';
      if (everyCommand.some((c) => c.name === 'xx-go' && c.words.some((w) => w.value === '--wrap'))) return 'xx-go --wrap';
      return null;
    }
    case 'dotnet': {
      const flag = words.find((w) => /^(-a|--arch|-r|--runtime)$/.test(w) || /^(--arch|--runtime)[=:]/.test(w) || /^[-/]p(roperty)?:RuntimeIdentifiers?=/i.test(w));
      return flag ?? (nameIsSet(run, command, 'RuntimeIdentifier') ? 'RuntimeIdentifier' : null);
    }
    case 'rust': {
      const flag = words.find((w) => w === '--target' || w.startsWith('--target='));
      return flag ?? (nameIsSet(run, command, 'CARGO_BUILD_TARGET') ? 'CARGO_BUILD_TARGET' : null);
    }
    case 'c': {
      // One wired step wires the rest of the build (`./configure --host=...` then `make`).
      const cCommands = lineage.flatMap((s) => s.runs.map((r) => ({ r, cs: r.commands.filter((c) => c.toolchain === 'c') })));
      for (const { r, cs } of cCommands) {
        for (const c of cs) {
          const wiring = cWiring(r, c);
          if (wiring) return wiring;
        }
      }
      return null;
    }
    default:
      return null;
  }
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

/**
 * Whether cgo is explicitly off for a Go command: `CGO_ENABLED=0` as its prefix, exported or
 * assigned earlier in the same RUN, or an ARG/ENV of the stage (or a stage it is built FROM)
 * set to 0 before the RUN for every target.
 */
export function cgoDisabled(stage: Stage, run: RunStep, command: CommandFacts): boolean {
  const own = command.assignments.find((a) => a.name === 'CGO_ENABLED');
  if (own) return own.value === '0';
  for (const earlier of run.commands) {
    if (earlier.start >= command.start) break;
    if (earlier.depth !== command.depth) continue;
    const bare = earlier.name === null ? earlier.assignments.find((a) => a.name === 'CGO_ENABLED') : undefined;
    const exported = earlier.name === 'export' ? earlier.words.find((w) => w.value.startsWith('CGO_ENABLED=')) : undefined;
    if (bare) return bare.value === '0';
    if (exported) return exported.value === 'CGO_ENABLED=0';
  }
  if (!run.inScope.has('CGO_ENABLED')) return false;
  const values = stage.envValues.CGO_ENABLED ?? stage.argValues.CGO_ENABLED;
  return values !== undefined && Object.values(values).length > 0 && Object.values(values).every((v) => v === '0');
}

/** `go build` / `go install`: the Go commands that produce binaries. */
export function isGoCompile(command: CommandFacts): boolean {
  const sub = subcommand(command);
  return command.toolchain === 'go' && (sub === 'build' || sub === 'install');
}

/** A package install of libraries or a native toolchain (`libssl-dev`, `musl-dev`, `build-base`) that a build links against. */
export function installsBuildLibraries(command: CommandFacts): boolean {
  if (command.kind !== 'install') return false;
  return command.words
    .slice(2)
    .map((w) => w.value)
    .filter((v) => !v.startsWith('-'))
    .some((pkg) => /^lib|-(dev|devel|static)(:\w+)?$|^(build-base|build-essential|gcc|g\+\+|clang|musl-dev|glibc-devel)$/.test(pkg));
}

/** The target platforms with an arm variant (`linux/arm/v7`), which need GOARM. */
export function needsGoarm(model: Model): boolean {
  return model.targetPlatforms.some((p) => /^[^/]+\/arm\/v\d/.test(p));
}

/** The SDK version of a .NET image tag (`sdk:8.0-noble`, `dotnet/core/sdk:3.1`), or null. */
function dotnetSdkVersion(image: string): { major: number; minor: number; patch: number | null } | null {
  const m = /\bsdk:(\d+)\.(\d+)(?:\.(\d+))?/.exec(image);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: m[3] !== undefined ? Number(m[3]) : null } : null;
}

/**
 * How safe `-a $TARGETARCH` is for these dotnet commands of a stage. The option exists from the
 * .NET 6 SDK, and `-a amd64` (the TARGETARCH of x64) is accepted from SDK 7.0.300: safe from
 * there, display-only before, unsafe when the image tag does not tell. NativeAOT (on the command
 * line, an `-aot` SDK image, or `PublishAot` in a project file of the build context) links with
 * the target's native toolchain: never safe.
 */
export function dotnetCrossCompile(model: Model, stage: Stage, commands: CommandFacts[]): { safety: 'safe' | 'unsafe' | 'display-only'; reason: string | null; aot: boolean } {
  const image = stageLineage(model, stage).map((s) => (s.base.kind === 'image' ? s.base.image : '')).find((i) => i !== '') ?? '';
  const aot = commands.some((c) => c.words.some((w) => /PublishAot=true/i.test(w.value))) || /-aot\b/i.test(image) || (model.context.dotnetProjects ?? []).some((p) => p.publishAot);
  if (aot) return { safety: 'display-only', reason: 'NativeAOT links with the target\'s native toolchain (a cross linker and sysroot)', aot };
  const sdk = dotnetSdkVersion(image);
  if (!sdk) return { safety: 'unsafe', reason: 'the SDK version is not in the image tag: -a needs the .NET 6 SDK, and -a amd64 SDK 7.0.300 or later', aot };
  if (sdk.major < 6) return { safety: 'display-only', reason: `the .NET ${sdk.major}.${sdk.minor} SDK has no -a option: use -r linux-x64 / linux-arm64 per target, or upgrade the SDK`, aot };
  if (sdk.major < 7 || (sdk.major === 7 && sdk.minor === 0 && (sdk.patch === null || sdk.patch < 300))) {
    return { safety: 'display-only', reason: `the .NET ${sdk.major}.${sdk.minor} SDK does not accept -a amd64 (SDK 7.0.300 or later does)`, aot };
  }
  return { safety: 'safe', reason: null, aot };
}
