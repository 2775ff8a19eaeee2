import { productsOfCommand, trace } from '../core/flow';
import { cgoDisabled, commandLabel, dotnetCrossCompile, isGoCompile, nameIsSet, needsGoarm, subcommand, targetWiring, wiredBuildsInRun } from './utils/cross';
import { appendToCommand, declareArgsBeforeInstruction, setCommandEnv } from './utils/edits';
import type { CommandFacts, Model, RunStep, Stage } from '../core/model';
import { defineRule, type Edit, type Fix } from '../core/rule';

const WIRING: Record<string, string> = { dotnet: '-a $TARGETARCH', rust: '--target', c: 'a cross compiler' };

export default defineRule({
  meta: {
    id: 'wrong-arch-artifact',
    severity: 'error',
    description: 'Hand the target platform to compilers that run on $BUILDPLATFORM',
    fixes: ['safe', 'unsafe', 'display-only'],
    messages: {
      unwired:
        '"{{command}}" runs on $BUILDPLATFORM without {{wiring}}, so it builds for {{build}}: its output reaches stage {{consumer}} as {{path}}, and the {{targets}} image gets a {{build}} binary',
    },
    docs: {
      what:
        'A compiler (`go build`, `cargo build`, `dotnet publish`, `gcc`, `make`...) in a `FROM --platform=$BUILDPLATFORM` stage ' +
        'that is not told the target — no `GOOS`/`GOARCH`, no `-a`/`-r` for dotnet, no `--target` for cargo, no `xx-*` helper, ' +
        'no `<triple>-gcc` or `CC` — while what it builds reaches a stage on the target platform through `COPY --from`, ' +
        '`RUN --mount=from` or `FROM`, possibly through other stages.',
      leftAlone:
        'Build-platform tools: a binary built without target wiring that is run where it is built, or copied only into other `$BUILDPLATFORM` stages (a code generator, `go-licenses`, a `tblgen`); outputs that are never copied (a `dotnet build -o /app/build` next to a wired publish); a native build that is the other branch of a target test in the same `RUN`; stages the build does not reach; Windows stages.',
      why:
        'A `$BUILDPLATFORM` stage runs natively on the builder, so a compiler left to its defaults builds for the builder. ' +
        'The linux/arm64 image then ships a linux/amd64 binary: the build succeeds, and the container fails at run time with ' +
        '`exec format error`. Moving a stage to `$BUILDPLATFORM` is only half of a cross build; the other half is passing ' +
        '`$TARGETOS`/`$TARGETARCH` to the compiler.',
      bad: [
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
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
        'Go: adds `GOOS=$TARGETOS GOARCH=$TARGETARCH` (and `GOARM=${TARGETVARIANT#v}` when an `arm/v*` platform is built) ' +
        'to the command and declares the args right before its RUN; safe when cgo is explicitly off (`CGO_ENABLED=0`), ' +
        'unsafe otherwise, since cross-compiling disables cgo. .NET: appends `-a $TARGETARCH` (also to the `dotnet restore` ' +
        'a `--no-restore` publish relies on) and declares `ARG TARGETARCH`; safe. Rust and C/C++: display-only, they need ' +
        'tonistiigi/xx (`xx-cargo`, `xx-clang`) or a cross toolchain installed in the stage. A wiring that is present but ' +
        'wrong (`GOARCH=$TARGETARCH` with no `ARG TARGETARCH`, `GOARCH=amd64`) is left to undeclared-platform-arg and hardcoded-arch.',
      references: ['https://docs.docker.com/build/building/multi-platform/#cross-compilation', 'https://github.com/tonistiigi/xx'],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!stage.reachable || stage.platform.kind !== 'builder' || stage.windows) continue;
      const findings: Finding[] = [];
      for (const run of stage.runs) {
        let reportedC = false;
        for (const command of run.commands) {
          if (command.kind !== 'build' || !producesBinary(command) || command.words.length === 0) continue;
          if (command.toolchain === 'c' && reportedC) continue;
          if (targetWiring(model, stage, run, command) || wiredAlternative(model, stage, run, command)) continue;
          const reach = reachOf(model, stage, command);
          if (!reach) continue;
          if (command.toolchain === 'c') reportedC = true;
          findings.push({ run, command, reach, fix: fixFor(model, stage, run, command) });
        }
      }
      // Every compile whose file is shipped needs the target, or fixing one of them is not safe.
      const blocked = findings.find((f) => f.fix?.safety !== 'safe' && f.command.toolchain === 'go');
      for (const { run, command, reach, fix } of findings) {
        const word = command.words[0];
        const wiring = command.toolchain === 'go' ? goEnv(model).filter(([name]) => !nameIsSet(run, command, name)).map(([name]) => name).join('/') : WIRING[command.toolchain!];
        const downgraded = fix && fix.safety === 'safe' && blocked && blocked.command !== command
          ? { ...fix, safety: 'unsafe' as const, title: `${fix.title} (line ${blocked.run.line + 1} builds another shipped file that this fix does not wire)` }
          : fix;
        report({
          messageId: 'unwired',
          data: {
            command: commandLabel(command),
            wiring,
            build: model.buildPlatform,
            path: reach.path,
            consumer: reach.consumer.name ? `"${reach.consumer.name}"` : String(reach.consumer.index),
            targets: model.targetPlatforms.filter((t) => reach.targets.has(t)).join(', '),
          },
          start: word.start,
          end: word.end,
          fix: downgraded ?? undefined,
        });
      }
    }
  },
});

interface Finding {
  run: RunStep;
  command: CommandFacts;
  reach: Reach;
  fix: Fix | null;
}

/**
 * The same toolchain told the target elsewhere in the RUN: `if [ "$TARGETPLATFORM" = linux/arm64 ];
 * then cargo build --target aarch64-...; else cargo build; fi` builds natively only where the build
 * platform is the target. Called for an unwired build command, so every wired one counted is another.
 */
function wiredAlternative(model: Model, stage: Stage, run: RunStep, command: CommandFacts): boolean {
  return wiredBuildsInRun(model, stage, run, command.toolchain) > 0;
}

/** What a Go command needs to build for the target: [variable, value, the platform arg it reads]. */
function goEnv(model: Model): [string, string, string][] {
  const env: [string, string, string][] = [
    ['GOOS', '$TARGETOS', 'TARGETOS'],
    ['GOARCH', '$TARGETARCH', 'TARGETARCH'],
  ];
  if (needsGoarm(model)) env.push(['GOARM', '${TARGETVARIANT#v}', 'TARGETVARIANT']);
  return env;
}

/** Commands whose output is architecture-specific (a portable `dotnet publish` with UseAppHost=false is not). */
function producesBinary(command: CommandFacts): boolean {
  const sub = subcommand(command);
  switch (command.toolchain) {
    case 'go':
      return isGoCompile(command) || (sub === 'test' && command.words.some((w) => w.value === '-c'));
    case 'rust':
      return command.name === 'rustc' || ['build', 'install', 'rustc', 'zigbuild', 'auditable'].includes(sub ?? '');
    case 'dotnet':
      return (sub === 'build' || sub === 'publish') && !portableDotnet(command);
    case 'c':
      return command.name !== 'autoreconf';
    default:
      return false;
  }
}

/** A framework-dependent build without an apphost: IL that runs on every architecture. */
function portableDotnet(command: CommandFacts): boolean {
  const words = command.words.map((w) => w.value);
  const native = words.some((w) => /^(--self-contained|--sc)(=true)?$/i.test(w) || /(SelfContained|PublishReadyToRun|PublishAot)=true/i.test(w));
  return !native && words.some((w) => /UseAppHost=false/i.test(w));
}

interface Reach {
  consumer: Stage;
  /** Where the file is in that stage. */
  path: string;
  targets: Set<string>;
}

/**
 * The first target-platform stage a file of this command reaches by path (COPY --from, RUN
 * --mount=from, FROM, also through other $BUILDPLATFORM stages), with the targets for which that
 * stage runs on another platform; null when the file never gets there (a host tool run where it
 * was built, or copied only into other $BUILDPLATFORM stages).
 */
function reachOf(model: Model, stage: Stage, command: CommandFacts): Reach | null {
  for (const { stage: holder, product } of productsOfCommand(model, command)) {
    for (const landing of trace(model, holder, product.path)) {
      const consumer = landing.stage;
      if (consumer.platform.kind === 'builder' || consumer.windows) continue;
      const wrong = consumer.reachableFor.filter((t) => stage.platformFor[t] != null && consumer.platformFor[t] !== stage.platformFor[t]);
      if (wrong.length > 0) return { consumer, path: landing.path, targets: new Set(wrong) };
    }
  }
  return null;
}

function fixFor(model: Model, stage: Stage, run: RunStep, command: CommandFacts): Fix | null {
  /** Declares the args the edits read, before the first RUN they touch. */
  const declare = (names: string[], edits: Edit[], first: RunStep = run): Edit[] => {
    const missing = names.filter((n) => !first.inScope.has(n));
    return missing.length > 0 ? [...edits, declareArgsBeforeInstruction(model, stage, missing, first.instruction)] : edits;
  };
  if (run.form === 'exec') return null;
  switch (command.toolchain) {
    case 'go': {
      // A cross-compiled `go install` refuses GOBIN and writes to $GOPATH/bin/<os>_<arch>/: only `go build -o` keeps the paths.
      if (subcommand(command) === 'install') return null;
      const missing = goEnv(model).filter(([name]) => !nameIsSet(run, command, name));
      const safe = cgoDisabled(stage, run, command);
      const text = missing.map(([name, value]) => `${name}=${value}`).join(' ');
      return {
        title: `Pass ${text} to go` + (safe ? '' : ' (cgo is not explicitly off: cross-compiling disables it)'),
        safety: safe ? 'safe' : 'unsafe',
        edits: declare(
          missing.map(([, , arg]) => arg),
          setCommandEnv(command, missing.map(([name, value]) => [name, value])),
        ),
      };
    }
    case 'dotnet': {
      const edits = [appendToCommand(command, '-a $TARGETARCH')];
      let first = run;
      if (command.words.some((w) => w.value === '--no-restore')) {
        // The restore it relies on must restore for the same runtime.
        for (const r of stage.runs) {
          for (const c of r.commands) {
            if (c.start >= command.start || c.toolchain !== 'dotnet' || subcommand(c) !== 'restore' || r.form === 'exec') continue;
            if (targetWiring(model, stage, r, c)) continue;
            edits.push(appendToCommand(c, '-a $TARGETARCH'));
            if (r.line < first.line) first = r;
          }
        }
      }
      const cross = dotnetCrossCompile(model, stage, [command]);
      const title = `Pass -a $TARGETARCH to dotnet${cross.reason ? ` (${cross.reason})` : ''}`;
      return { title, safety: cross.safety, edits: declare(['TARGETARCH'], edits, first) };
    }
    case 'rust': {
      if (command.name !== 'cargo') return null;
      const word = command.words[0];
      return {
        title: 'Build with xx-cargo (copy tonistiigi/xx into the stage; install target libraries with xx-apt-get)',
        safety: 'display-only',
        edits: declare(['TARGETPLATFORM'], [{ start: word.start, end: word.end, text: 'xx-cargo' }]),
      };
    }
    case 'c': {
      const word = command.words[0];
      const name = command.name ?? '';
      let edit: Edit;
      if (name === 'configure') edit = appendToCommand(command, '--host=$(xx-clang --print-target-triple)');
      else if (/^(gcc|cc|clang)(-\d+)?$/.test(name)) edit = { start: word.start, end: word.end, text: 'xx-clang' };
      else if (/^(g\+\+|c\+\+|clang\+\+)(-\d+)?$/.test(name)) edit = { start: word.start, end: word.end, text: 'xx-clang++' };
      else edit = { start: word.start, end: word.start, text: 'CC=xx-clang CXX=xx-clang++ ' };
      return {
        title: 'Compile with xx-clang (copy tonistiigi/xx into the stage; install target libraries with xx-apt-get)',
        safety: 'display-only',
        edits: declare(['TARGETPLATFORM'], [edit]),
      };
    }
    default:
      return null;
  }
}
