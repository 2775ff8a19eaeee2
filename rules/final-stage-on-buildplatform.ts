import { offsetAt } from '../core/document';
import { removeFlag } from './utils/edits';
import type { Model, Stage } from '../core/model';
import { defineRule } from '../core/rule';

export default defineRule({
  meta: {
    id: 'final-stage-on-buildplatform',
    severity: 'error',
    description: 'Keep the output stage on the target platform: do not pin it to `$BUILDPLATFORM` or a constant',
    fixes: ['safe', 'unsafe'],
    messages: {
      pinned: '"--platform={{value}}" pins the output stage: every target platform ({{targets}}) would get the {{platform}} image',
      inherited:
        'the output stage is built FROM "{{parent}}", which is pinned to "{{value}}": every target platform ({{targets}}) would get the {{platform}} image',
    },
    docs: {
      what:
        'The output stage (the last one, or `--target`) with `FROM --platform=$BUILDPLATFORM` or `FROM --platform=<constant>`, ' +
        'or built `FROM` a stage that is pinned that way.',
      leftAlone:
        'A last stage named for a check rather than an image (`lint`, `validate`, `vet`, `test`, `cacheonly`), which runs on the builder by design; Windows stages.',
      why:
        'The output stage is the image. Pinned to the builder\'s platform, the "arm64" image of a multi-platform build is the ' +
        'amd64 base image with amd64 binaries: its manifest says arm64, and the container fails with `exec format error`. ' +
        'A constant (`--platform=linux/amd64`) does the same for every target. `$BUILDPLATFORM` belongs on the build stages ' +
        'whose output is copied into the final stage, which stays on the target platform.',
      bad:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM --platform=$BUILDPLATFORM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      fixSafety:
        'The fix removes the flag from the output stage. Safe when that stage has no `RUN`: it is then the base image plus ' +
        'copied files, and removing the flag only makes the base image the target\'s, which is what every target was meant ' +
        'to get. Unsafe when the stage runs `RUN` steps: they move to the target platform, so they run emulated and may ' +
        'behave differently (a download that was the builder\'s architecture becomes the target\'s). No fix when the pin is ' +
        'inherited from a parent stage: unpinning the parent changes that stage too.',
      references: ['https://docs.docker.com/build/building/multi-platform/#cross-compilation'],
    },
  },
  check({ model, report }) {
    const stage = model.stages[model.outputStage];
    // A last stage that checks (lint, validate, cacheonly) is not an image: its platform is the builder's by design.
    if (!stage || stage.windows || (stage.name !== null && CHECK_STAGE.test(stage.name))) return;
    const targets = model.targetPlatforms.join(', ');
    const flag = stage.platformFlag;
    const parentKind = stage.base.kind === 'stage' || (stage.base.kind === 'variable' && stage.base.candidates.length > 0);
    if (!parentKind) {
      if (!flag || (stage.platform.kind !== 'builder' && stage.platform.kind !== 'constant')) return;
      report({
        messageId: 'pinned',
        data: { value: flag.text, targets, platform: pinnedTo(model, stage) },
        start: offsetAt(model.source, flag.range.start),
        end: offsetAt(model.source, flag.range.end),
        fix: {
          title: `Remove --platform=${flag.text} from the output stage`,
          safety: stage.runs.length === 0 ? 'safe' : 'unsafe',
          edits: removeFlag(model, flag),
        },
      });
      return;
    }
    // FROM <stage>: the platform comes from the parent, whatever this FROM's own (ineffective) flag says.
    if (stage.platform.kind !== 'builder' && stage.platform.kind !== 'constant') return;
    const image = stage.from.getImageRange();
    if (!image) return;
    const start = offsetAt(model.source, image.start);
    const end = offsetAt(model.source, image.end);
    report({
      messageId: 'inherited',
      data: { parent: model.source.text.slice(start, end), value: stage.platform.text ?? '', targets, platform: pinnedTo(model, stage) },
      start,
      end,
    });
  },
});

/** Names of stages that run checks and produce no image (`lint`, `validate-vendor`, `cacheonly`, `golangci-lint`). */
const CHECK_STAGE = /^(.*[-_])?(lint|linter|validate|validation|check|checks|vet|fmt|format|cacheonly|cache-only|verify|test|tests)([-_].*)?$/i;

/** The platform the stage is built on, e.g. "linux/amd64": the builder's, or the constant. */
function pinnedTo(model: Model, stage: Stage): string {
  const values = [...new Set(model.targetPlatforms.map((t) => stage.platformFor[t]).filter((p): p is string => !!p))];
  if (values.length === 1) return values[0];
  return stage.platform.kind === 'builder' ? model.buildPlatform : (stage.platform.text ?? model.buildPlatform);
}
