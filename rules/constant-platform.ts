import { offsetAt } from '../core/document';
import { setFromPlatform } from './utils/edits';
import type { Model, Stage } from '../core/model';
import { nameCarriesPlatform, parsePlatform } from '../core/platform';
import { defineRule } from '../core/rule';

export default defineRule({
  meta: {
    id: 'constant-platform',
    severity: 'warning',
    description: 'Use `$BUILDPLATFORM` or `$TARGETPLATFORM` rather than a constant `--platform`',
    fixes: ['unsafe'],
    messages: {
      constant: '"--platform={{value}}" pins this stage to {{value}} for every target platform and on every builder',
    },
    docs: {
      what:
        'A `FROM --platform=linux/amd64` (a constant rather than `$BUILDPLATFORM` or `$TARGETPLATFORM`). Like BuildKit, it ' +
        'stays silent when the stage name carries the OS or architecture (`AS build-amd64`, `AS base_arm64`): such a stage ' +
        'is one of a set picked per platform. The output stage and `FROM <stage>` lines are left to ' +
        '`final-stage-on-buildplatform` and `ineffective-platform-flag`.',
      leftAlone:
        'Stages the build does not reach (another `--target`, such as an image that exists for amd64 only); a constant of an OS none of the targets has (`--platform=darwin/arm64` selects a variant of an SDK image to copy files from); stage names that carry the OS or architecture (as BuildKit does); the output stage and `FROM <stage>` lines, left to `final-stage-on-buildplatform` and `ineffective-platform-flag`.',
      why:
        'A constant platform does not follow the build: on an arm64 builder a `linux/amd64` build stage runs every `RUN` ' +
        'emulated, and a stage whose files end up in the image gives every target the amd64 ones. A build stage meant to ' +
        'run natively wants `$BUILDPLATFORM` (and cross-compiles for `$TARGETPLATFORM`); a stage meant to match the image ' +
        'wants no flag at all.',
      bad:
        'FROM --platform=linux/amd64 golang:1.22 AS build\n' +
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
        'Unsafe: for a build stage (not the output stage, and copied into another stage) the fix replaces the constant with ' +
        '`$BUILDPLATFORM`. That is the same platform on a builder of that platform, but on any other builder the stage\'s ' +
        'tools and downloads change architecture, and the stage only produces the target\'s files if it cross-compiles. ' +
        'No fix for other stages: whether they should follow the target or the builder is a choice only the author can make.',
      mirrors: { buildkit: 'FromPlatformFlagConstDisallowed', hadolint: 'DL3029' },
      references: ['https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/'],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const flag = stage.platformFlag;
      // A stage the build does not reach is another --target's (an amd64-only ROCm image): its pin is that image's choice.
      if (!flag || !stage.reachable || stage.platform.kind !== 'constant' || stage.base.kind === 'stage' || stage.index === model.outputStage) continue;
      if (stage.base.kind === 'variable' && stage.base.candidates.length > 0) continue;
      const pinned = parsePlatform(flag.text);
      if (!pinned || nameCarriesPlatform(stage.name, flag.text)) continue;
      // `--platform=darwin/arm64` in a Linux build selects a variant of an SDK image (files to copy), not where RUNs go.
      if (!model.targetPlatforms.some((t) => parsePlatform(t)?.os === pinned.os)) continue;
      report({
        messageId: 'constant',
        data: { value: flag.text },
        start: offsetAt(model.source, flag.range.start),
        end: offsetAt(model.source, flag.range.end),
        fix: isCopied(model, stage)
          ? { title: 'Replace with --platform=$BUILDPLATFORM', safety: 'unsafe', edits: [setFromPlatform(model, stage, '$BUILDPLATFORM')] }
          : undefined,
      });
    }
  },
});

/** A build stage: another stage copies or mounts its files. */
function isCopied(model: Model, stage: Stage): boolean {
  return model.stages.some((s) => s !== stage && s.edges.some((e) => e.kind !== 'from' && e.stage === stage.index));
}
