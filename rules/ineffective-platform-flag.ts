import { offsetAt } from '../core/document';
import { removeFlag, setFromPlatform } from './utils/edits';
import { parentCandidates, platformKind, type Model, type Stage } from '../core/model';
import { normalizePlatform } from '../core/platform';
import { defineRule, type Fix } from '../core/rule';

export default defineRule({
  meta: {
    id: 'ineffective-platform-flag',
    severity: 'warning',
    description: 'Put `--platform` on the stage that pulls the image: on `FROM <stage>` it has no effect',
    fixes: ['safe', 'unsafe', 'display-only'],
    messages: {
      ineffective: '"--platform={{value}}" has no effect on FROM {{parent}}: the stage inherits the platform of "{{parent}}" ({{effective}})',
    },
    docs: {
      what:
        'A `--platform` flag on a `FROM` that names another stage (`FROM --platform=$BUILDPLATFORM build AS test`), also through ' +
        '`FROM ${VAR}` when the variable names a stage. A flag that restates the platform the parent already has is ' +
        'reported as information.',
      leftAlone:
        '`FROM ${VAR}` whose value (the global `ARG` default) names an image rather than a stage: the flag is effective there. A flag that restates the parent\'s platform is reported as information only.',
      why:
        'A stage built `FROM <stage>` continues that stage\'s filesystem, so it runs on the parent\'s platform; BuildKit ' +
        'ignores the flag. A reader (and often the author) believes the stage runs on the platform the flag names: ' +
        '`FROM --platform=$BUILDPLATFORM deps AS build` still compiles under emulation when `deps` is on the target ' +
        'platform. Set the platform where the image is pulled, on the parent\'s `FROM`.',
      bad:
        'FROM golang:1.22 AS deps\n' +
        'COPY go.mod go.sum ./\n' +
        'RUN go mod download\n' +
        '\n' +
        'FROM --platform=$BUILDPLATFORM deps AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS deps\n' +
        'COPY go.mod go.sum ./\n' +
        'RUN go mod download\n' +
        '\n' +
        'FROM deps AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      fixSafety:
        'Removing the flag changes nothing in the build, since BuildKit ignores it; what matters is whether the author\'s ' +
        'intent survives. When the flag names the platform the stage inherits anyway, removing it is safe: the file then ' +
        'says what happens. When it names another platform and the parent is used by this stage only (no other `FROM`, ' +
        '`COPY --from` or `--mount=from` reaches it, it has no `--platform` and pulls an image), the fix moves the flag to ' +
        'the parent: unsafe, because the parent\'s `RUN` steps then change platform (that is the point, but it changes ' +
        'what they produce). Otherwise removing the flag is display-only: it would silently drop the platform the author ' +
        'asked for, and the stage needs restructuring (its own `FROM --platform=... <image>`) instead.',
      references: ['https://docs.docker.com/reference/dockerfile/#from'],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const flag = stage.platformFlag;
      if (!flag) continue;
      const parents = parentCandidates(stage);
      if (parents.length === 0) continue;
      const image = stage.from.getImageRange();
      const parentText = image ? model.source.text.slice(offsetAt(model.source, image.start), offsetAt(model.source, image.end)) : '';
      // Restating the platform the parent already has is harmless redundancy: information.
      const restated = parents.every((p) => samePlatform(platformKind(flag.text, model.escapeChar), model.stages[p].platform));
      report({
        messageId: 'ineffective',
        severity: restated ? 'info' : undefined,
        data: { value: flag.text, parent: parentText, effective: describe(stage.platform) },
        start: offsetAt(model.source, flag.range.start),
        end: offsetAt(model.source, flag.range.end),
        fix: fixFor(model, stage, parents),
      });
    }
  },
});

function fixFor(model: Model, stage: Stage, parents: number[]): Fix {
  const flag = stage.platformFlag!;
  const remove = removeFlag(model, flag);
  const own = platformKind(flag.text, model.escapeChar);
  if (parents.every((p) => samePlatform(own, model.stages[p].platform))) {
    return { title: `Remove the ineffective --platform=${flag.text}`, safety: 'safe', edits: remove };
  }
  const parent = parents.length === 1 ? model.stages[parents[0]] : null;
  if (parent && canTakeFlag(model, parent, stage)) {
    return {
      title: `Move --platform=${flag.text} to stage "${parent.name ?? parent.index}"`,
      safety: 'unsafe',
      edits: [...remove, setFromPlatform(model, parent, flag.text)],
    };
  }
  return { title: `Remove the ineffective --platform=${flag.text}`, safety: 'display-only', edits: remove };
}

function samePlatform(a: Stage['platform'], b: Stage['platform']): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'builder' || a.kind === 'target') return true;
  if (a.kind === 'constant') return normalizePlatform(a.text ?? '') === normalizePlatform(b.text ?? '');
  return false;
}

/** The parent pulls an image, has no flag of its own, and only this stage builds on or copies from it. */
function canTakeFlag(model: Model, parent: Stage, child: Stage): boolean {
  if (parent.platformFlag || (parent.base.kind !== 'image' && parent.base.kind !== 'scratch') || parent.index === model.outputStage) return false;
  return model.stages.every((s) => s === child || s.edges.every((e) => e.stage !== parent.index));
}

function describe(platform: Stage['platform']): string {
  if (platform.kind === 'target') return platform.text ?? 'the target platform';
  if (platform.kind === 'unknown') return platform.text ?? 'a platform chosen per target';
  return platform.text ?? '';
}
