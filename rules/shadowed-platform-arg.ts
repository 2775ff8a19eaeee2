import type { ArgDeclaration, Model } from '../core/model';
import { automaticArgs, isPlatformArg, parsePlatform } from '../core/platform';
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
        'global "{{word}}" replaces the automatic {{name}}: on a {{value}} builder nothing changes, but on any other builder (an arm64 one, say) every $BUILDPLATFORM stage runs emulated as {{value}}',
      stageBuild:
        '"{{word}}" overrides the automatic {{name}} in this stage: on any builder other than {{value}} the stage reads the wrong build platform',
      sameForAll: '"{{word}}" restates the automatic {{name}}: it is "{{value}}" for every target platform of this build ({{targets}}), but a build for another one would get "{{value}}" too',
      stage: '"{{word}}" overrides the automatic {{name}} in this stage: every target platform gets "{{value}}"',
    },
    docs: {
      what:
        'An `ARG` of an automatic platform arg (`TARGETARCH`, `TARGETOS`, `TARGETPLATFORM`, `BUILDPLATFORM`...) with a default: ' +
        '`ARG TARGETARCH=amd64` before the first `FROM`, or in a stage. An error where it changes what is built for some ' +
        'target; a warning for a `BUILD*` default (it only pins builders of another platform to emulation); information ' +
        'where the default is what BuildKit sets for every target of this build (`ARG TARGETOS=linux` for Linux targets).',
      leftAlone:
        'Platform args declared without a default, and args that are not platform args (`TARGETSTAGE`, `GO_VERSION=1.22`). A default that equals what BuildKit sets for every target of the build is reported as information only.',
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
      const build = declaration.name.startsWith('BUILD');
      const same = !build && sameForEveryTarget(model, declaration);
      const messageId = same ? 'sameForAll' : build ? (declaration.stage === null ? 'globalBuild' : 'stageBuild') : declaration.stage !== null ? 'stage' : 'global';
      const safety = fixSafety(model, declaration);
      report({
        messageId,
        // Error where it changes what is built; a pinned build platform costs speed on other builders; a restated value nothing yet.
        severity: same ? 'info' : build ? 'warning' : undefined,
        data: { word, name: declaration.name, value: declaration.defaultText, targets: model.targetPlatforms.join(', ') },
        start: declaration.start,
        end: declaration.end,
        fix: { title: `Drop the default of ARG ${declaration.name}`, safety, edits: [dropDefault(word, declaration)] },
      });
    }
  },
});

/** `ARG TARGETOS=linux` when every target is linux: the default is what BuildKit would set anyway. */
function sameForEveryTarget(model: Model, declaration: ArgDeclaration): boolean {
  const build = parsePlatform(model.buildPlatform);
  return model.targetPlatforms.every((t) => {
    const target = parsePlatform(t);
    return build !== null && target !== null && automaticArgs(build, target, '').get(declaration.name) === declaration.defaultText;
  });
}

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
