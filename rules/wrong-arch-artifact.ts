import { cgoDisabled, commandLabel, consumersByStage, isGoCompile, nameIsSet, needsGoarm, subcommand, targetWiring, type Consumer } from '../core/cross';
import { appendToCommand, declareArgsBeforeInstruction, setCommandEnv } from '../core/edits';
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
        '"{{command}}" runs on $BUILDPLATFORM without {{wiring}}, so it builds for {{build}}: its output reaches stage {{consumer}}, and the {{targets}} image gets a {{build}} binary',
    },
    docs: {
      what:
        'A compiler (`go build`, `cargo build`, `dotnet publish`, `gcc`, `make`...) in a `FROM --platform=$BUILDPLATFORM` stage ' +
        'that is not told the target — no `GOOS`/`GOARCH`, no `-a`/`-r` for dotnet, no `--target` for cargo, no `xx-*` helper, ' +
        'no `<triple>-gcc` or `CC` — while what it builds reaches a stage on the target platform through `COPY --from`, ' +
        '`RUN --mount=from` or `FROM`, possibly through other stages.',
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
    const consumers = consumersByStage(model);
    for (const stage of model.stages) {
      if (!stage.reachable || stage.platform.kind !== 'builder') continue;
      const reach = targetReach(model, stage, consumers);
      if (!reach) continue;
      for (const run of stage.runs) {
        let reportedC = false;
        for (const command of run.commands) {
          if (command.kind !== 'build' || !producesBinary(command) || command.words.length === 0) continue;
          if (command.toolchain === 'c' && reportedC) continue;
          if (targetWiring(model, stage, run, command)) continue;
          if (command.toolchain === 'c') reportedC = true;
          const word = command.words[0];
          const wiring = command.toolchain === 'go' ? goEnv(model).filter(([name]) => !nameIsSet(run, command, name)).map(([name]) => name).join('/') : WIRING[command.toolchain!];
          report({
            messageId: 'unwired',
            data: {
              command: commandLabel(command),
              wiring,
              build: model.buildPlatform,
              consumer: reach.consumer.name ? `"${reach.consumer.name}"` : String(reach.consumer.index),
              targets: reach.targets.join(', '),
            },
            start: word.start,
            end: word.end,
            fix: fixFor(model, stage, run, command) ?? undefined,
          });
        }
      }
    }
  },
});

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
      return isGoCompile(command);
    case 'rust':
      return command.name === 'rustc' || ['build', 'install', 'rustc', 'zigbuild', 'auditable'].includes(sub ?? '');
    case 'dotnet':
      return (sub === 'build' || sub === 'publish') && !command.words.some((w) => /UseAppHost=false/i.test(w.value));
    case 'c':
      return command.name !== 'autoreconf';
    default:
      return false;
  }
}

/**
 * The first target-platform stage this stage's files reach (through COPY --from, RUN --mount=from,
 * or FROM, also through other $BUILDPLATFORM stages), and the targets for which that stage runs
 * on another platform than this one; null when nothing reaches such a stage.
 */
function targetReach(model: Model, stage: Stage, consumers: Consumer[][]): { consumer: Stage; targets: string[] } | null {
  const seen = new Set<number>([stage.index]);
  const queue = [stage.index];
  let first: Stage | null = null;
  const targets = new Set<string>();
  while (queue.length > 0) {
    const index = queue.shift()!;
    for (const { stage: consumer, edge } of consumers[index]) {
      if (edge.kind !== 'from' && consumer.platform.kind === 'target') {
        const wrong = consumer.reachableFor.filter((t) => stage.platformFor[t] !== null && consumer.platformFor[t] !== stage.platformFor[t]);
        if (wrong.length > 0) {
          first ??= consumer;
          for (const t of wrong) targets.add(t);
        }
      } else if (consumer.platform.kind === 'builder' && !seen.has(consumer.index)) {
        seen.add(consumer.index);
        queue.push(consumer.index);
      }
    }
  }
  return first ? { consumer: first, targets: model.targetPlatforms.filter((t) => targets.has(t)) } : null;
}

function fixFor(model: Model, stage: Stage, run: RunStep, command: CommandFacts): Fix | null {
  const declare = (names: string[], edits: Edit[]): Edit[] => {
    const missing = names.filter((n) => !run.inScope.has(n));
    return missing.length > 0 ? [...edits, declareArgsBeforeInstruction(model, stage, missing, run.instruction)] : edits;
  };
  if (run.form === 'exec') return null;
  switch (command.toolchain) {
    case 'go': {
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
      if (command.words.some((w) => w.value === '--no-restore')) {
        for (const r of stage.runs) {
          for (const c of r.commands) {
            if (c.start >= command.start || c.toolchain !== 'dotnet' || subcommand(c) !== 'restore' || r.form === 'exec') continue;
            if (!targetWiring(model, stage, r, c)) edits.push(appendToCommand(c, '-a $TARGETARCH'));
          }
        }
      }
      return { title: 'Pass -a $TARGETARCH to dotnet', safety: 'safe', edits: declare(['TARGETARCH'], edits) };
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
