import rule from '../../rules/shadowed-platform-arg';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build ./...',
    { name: 'a global ARG without default', code: 'ARG TARGETARCH\nFROM alpine:3.20 AS base_amd64\nFROM base_$TARGETARCH' },
    { name: 'other args may have defaults', code: 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}\nARG VERSION=dev TARGETSTAGE_X=1\nRUN echo $VERSION' },
    { name: 'TARGETSTAGE is not a platform arg', code: 'FROM alpine\nARG TARGETSTAGE=final' },
    { name: 'ENV is not ARG', code: 'FROM alpine\nENV TARGETARCH=amd64' },
    { name: 'suppressed', code: '# xlint ignore=shadowed-platform-arg\nARG TARGETARCH=amd64\nFROM alpine' },
  ],
  invalid: [
    {
      name: 'a global default pins every platform (examples/go-shadowed-arg)',
      code: df`
        ARG GO_VERSION=1.22
        # Default so that a plain docker build without buildx still works.
        ARG TARGETARCH=amd64
        FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'global', line: 3, column: 5, endLine: 3, endColumn: 21, message: '"amd64" whatever the platform', fix: 'safe' }],
      output: df`
        ARG GO_VERSION=1.22
        # Default so that a plain docker build without buildx still works.
        ARG TARGETARCH
        FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'a global BUILDPLATFORM pins every $BUILDPLATFORM stage',
      code: 'ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version',
      errors: [
        {
          messageId: 'globalBuild',
          line: 1,
          column: 5,
          endColumn: 30,
          message: 'on a linux/amd64 builder nothing changes, but on any other builder (an arm64 one, say) every $BUILDPLATFORM stage runs emulated',
          fix: 'safe',
          severity: 'warning',
        },
      ],
      output: 'ARG BUILDPLATFORM\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version',
    },
    {
      name: 'in a stage; one name of several; lower case and CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETOS=linux TARGETARCH="arm64" VERSION=1\r\nrun GOOS=$TARGETOS GOARCH=$TARGETARCH go build ./...\r\n',
      errors: [
        // Every target is linux: restating it is information; "arm64" for the amd64 target is an error.
        { messageId: 'sameForAll', line: 2, column: 5, endColumn: 19, message: '"TARGETOS=linux" restates the automatic TARGETOS', fix: 'safe', severity: 'info' },
        { messageId: 'stage', line: 2, column: 20, endColumn: 38, message: 'every target platform gets "arm64"', fix: 'safe', severity: 'error' },
      ],
      output: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETOS TARGETARCH VERSION=1\r\nrun GOOS=$TARGETOS GOARCH=$TARGETARCH go build ./...\r\n',
    },
    {
      name: 'an empty default is a default too (the same for amd64 and arm64: information)',
      code: 'FROM alpine\nARG TARGETVARIANT=\nRUN echo "$TARGETVARIANT"',
      errors: [{ messageId: 'sameForAll', line: 2, column: 5, endColumn: 19, severity: 'info' }],
      output: 'FROM alpine\nARG TARGETVARIANT\nRUN echo "$TARGETVARIANT"',
    },
    {
      name: 'backtick escape, continued ARG',
      code: '# escape=`\nFROM alpine\nARG TARGETOS `\n    TARGETARCH=amd64\nRUN echo $TARGETARCH',
      errors: [{ messageId: 'stage', line: 4, column: 5 }],
      output: '# escape=`\nFROM alpine\nARG TARGETOS `\n    TARGETARCH\nRUN echo $TARGETARCH',
    },
    {
      name: 'a per-arch stage (name carries the default): unsafe',
      code: df`
        FROM alpine AS build_arm64
        ARG TARGETARCH=arm64
        RUN echo $TARGETARCH > /arch
        FROM alpine AS build_amd64
        RUN echo amd64 > /arch
        FROM build_\${TARGETARCH}
      `,
      errors: [{ messageId: 'stage', line: 2, column: 5, fix: 'unsafe' }],
      unsafeOutput: df`
        FROM alpine AS build_arm64
        ARG TARGETARCH
        RUN echo $TARGETARCH > /arch
        FROM alpine AS build_amd64
        RUN echo amd64 > /arch
        FROM build_\${TARGETARCH}
      `,
    },
    {
      name: 'a stage pinned to a constant platform: unsafe',
      code: 'FROM --platform=linux/amd64 alpine AS tools\nARG TARGETARCH=amd64\nRUN wget https://example.com/tool-$TARGETARCH\nFROM alpine\nCOPY --from=tools /tool /tool',
      errors: [{ messageId: 'stage', line: 2, column: 5, fix: 'unsafe' }],
      unsafeOutput: 'FROM --platform=linux/amd64 alpine AS tools\nARG TARGETARCH\nRUN wget https://example.com/tool-$TARGETARCH\nFROM alpine\nCOPY --from=tools /tool /tool',
    },
    {
      name: 'global and stage defaults both reported',
      code: 'ARG TARGETPLATFORM=linux/amd64\nFROM --platform=$TARGETPLATFORM alpine\nARG TARGETPLATFORM=linux/arm64\nRUN echo $TARGETPLATFORM',
      errors: [
        { messageId: 'global', line: 1, column: 5 },
        { messageId: 'stage', line: 3, column: 5 },
      ],
      output: 'ARG TARGETPLATFORM\nFROM --platform=$TARGETPLATFORM alpine\nARG TARGETPLATFORM\nRUN echo $TARGETPLATFORM',
    },
  ],
});
