import { removeFlag } from './utils/edits';
import { offsetAt } from '../core/document';
import { defineRule } from '../core/rule';

export default defineRule({
  meta: {
    id: 'redundant-target-platform',
    severity: 'warning',
    description: 'Drop `--platform=$TARGETPLATFORM`: a stage runs on the target platform by default',
    fixes: ['safe'],
    messages: {
      redundant: '"--platform={{value}}" is the default: a stage without --platform already runs on the target platform',
    },
    docs: {
      what: 'A `FROM --platform=$TARGETPLATFORM` line.',
      leftAlone:
        'Flags that compute a platform from `$TARGETPLATFORM` or other args (`${TARGETOS}/${TARGETARCH}`, `$TARGETPLATFORM-foo`): only the bare `$TARGETPLATFORM` / `${TARGETPLATFORM}` is known to restate the default.',
      why:
        'Every stage without `--platform` already runs on the target platform, so the flag adds nothing. ' +
        'It also hides intent: a reader looking for the stages that run emulated has to notice that this flag, unlike ' +
        '`$BUILDPLATFORM`, changes nothing.',
      bad: 'FROM --platform=$TARGETPLATFORM alpine:3.20\nRUN apk add --no-cache ca-certificates',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates',
      fixSafety: 'Safe: removing the flag leaves the stage on the same platform for every target.',
      mirrors: { buildkit: 'RedundantTargetPlatform', hadolint: 'DL3065' },
      references: ['https://docs.docker.com/reference/build-checks/redundant-target-platform/'],
    },
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const flag = stage.platformFlag;
      if (!flag || !/^\$\{?TARGETPLATFORM\}?$/.test(flag.text.trim())) continue;
      report({
        messageId: 'redundant',
        data: { value: flag.text },
        start: offsetAt(model.source, flag.range.start),
        end: offsetAt(model.source, flag.range.end),
        fix: { title: 'Remove --platform=$TARGETPLATFORM', safety: 'safe', edits: removeFlag(model, flag) },
      });
    }
  },
});
