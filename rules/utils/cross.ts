/**
 * Cross-compilation facts about build commands, shared by the rules that move builds between
 * platforms: is a command told which platform to build for, is cgo off for it, what a stage's
 * product flows into. Pure reads of the model.
 */
import type { CommandFacts, Model, RunStep, Stage } from '../../core/model';
import { derivedFact } from '../../core/derived';
import { basename } from '../../core/shell';

// How a command is told the target is a fact of the model, computed once (core/wiring.ts).
export { nameIsSet, targetWiring, wiredBuildsInRun } from '../../core/wiring';

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
  if (command.script !== undefined) return basename(command.script);
  const args = command.words.slice(1).map((w) => w.value).filter((v) => !v.startsWith('-'));
  const parts = [command.name ?? ''];
  if (args[0] !== undefined && command.kind === 'build' && command.toolchain !== 'c' && !/[/=$]/.test(args[0])) {
    parts.push(args[0]);
    if ((args[0] === 'run' || args[0] === 'run-script') && args[1] !== undefined) parts.push(args[1]);
  }
  return parts.join(' ');
}

/**
 * Whether cgo is explicitly off for a Go command: `CGO_ENABLED=0` as its prefix, exported or
 * assigned earlier in the same RUN, or an ARG/ENV of the stage (or a stage it is built FROM)
 * set to 0 before the RUN for every target.
 */
export function cgoDisabled(stage: Stage, run: RunStep, command: CommandFacts): boolean {
  const own = command.assignments.find((a) => a.name === 'CGO_ENABLED');
  if (own) return own.value === '0';
  const earlier = cgoSettings(run).get(command.depth);
  if (earlier && earlier.lastStartUpTo < command.start) return earlier.disabled;
  if (!run.inScope.has('CGO_ENABLED')) return false;
  const values = stage.envValues.CGO_ENABLED ?? stage.argValues.CGO_ENABLED;
  return values !== undefined && Object.values(values).length > 0 && Object.values(values).every((v) => v === '0');
}

/**
 * Per nesting depth, the first command of a RUN that sets CGO_ENABLED (bare or exported), with the
 * largest start of the commands up to it: it applies to a command that starts after all of them.
 * Read once per RUN: scanning the earlier commands for each Go command was quadratic (140,000
 * `go build` in one RUN, issue 11).
 */
const cgoSettings = derivedFact('cgo settings', (run: RunStep) => {
  const settings = new Map<number, { lastStartUpTo: number; disabled: boolean }>();
  let lastStart = -1;
  for (const c of run.commands) {
    lastStart = Math.max(lastStart, c.start);
    if (settings.has(c.depth)) continue;
    const bare = c.name === null ? c.assignments.find((a) => a.name === 'CGO_ENABLED') : undefined;
    const exported = c.name === 'export' ? c.words.find((w) => w.value.startsWith('CGO_ENABLED=')) : undefined;
    if (bare) settings.set(c.depth, { lastStartUpTo: lastStart, disabled: bare.value === '0' });
    else if (exported) settings.set(c.depth, { lastStartUpTo: lastStart, disabled: exported.value === 'CGO_ENABLED=0' });
  }
  return settings;
});

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
