import rule from '../../rules/ineffective-platform-flag';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\nFROM build AS test\nRUN go test ./...',
    { name: 'a variable image with no stage candidates', code: 'ARG GO_VERSION=1.22\nFROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build\nRUN go version' },
    { name: 'a stage named like an image it also pulls: FROM its own name is the image', code: 'FROM --platform=$BUILDPLATFORM alpine AS alpine\nRUN true' },
    { name: 'suppressed', code: 'FROM alpine AS base\n# xlint ignore=ineffective-platform-flag\nFROM --platform=$BUILDPLATFORM base\nRUN true' },
  ],
  invalid: [
    {
      name: 'the parent is used by this stage only: move the flag (unsafe)',
      code: df`
        FROM golang:1.22 AS deps
        COPY go.mod go.sum ./
        RUN go mod download
        FROM --platform=$BUILDPLATFORM deps AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
      errors: [
        {
          messageId: 'ineffective',
          line: 4,
          column: 6,
          endColumn: 31,
          message: 'has no effect on FROM deps: the stage inherits the platform of "deps" (the target platform)',
          fix: 'unsafe',
        },
      ],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS deps
        COPY go.mod go.sum ./
        RUN go mod download
        FROM deps AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'the flag names the platform the stage inherits anyway: safe removal; lower case, CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\nrun go version\r\nfrom --platform=${BUILDPLATFORM} build as test\r\nrun go test ./...\r\n',
      errors: [{ messageId: 'ineffective', line: 3, column: 6, message: '($BUILDPLATFORM)', fix: 'safe' }],
      output: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\nrun go version\r\nfrom build as test\r\nrun go test ./...\r\n',
    },
    {
      name: 'the same constant: safe removal',
      code: 'FROM --platform=linux/amd64 alpine AS tools\nFROM --platform=linux/amd64 tools AS more\nRUN true',
      errors: [{ messageId: 'ineffective', line: 2, column: 6, fix: 'safe' }],
      output: 'FROM --platform=linux/amd64 alpine AS tools\nFROM tools AS more\nRUN true',
    },
    {
      name: 'the parent is shared: display-only',
      code: df`
        FROM golang:1.22 AS deps
        RUN go mod download
        FROM --platform=$BUILDPLATFORM deps AS build
        RUN go build -o /out/app .
        FROM deps AS test
        RUN go test ./...
      `,
      errors: [{ messageId: 'ineffective', line: 3, column: 6, fix: 'display-only' }],
    },
    {
      name: 'the parent has its own flag: display-only',
      code: 'FROM --platform=linux/arm64 alpine AS base\nRUN true\nFROM --platform=$BUILDPLATFORM base\nRUN true',
      errors: [{ messageId: 'ineffective', line: 3, column: 6, message: '(linux/arm64)', fix: 'display-only' }],
    },
    {
      name: 'the parent is itself FROM a stage: display-only',
      code: 'FROM alpine AS a\nFROM a AS b\nFROM --platform=$BUILDPLATFORM b AS c\nRUN true',
      errors: [{ messageId: 'ineffective', line: 3, column: 6, fix: 'display-only' }],
    },
    {
      name: 'FROM base_${TARGETARCH} picks a stage: display-only',
      code: 'FROM alpine AS base_amd64\nFROM alpine AS base_arm64\nFROM --platform=$BUILDPLATFORM base_${TARGETARCH}\nRUN true',
      errors: [{ messageId: 'ineffective', line: 3, column: 6, message: 'FROM base_${TARGETARCH}', fix: 'display-only' }],
    },
    {
      name: 'backtick escape; stage named with another case',
      code: '# escape=`\nFROM alpine AS Deps\nRUN true\nFROM --platform=$BUILDPLATFORM `\n    deps AS build\nRUN true\n',
      errors: [{ messageId: 'ineffective', line: 4, column: 6, fix: 'unsafe' }],
      unsafeOutput: '# escape=`\nFROM --platform=$BUILDPLATFORM alpine AS Deps\nRUN true\nFROM deps AS build\nRUN true\n',
    },
  ],
});
