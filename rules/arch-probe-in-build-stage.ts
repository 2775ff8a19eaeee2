import { flowOf, trace } from '../core/flow';
import { declareArgs } from './utils/edits';
import { argDeclaredBefore, envDeclarations, instructionStart, type CommandFacts, type Model, type RunStep, type Stage } from '../core/model';
import { defineRule, type Fix } from '../core/rule';

/**
 * The RUN names what it writes (`wget -O /usr/local/bin/gen .../gen-$(uname -m)`) and none of it
 * reaches a target-platform stage: the probe picks a tool for the platform it runs on, which is right.
 */
function onlyFeedsHostTools(model: Model, stage: Stage, run: RunStep): boolean {
  const written = flowOf(model)[stage.index].products.filter((p) => p.run === run && p.explicit);
  if (written.length === 0) return false;
  return !written.some((p) => trace(model, stage, p.path).some((l) => l.stage.platform.kind !== 'builder' && !l.stage.windows));
}

export default defineRule({
  meta: {
    id: 'arch-probe-in-build-stage',
    severity: 'warning',
    description: 'Take the target architecture from `$TARGETARCH` or `xx-info`, not from a probe, in a `$BUILDPLATFORM` stage',
    fixes: ['display-only'],
    messages: {
      probe:
        '"{{text}}" prints the build platform\'s architecture ({{buildArch}}) in this $BUILDPLATFORM stage, not the ' +
        'target\'s: use $TARGETARCH or "{{replacement}}" for anything built for the target',
    },
    docs: {
      what:
        'An architecture probe — `uname -m` (or `-p`, `-i`), `arch`, `dpkg --print-architecture`, `apk --print-arch`, ' +
        '`rpm --eval %{_arch}`, `go env GOARCH` — in a stage that runs on `$BUILDPLATFORM` (directly or through ' +
        '`FROM <stage>`), including inside `$(...)`, backticks, `sh -c` and heredocs.',
      leftAlone:
        'Probes in a `RUN` that names what it writes when none of it reaches a target-platform stage (a host tool downloaded for the platform it runs on); stages the build does not reach; Windows stages.',
      why:
        'A `$BUILDPLATFORM` stage runs natively on the builder for every target, so a probe prints the builder\'s ' +
        'architecture: building for arm64 on an amd64 machine, `$(dpkg --print-architecture)` says `amd64`, and the ' +
        'download or package it picks lands in the arm64 image. The same probe is right in a stage on the target ' +
        'platform (it runs emulated there), which is why it breaks only once the stage is moved to `$BUILDPLATFORM` ' +
        'for speed. Ask BuildKit instead: `ARG TARGETARCH` (Docker\'s names, which match Debian\'s for amd64 and ' +
        'arm64), or `xx-info` from `tonistiigi/xx` for the other naming schemes (`xx-info march` is `uname -m` of the ' +
        'target, `xx-info debian-arch`, `xx-info alpine-arch`). A probe that chooses a tool run during the build itself ' +
        'is correct: suppress the warning there.',
      bad:
        'FROM --platform=$BUILDPLATFORM debian:bookworm AS fetch\n' +
        'RUN curl -fsSLo /tini "https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-$(dpkg --print-architecture)"\n\n' +
        'FROM debian:bookworm-slim\nCOPY --from=fetch /tini /tini\n',
      good:
        'FROM --platform=$BUILDPLATFORM debian:bookworm AS fetch\nARG TARGETARCH\n' +
        'RUN curl -fsSLo /tini "https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-${TARGETARCH}"\n\n' +
        'FROM debian:bookworm-slim\nCOPY --from=fetch /tini /tini\n',
      fixSafety:
        'Display-only: the suggestion replaces the probe with the matching `xx-info` command (and declares ' +
        '`ARG TARGETPLATFORM`, which `xx-info` reads), which needs `tonistiigi/xx` copied into the stage; and a probe ' +
        'that picks a tool for the build itself must stay as it is. Only a reader can tell which one it is.',
      references: ['https://github.com/tonistiigi/xx#xx-info---information-about-the-build-context', 'https://docs.docker.com/build/building/variables/#pre-defined-build-arguments'],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!stage.reachable || stage.platform.kind !== 'builder' || stage.windows) continue;
      const goarchSet = stage.instructions.some((i) => envDeclarations(model, i).some((e) => e.name === 'GOARCH'));
      for (const run of stage.runs) {
        for (const command of run.commands) {
          if (command.kind !== 'probe' || command.words.length === 0 || onlyFeedsHostTools(model, stage, run)) continue;
          const replacement = xxInfo(command, goarchSet || run.script.assigned.has('GOARCH'));
          if (replacement === null) continue;
          const text = command.words.map((w) => w.value).join(' ');
          report({
            messageId: 'probe',
            data: { text, buildArch: model.buildPlatform.split('/')[1] ?? model.buildPlatform, replacement },
            start: command.start,
            end: command.end,
            fix: fixFor(model, stage, run, command, replacement),
          });
        }
      }
    }
  },
});

/** The `xx-info` command that prints the target's value in the probe's naming, or null when the probe is not one to report. */
function xxInfo(command: CommandFacts, goarchSet: boolean): string | null {
  const args = command.words.slice(1).map((w) => w.value);
  switch (command.name) {
    case 'uname':
      // `uname -a` prints everything, usually to a build log.
      return args.some((a) => /^-[a-z]*[mpi]/.test(a) || a === '--machine') ? 'xx-info march' : null;
    case 'arch':
      return 'xx-info march';
    case 'dpkg':
      return 'xx-info debian-arch';
    case 'apk':
      return 'xx-info alpine-arch';
    case 'rpm':
      return 'xx-info rhel-arch';
    case 'go':
      // `go env GOHOSTARCH` asks for the builder on purpose; `go env GOARCH` follows a GOARCH the stage sets.
      if (!args.includes('GOARCH') || goarchSet || command.assignments.some((a) => a.name === 'GOARCH')) return null;
      return 'xx-info arch';
    default:
      return null;
  }
}

function fixFor(model: Model, stage: Stage, run: RunStep, command: CommandFacts, replacement: string): Fix {
  const first = command.words[0];
  const last = command.words[command.words.length - 1];
  const edits = [{ start: first.start, end: last.end, text: replacement }];
  if (!argDeclaredBefore(model, stage, 'TARGETPLATFORM', instructionStart(model, run.instruction))) {
    edits.push(declareArgs(model, stage, ['TARGETPLATFORM']));
  }
  return { title: `Use ${replacement} (needs tonistiigi/xx in the stage)`, safety: 'display-only', edits };
}
