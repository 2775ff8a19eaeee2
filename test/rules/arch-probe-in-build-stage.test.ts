import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../core/fix';
import { lint } from '../../core/lint';
import rule from '../../rules/arch-probe-in-build-stage';
import { df, ruleTester } from '../rule-tester';

const example = (name: string) => readFileSync(join(__dirname, '../../examples', name), 'utf8');

ruleTester(rule, {
  valid: [
    {
      name: 'a probe that picks a host tool run on the build platform (docker/cli e2e)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:alpine AS build
        ARG TARGETOS TARGETARCH
        RUN wget -O /usr/local/bin/gen https://example.com/gen-$(uname -m) && chmod +x /usr/local/bin/gen
        RUN gen && GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    { name: 'a stage the build does not reach', code: 'FROM --platform=$BUILDPLATFORM alpine AS tools\nRUN uname -m\nFROM alpine\nRUN true\n' },
    { name: 'the example c-make: the probe runs on the target platform', code: example('c-make.Dockerfile') },
    { name: 'the example rust-xx', code: example('rust-xx.Dockerfile') },
    { name: 'the example go-cross', code: example('go-cross.Dockerfile') },
    { name: 'a target-platform stage', code: 'FROM alpine\nRUN echo "$(uname -m)" && apk --print-arch' },
    { name: 'a constant-platform stage', code: 'FROM --platform=linux/amd64 debian\nRUN dpkg --print-architecture' },
    { name: 'uname -a only logs', code: 'FROM --platform=$BUILDPLATFORM alpine\nRUN uname -a' },
    { name: 'uname without -m', code: 'FROM --platform=$BUILDPLATFORM alpine\nRUN uname -s' },
    { name: 'go env GOHOSTARCH asks for the builder', code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN go env GOHOSTARCH' },
    {
      name: 'go env GOARCH after ENV GOARCH',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETARCH\nENV GOARCH=$TARGETARCH\nRUN go env GOARCH',
    },
    { name: 'go env GOARCH with GOARCH set in the RUN', code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETARCH\nRUN export GOARCH=$TARGETARCH && go env GOARCH' },
    { name: 'xx-info is the cure', code: 'FROM --platform=$BUILDPLATFORM alpine\nARG TARGETPLATFORM\nRUN echo "$(xx-info march)"' },
    { name: 'in a comment and as an argument', code: 'FROM --platform=$BUILDPLATFORM alpine\n# uname -m\nRUN echo uname -m arch' },
    { name: 'suppressed', code: 'FROM --platform=$BUILDPLATFORM alpine\n# xlint ignore=arch-probe-in-build-stage\nRUN wget "https://example.com/protoc-linux-$(uname -m).zip"' },
  ],
  invalid: [
    {
      name: 'dpkg --print-architecture in $(...)',
      code: 'FROM --platform=$BUILDPLATFORM debian:bookworm AS fetch\nRUN curl -fsSLo /tini "https://example.com/tini-static-$(dpkg --print-architecture)"\n',
      errors: [
        { messageId: 'probe', line: 2, column: 58, endLine: 2, endColumn: 83, fix: 'display-only', message: '"dpkg --print-architecture" prints the build platform\'s architecture (amd64)' },
      ],
    },
    {
      name: 'uname -m in backticks, arch, apk --print-arch',
      code: df`
        FROM --platform=$BUILDPLATFORM alpine
        RUN A=\`uname -m\` && B=$(arch) && apk --print-arch
      `,
      errors: [
        { messageId: 'probe', line: 2, column: 8, endColumn: 16, message: 'xx-info march' },
        { messageId: 'probe', line: 2, column: 25, endColumn: 29, message: '"arch"' },
        { messageId: 'probe', line: 2, column: 34, endColumn: 50, message: 'xx-info alpine-arch' },
      ],
    },
    {
      name: 'inherited through FROM <stage>, lower-case keywords, CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as base\r\nfrom base as build\r\nrun go env GOARCH\r\n',
      errors: [{ messageId: 'probe', line: 3, column: 5, endColumn: 18, fix: 'display-only', message: 'xx-info arch' }],
    },
    {
      name: 'heredoc and sh -c',
      code: df`
        FROM --platform=$BUILDPLATFORM debian
        RUN <<EOF
        case "$(dpkg --print-architecture)" in amd64) echo x ;; esac
        EOF
        RUN sh -c 'rpm --eval "%{_arch}"'
      `,
      errors: [
        { messageId: 'probe', line: 3, column: 9, endColumn: 34 },
        { messageId: 'probe', line: 5, column: 12, endColumn: 33, message: 'xx-info rhel-arch' },
      ],
    },
    {
      name: 'backtick escape character, continued line',
      code: '# escape=`\nFROM --platform=$BUILDPLATFORM alpine\nRUN echo `\n    "$(uname -m)"\n',
      errors: [{ messageId: 'probe', line: 4, column: 8, endColumn: 16 }],
    },
    {
      name: 'builder arch in the message follows the builder',
      code: 'FROM --platform=$BUILDPLATFORM alpine\nRUN uname -m\n',
      buildPlatform: 'linux/arm64',
      errors: [{ messageId: 'probe', line: 2, column: 5, message: '(arm64)' }],
    },
  ],
});

describe('arch-probe-in-build-stage display-only fix', () => {
  const fixed = (code: string) => {
    const d = lint(code, { rules: [rule], buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] }).diagnostics[0];
    return applyEdits(code, d.fix!.edits);
  };

  it('replaces the probe with xx-info and declares TARGETPLATFORM', () => {
    expect(fixed('FROM --platform=$BUILDPLATFORM debian\nRUN echo "$(dpkg --print-architecture)"\n')).toBe(
      'FROM --platform=$BUILDPLATFORM debian\nARG TARGETPLATFORM\nRUN echo "$(xx-info debian-arch)"\n',
    );
  });

  it('keeps a TARGETPLATFORM already declared', () => {
    expect(fixed('FROM --platform=$BUILDPLATFORM alpine\nARG TARGETPLATFORM\nRUN echo "$(uname -m)"\n')).toBe(
      'FROM --platform=$BUILDPLATFORM alpine\nARG TARGETPLATFORM\nRUN echo "$(xx-info march)"\n',
    );
  });
});
