import { describe, expect, it } from 'vitest';
import { acceptedPlatforms, imagePulls, matchPlatform, type ImageAnswer } from '../../core/images';
import { buildModel } from '../../core/model';
import { formatPlatform } from '../../core/platform';
import rule from '../../rules/base-image-platform';
import { df, ruleTester } from '../rule-tester';

const both: ImageAnswer = { kind: 'index', platforms: ['linux/amd64', 'linux/arm64'] };
const amd64Only: ImageAnswer = { kind: 'index', platforms: ['linux/amd64'] };
const registry: Record<string, ImageAnswer> = {
  'alpine:3.20': both,
  'golang:1.22': both,
  'example.com/amd64-only:1': amd64Only,
  'example.com/tools:1': amd64Only,
  /** A tag whose name promises arm64. */
  'example.com/arm64-only:1': amd64Only,
  'example.com/single:1': { kind: 'manifest', platforms: ['linux/amd64'] },
  'example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef': { kind: 'manifest', platforms: ['linux/amd64'], digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
  'example.com/arm:1': { kind: 'index', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v6'] },
  'example.com/arm32:1': { kind: 'index', platforms: ['linux/amd64', 'linux/arm/v7'] },
  'example.com/i386:1': { kind: 'index', platforms: ['linux/386', 'linux/arm64'] },
  'example.com/v8:1': { kind: 'index', platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm'] },
  'example.com/down:1': { error: 'cannot reach https://example.com/v2/down/manifests/1: ECONNREFUSED' },
  'example.com/empty:1': { kind: 'index', platforms: [] },
  'example.com/noconfig:1': { kind: 'manifest', platforms: [] },
};
const DIGEST_REF = 'example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

ruleTester(rule, {
  valid: [
    { name: 'no registry answers: silent (the default, no --check-images)', code: 'FROM example.com/amd64-only:1\nRUN true' },
    { name: 'the complete index', code: 'FROM alpine:3.20\nRUN true', images: registry },
    { name: 'a stage the build does not reach', code: 'FROM example.com/amd64-only:1 AS unused\nRUN true\n\nFROM alpine:3.20\n', images: registry },
    { name: 'only amd64 is targeted', code: 'FROM example.com/amd64-only:1\n', platforms: ['linux/amd64'], images: registry },
    { name: 'a $BUILDPLATFORM stage pulls FROM for the build platform', code: 'FROM --platform=$BUILDPLATFORM example.com/amd64-only:1 AS build\nRUN true\n\nFROM alpine:3.20\nCOPY --from=build /x /x\n', images: registry },
    { name: 'a single-platform image pulled only for its own platform', code: 'FROM --platform=$BUILDPLATFORM example.com/single:1 AS tools\n\nFROM alpine:3.20\nCOPY --from=tools /x /x\n', images: registry },
    { name: 'a registry that could not be asked: silent (the CLI says so on stderr)', code: 'FROM example.com/down:1\n', images: registry },
    { name: 'a single-platform image whose config names no platform', code: 'FROM example.com/noconfig:1\n', images: registry },
    { name: 'scratch and stage parents pull nothing', code: 'FROM scratch AS a\n\nFROM a\nCOPY --from=a / /\n', images: registry },
    { name: 'an ARG without a default leaves the reference unresolved', code: 'ARG BASE\nFROM ${BASE}\n', images: registry },
    { name: 'amd64 microarchitecture levels take a plain amd64 image', code: 'FROM alpine:3.20\n', platforms: ['linux/amd64/v3'], images: registry },
    { name: 'arm64/v8 and arm (v7) entries are spelled otherwise, same platforms', code: 'FROM example.com/v8:1\n', platforms: ['linux/arm64', 'linux/arm/v7'], images: registry },
    { name: 'suppressed', code: '# xlint ignore=base-image-platform\nFROM example.com/amd64-only:1\n', images: registry },
  ],
  invalid: [
    {
      name: 'a FROM image without the target platform',
      code: 'FROM example.com/amd64-only:1\nRUN true\n',
      images: registry,
      errors: [
        {
          messageId: 'missing',
          line: 1,
          column: 6,
          endColumn: 30,
          message: '"example.com/amd64-only:1" has no linux/arm64 image and nothing BuildKit takes instead: the build for linux/arm64 fails ("no match for platform in manifest"). It has linux/amd64',
          severity: 'error',
        },
      ],
    },
    {
      name: 'COPY --from=<image> in a $BUILDPLATFORM stage is pulled for the target (DESIGN §1)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY --from=example.com/tools:1 /usr/bin/protoc /usr/bin/

        FROM alpine:3.20
        COPY --from=build /usr/bin/protoc /protoc
      `,
      images: registry,
      errors: [{ messageId: 'missing', line: 2, column: 13, message: /linux\/arm64 .*COPY --from pulls the image for the target platform, even in a \$BUILDPLATFORM stage\)\. It has linux\/amd64$/ }],
    },
    {
      name: 'RUN --mount=from=<image> too',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN --mount=from=example.com/tools:1,target=/t cp /t/x /x

        FROM alpine:3.20
        COPY --from=build /x /x
      `,
      images: registry,
      errors: [{ messageId: 'missing', line: 2, column: 18, message: 'RUN --mount=from pulls the image for the target platform' }],
    },
    {
      name: 'a $BUILDPLATFORM stage on an arm64 builder pulls the arm64 image, for every target',
      code: 'FROM --platform=$BUILDPLATFORM example.com/amd64-only:1 AS build\nRUN true\n\nFROM alpine:3.20\nCOPY --from=build /x /x\n',
      buildPlatform: 'linux/arm64',
      images: registry,
      errors: [{ messageId: 'missing', line: 1, column: 32, message: 'has no linux/arm64 image and nothing BuildKit takes instead: the build for every target (linux/amd64, linux/arm64) fails ("no match for platform in manifest") (this stage runs on the build platform, $BUILDPLATFORM)' }],
    },
    {
      name: 'ARG defaults in FROM are resolved',
      code: 'ARG IMAGE=example.com/amd64-only:1\nFROM ${IMAGE}\n',
      images: registry,
      errors: [{ messageId: 'missing', line: 2, column: 6, message: '"example.com/amd64-only:1" has no linux/arm64' }],
    },
    {
      name: 'a per-target reference: only the target it resolves for',
      code: 'ARG TARGETARCH\nFROM example.com/${TARGETARCH}-only:1\n',
      images: registry,
      errors: [{ messageId: 'missing', line: 2, column: 6, message: '"example.com/arm64-only:1" has no linux/arm64 image and nothing BuildKit takes instead: the build for linux/arm64 fails' }],
    },
    {
      name: 'a single-platform tag used for several platforms',
      code: 'FROM example.com/single:1\n',
      images: registry,
      errors: [{ messageId: 'single', line: 1, column: 6, message: '"example.com/single:1" is a single-platform image (linux/amd64), pulled here for linux/arm64: BuildKit uses it as it is, so the build for linux/arm64 gets linux/amd64 files' }],
    },
    {
      name: 'a digest that names one platform\'s manifest, used for several platforms',
      code: `FROM ${DIGEST_REF}\n`,
      images: registry,
      errors: [{ messageId: 'single', line: 1, column: 6, message: "(linux/amd64): the digest names one platform's manifest, not an image index, pulled here for linux/arm64" }],
    },
    {
      name: 'arm/v7 takes an arm/v6 image: the fallback is named (information)',
      code: 'FROM example.com/arm:1\n',
      platforms: ['linux/amd64', 'linux/arm/v7'],
      images: registry,
      errors: [{ messageId: 'variant', line: 1, column: 6, severity: 'info', message: 'has no linux/arm/v7 image: BuildKit takes its linux/arm/v6 variant instead (containerd\'s platform matcher accepts an older variant)' }],
    },
    {
      name: 'arm64 takes a 32-bit arm image: a warning naming the fallback',
      code: 'FROM example.com/arm32:1\n',
      images: registry,
      errors: [{ messageId: 'architecture', line: 1, column: 6, severity: 'warning', message: 'has no linux/arm64 image: BuildKit takes its linux/arm/v7 image instead (containerd\'s platform matcher falls back to the 32-bit architecture), so the build for linux/arm64 gets linux/arm/v7 files. It has linux/amd64, linux/arm/v7' }],
    },
    {
      name: 'amd64 takes a 386 image',
      code: 'FROM example.com/i386:1\n',
      images: registry,
      errors: [{ messageId: 'architecture', line: 1, column: 6, severity: 'warning', message: 'takes its linux/386 image instead' }],
    },
    {
      name: 'several platforms missing: one finding naming them',
      code: 'FROM example.com/amd64-only:1\n',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/s390x'],
      images: registry,
      errors: [{ messageId: 'missing', line: 1, column: 6, message: 'has no linux/arm64 or linux/arm/v7 or linux/s390x image and nothing BuildKit takes instead: the build for linux/arm64 and linux/arm/v7 and linux/s390x fails' }],
    },
    {
      name: 'an index that names no platform',
      code: 'FROM example.com/empty:1\n',
      images: registry,
      errors: [{ messageId: 'missing', line: 1, column: 6, message: /every target .*It has no platform it names$/ }],
    },
    {
      name: 'each site is reported where it is written',
      code: df`
        FROM example.com/amd64-only:1 AS base
        COPY --from=example.com/tools:1 /x /x
        RUN --mount=from=alpine:3.20 true
      `,
      images: registry,
      errors: [
        { messageId: 'missing', line: 1, column: 6 },
        { messageId: 'missing', line: 2, column: 13 },
      ],
    },
  ],
});

describe('image pulls (core/images.ts)', () => {
  const platforms = ['linux/amd64', 'linux/arm64'];
  const pulls = (code: string, buildPlatform = 'linux/amd64') =>
    imagePulls(buildModel(code, { buildPlatform, targetPlatforms: platforms })).map((p) => `${p.via} ${p.ref} ${p.platform} (${p.target})`);

  it('FROM for the stage platform, --from and mounts for the target, only reached stages', () => {
    const code = df`
      ARG GO=golang:1.22
      FROM --platform=$BUILDPLATFORM \${GO} AS build
      COPY --from=example.com/tools:1 /x /x
      RUN --mount=from=example.com/sdk:2,target=/sdk true

      FROM example.com/unused:1 AS unused

      FROM alpine:3.20
      COPY --from=build /x /x
    `;
    expect(pulls(code, 'linux/arm64')).toEqual([
      'from golang:1.22 linux/arm64 (linux/amd64)',
      'from golang:1.22 linux/arm64 (linux/arm64)',
      'copy example.com/tools:1 linux/amd64 (linux/amd64)',
      'copy example.com/tools:1 linux/arm64 (linux/arm64)',
      'mount example.com/sdk:2 linux/amd64 (linux/amd64)',
      'mount example.com/sdk:2 linux/arm64 (linux/arm64)',
      'from alpine:3.20 linux/amd64 (linux/amd64)',
      'from alpine:3.20 linux/arm64 (linux/arm64)',
    ]);
  });

  it('a constant --platform pulls that platform for every target', () => {
    expect(pulls('FROM --platform=linux/arm/v7 alpine:3.20\n')).toEqual(['from alpine:3.20 linux/arm/v7 (linux/amd64)', 'from alpine:3.20 linux/arm/v7 (linux/arm64)']);
  });

  it('FROM build_${TARGETARCH} pulls each candidate only for its target', () => {
    const code = 'FROM alpine:3.20 AS build_amd64\nFROM golang:1.22 AS build_arm64\nFROM build_${TARGETARCH}\n';
    expect(pulls(code)).toEqual(['from alpine:3.20 linux/amd64 (linux/amd64)', 'from golang:1.22 linux/arm64 (linux/arm64)']);
  });
});

describe("containerd's platform matcher", () => {
  it.each([
    ['linux/arm/v7', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v5', ['linux/arm/v5']],
    ['linux/arm64', ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm64/v8', ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/amd64', ['linux/amd64', 'linux/386']],
    ['linux/amd64/v3', ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']],
    ['linux/s390x', ['linux/s390x']],
  ])('%s accepts %j, in that order', (wanted, accepted) => {
    expect(acceptedPlatforms(wanted).map(formatPlatform)).toEqual(accepted);
  });

  it('matches spellings as the same platform', () => {
    expect(matchPlatform('linux/arm64', ['linux/arm64/v8'])).toEqual({ kind: 'exact', platform: 'linux/arm64' });
    expect(matchPlatform('linux/arm/v7', ['linux/arm'])).toEqual({ kind: 'exact', platform: 'linux/arm/v7' });
    expect(matchPlatform('linux/amd64', ['linux/amd64/v1'])).toEqual({ kind: 'exact', platform: 'linux/amd64' });
    expect(matchPlatform('linux/arm/v7', ['linux/arm/v6', 'linux/arm/v5'])).toEqual({ kind: 'variant', platform: 'linux/arm/v6', microarchitecture: false });
    expect(matchPlatform('linux/arm64', ['linux/arm/v6', 'linux/arm/v7'])).toEqual({ kind: 'architecture', platform: 'linux/arm/v7' });
    expect(matchPlatform('linux/arm/v7', ['linux/arm64'])).toEqual({ kind: 'none' });
    expect(matchPlatform('windows/amd64', ['linux/amd64'])).toEqual({ kind: 'none' });
  });
});
