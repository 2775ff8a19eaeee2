import type { ArgDeclaration, Model } from '../core/model';
import { isPlatformArg, parsePlatform } from '../core/platform';
import { defineRule, type Edit, type FixSafety } from '../core/rule';

export default defineRule({
  meta: {
    id: 'shadowed-platform-arg',
    severity: 'error',
    description: 'Declare platform args without a default: a default replaces the value BuildKit sets for each platform',
    fixes: ['safe', 'unsafe'],
    messages: {
      global:
        'global "{{word}}" replaces the automatic {{name}} in every build: FROM lines and every stage that declares ARG {{name}} get "{{value}}" whatever the platform',
      globalBuild:
        'global "{{word}}" replaces the automatic {{name}}: every $BUILDPLATFORM stage runs as if the builder were "{{value}}" (emulated on any other builder)',
      stage: '"{{word}}" overrides the automatic {{name}} in this stage: every target platform gets "{{value}}"',
    },
    docs: {
      what:
        'An `ARG` of an automatic platform arg (`TARGETARCH`, `TARGETOS`, `TARGETPLATFORM`, `BUILDPLATFORM`...) with a default: ' +
        '`ARG TARGETARCH=amd64` before the first `FROM`, or in a stage.',
      why:
        'BuildKit sets the platform args per platform of the build, but a global `ARG TARGETARCH=amd64` replaces that value for ' +
        'every platform: each stage that declares `ARG TARGETARCH` then reads `amd64`, and `GOARCH=$TARGETARCH` builds amd64 ' +
        'binaries into the arm64 image. A global `ARG BUILDPLATFORM=linux/amd64` pins every `FROM --platform=$BUILDPLATFORM` ' +
        'stage to amd64, so on an arm64 builder they all run emulated. In a stage, `ARG TARGETARCH=amd64` does the same for ' +
        'that stage. The default is often meant for a plain `docker build`, but BuildKit (the default builder since Docker ' +
        '23) sets the platform args in every build, with or without buildx.',
      bad:
        'ARG TARGETARCH=amd64\n' +
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      fixSafety:
        'The fix drops the default and keeps the declaration (`ARG TARGETARCH`). Safe in general: the name says the value is ' +
        'the target\'s (or the builder\'s), and BuildKit then supplies exactly that for every platform, including a ' +
        'single-platform `docker build`, where it is the platform of that build — for the platform the default names, the ' +
        'result is unchanged, and for every other platform it becomes the right one. Only the legacy builder ' +
        '(`DOCKER_BUILDKIT=0`, which does not set platform args) would now see an empty value. Unsafe in a stage that is ' +
        'itself pinned to one platform — its name carries an OS or architecture (`AS build-amd64`), or it is built ' +
        '`--platform=<constant>` — where the default may deliberately describe that stage, not the target.',
      references: ['https://docs.docker.com/build/building/variables/#pre-defined-build-arguments'],
    },
  },
  check({ model, report }) {
    for (const declaration of [...model.globalArgs, ...model.stages.flatMap((s) => s.args)]) {
      if (!isPlatformArg(declaration.name) || declaration.defaultText === null) continue;
      const word = model.source.text.slice(declaration.start, declaration.end);
      const messageId = declaration.stage !== null ? 'stage' : declaration.name.startsWith('BUILD') ? 'globalBuild' : 'global';
      const safety = fixSafety(model, declaration);
      report({
        messageId,
        data: { word, name: declaration.name, value: declaration.defaultText },
        start: declaration.start,
        end: declaration.end,
        fix: { title: `Drop the default of ARG ${declaration.name}`, safety, edits: [dropDefault(word, declaration)] },
      });
    }
  },
});

/** `TARGETARCH=amd64` → `TARGETARCH`; a quoted word (`"TARGETARCH=amd64"`) is rewritten whole. */
function dropDefault(word: string, declaration: ArgDeclaration): Edit {
  if (word.startsWith(declaration.name + '=')) return { start: declaration.start + declaration.name.length, end: declaration.end, text: '' };
  return { start: declaration.start, end: declaration.end, text: declaration.name };
}

/** Unsafe where the stage is pinned to one platform on purpose, and the default may describe that stage. */
function fixSafety(model: Model, declaration: ArgDeclaration): FixSafety {
  if (declaration.stage === null) return 'safe';
  const stage = model.stages[declaration.stage];
  if (stage.platform.kind === 'constant') return 'unsafe';
  return stage.name !== null && namesDefault(stage.name, declaration.defaultText ?? '') ? 'unsafe' : 'safe';
}

/** `AS build_arm64` with `ARG TARGETARCH=arm64` (or `=aarch64`, `TARGETPLATFORM=linux/arm64`): a per-platform stage. */
function namesDefault(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  const platform = parsePlatform(value.includes('/') ? value : `linux/${value}`);
  const parts = [value.toLowerCase(), platform?.arch ?? ''];
  if (value.includes('/') && platform) parts.push(value.toLowerCase().split('/')[1]);
  return parts.some((part) => part !== '' && lower.includes(part));
}
