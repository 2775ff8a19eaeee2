import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../core/fix';
import { lint } from '../../core/lint';
import rule from '../../rules/target-image-in-build-stage';
import { df, ruleTester } from '../rule-tester';

const example = (name: string) => readFileSync(join(__dirname, '../../examples', name), 'utf8');

ruleTester(rule, {
  valid: [
    { name: 'the example rust-xx (xx as its own $BUILDPLATFORM stage)', code: example('rust-xx.Dockerfile') },
    { name: 'the example go-cross', code: example('go-cross.Dockerfile') },
    { name: 'the example python-wheels (mount from a stage)', code: example('python-wheels.Dockerfile') },
    { name: 'an image in a target-platform stage', code: 'FROM golang:1.22\nCOPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/' },
    { name: 'an image in a constant-platform stage', code: 'FROM --platform=linux/amd64 golang:1.22\nCOPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/' },
    {
      name: 'a stage by name (case-insensitive) and by index',
      code: 'FROM --platform=$BUILDPLATFORM alpine AS Tools\nFROM --platform=$BUILDPLATFORM golang:1.22\nCOPY --from=tools / /\nCOPY --from=0 / /',
    },
    { name: 'cache and secret mounts', code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm go build .' },
    { name: 'a variable --from is not expanded', code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nCOPY --from=${TOOLS} / /' },
    { name: 'in a comment', code: 'FROM --platform=$BUILDPLATFORM golang:1.22\n# COPY --from=golangci/golangci-lint / /\nRUN go version' },
    { name: 'xx from the image: its helpers are shell scripts, the same on every platform', code: 'FROM --platform=$BUILDPLATFORM rust:1.79\nCOPY --from=tonistiigi/xx:1.4 / /\nRUN xx-cargo build\n' },
    {
      name: 'the output stage ships the files, never runs them (a pinned output stage is final-stage-on-buildplatform\'s finding)',
      code: 'FROM --platform=$BUILDPLATFORM python:3.12\nCOPY --from=gloursdocker/docker:4 /usr/local/bin/docker /usr/local/bin/docker\n',
    },
    {
      name: 'a stage the build does not reach',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS dev-envs
        COPY --from=gloursdocker/docker:4 /usr/local/bin/docker /usr/local/bin/docker
        RUN docker version
        FROM alpine
        RUN true
      `,
    },
    {
      name: 'target files only copied on to the image (a tarball of target binaries)',
      code: df`
        FROM --platform=$BUILDPLATFORM alpine AS pack
        COPY --from=example/runc:1 /usr/bin/runc /out/runc
        RUN tar -C /out -czf /runc.tgz .
        FROM alpine
        COPY --from=pack /runc.tgz /
      `,
    },
    {
      name: 'an SDK mounted as data for a cross compiler, nothing run from it',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN --mount=from=example/sdk:1,src=/sdk,target=/sdk GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'suppressed',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22\n# xlint ignore=target-image-in-build-stage\nCOPY --from=tonistiigi/xx / /',
    },
  ],
  invalid: [
    {
      name: 'COPY --from=<image> in a $BUILDPLATFORM stage',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/
        RUN golangci-lint run
      `,
      errors: [
        { messageId: 'copy', line: 2, column: 13, endLine: 2, endColumn: 41, fix: 'display-only', message: '"--from=golangci/golangci-lint:v1.59"' },
      ],
    },
    {
      name: 'RUN --mount=from=<image>: the from= value',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN --mount=type=bind,from=golangci/golangci-lint:v1.59,source=/usr/bin/golangci-lint,target=/bin/l /bin/l run\n',
      errors: [{ messageId: 'mount', line: 2, column: 28, endColumn: 56, fix: 'display-only', message: '"from=golangci/golangci-lint:v1.59"' }],
    },
    {
      name: 'an alias stage already exists: unsafe, copy from it',
      code: df`
        FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS lint
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/
        RUN --mount=from=golangci/golangci-lint:v1.59,target=/l /l/usr/bin/golangci-lint run && golangci-lint run
      `,
      errors: [
        { messageId: 'copy', line: 3, column: 13, fix: 'unsafe', message: '"golangci-lint", run on line 4' },
        { messageId: 'mount', line: 4, column: 18, endColumn: 46, fix: 'display-only', message: '"/l/usr/bin/golangci-lint"' },
      ],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS lint
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY --from=lint /usr/bin/golangci-lint /usr/bin/
        RUN --mount=from=golangci/golangci-lint:v1.59,target=/l /l/usr/bin/golangci-lint run && golangci-lint run
      `,
    },
    {
      name: 'inherited through FROM <stage>, lower-case keywords, CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as base\r\nfrom base as build\r\ncopy --from=busybox:1.36 /bin/busybox /bin/\r\nrun busybox wget -q http://example.com\r\n',
      errors: [{ messageId: 'copy', line: 3, column: 13, endColumn: 25, fix: 'display-only' }],
    },
    {
      name: 'a toolchain directory copied over PATH, run in a $BUILDPLATFORM stage the files are copied on to',
      code: df`
        FROM --platform=$BUILDPLATFORM alpine AS toolchain
        COPY --from=golang:1.22-alpine /usr/local/go /usr/local/go
        FROM --platform=$BUILDPLATFORM alpine AS build
        COPY --from=toolchain /usr/local/go /usr/local/go
        ENV PATH=/usr/local/go/bin:/usr/bin:/bin
        RUN go build -o /out/app .
        FROM alpine
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'copy', line: 2, column: 13, fix: 'display-only', message: '"go", run on line 6 (stage "build")' }],
    },
  ],
});

describe('target-image-in-build-stage display-only fix', () => {
  const fixed = (code: string) => {
    const d = lint(code, { rules: [rule], buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] }).diagnostics[0];
    return applyEdits(code, d.fix!.edits);
  };

  it('adds a $BUILDPLATFORM stage above the stage and its comments, and copies from it', () => {
    const code = df`
      # syntax=docker/dockerfile:1
      ARG GO_VERSION=1.22
      # Build the binary.
      # xlint ignore=wrong-arch-artifact
      FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS build
      COPY --from=golangci/golangci-lint:v1.59 /usr/bin/golangci-lint /usr/bin/
      RUN golangci-lint run
    `;
    expect(fixed(code)).toBe(df`
      # syntax=docker/dockerfile:1
      ARG GO_VERSION=1.22
      FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS golangci-lint

      # Build the binary.
      # xlint ignore=wrong-arch-artifact
      FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS build
      COPY --from=golangci-lint /usr/bin/golangci-lint /usr/bin/
      RUN golangci-lint run
    `);
  });

  it('follows keyword case and line endings, and picks a free stage name', () => {
    const code = 'from alpine as busybox\r\nfrom --platform=$BUILDPLATFORM golang:1.22 as build\r\ncopy --from=busybox:1.36@sha256:abc /bin/busybox /bin/\r\nrun busybox true\r\n';
    expect(fixed(code)).toBe(
      'from alpine as busybox\r\nfrom --platform=$BUILDPLATFORM busybox:1.36@sha256:abc as busybox-2\r\n\r\nfrom --platform=$BUILDPLATFORM golang:1.22 as build\r\ncopy --from=busybox-2 /bin/busybox /bin/\r\nrun busybox true\r\n',
    );
  });

  it('rewrites the from= of a mount', () => {
    const code = 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN --mount=type=bind,from=golangci/golangci-lint:v1.59,target=/l /l/golangci-lint run\n';
    expect(fixed(code)).toBe(
      'FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS golangci-lint\n\nFROM --platform=$BUILDPLATFORM golang:1.22\nRUN --mount=type=bind,from=golangci-lint,target=/l /l/golangci-lint run\n',
    );
  });
});
