import rule from '../../rules/constant-platform';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\nFROM alpine\nCOPY --from=build /a /a',
    { name: 'the stage name carries the architecture (BuildKit’s exception)', code: 'FROM --platform=linux/amd64 alpine AS build-amd64\nRUN true\nFROM alpine\nCOPY --from=build-amd64 /a /a' },
    { name: 'the stage name carries the OS', code: 'FROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver AS windows\nFROM alpine\nCOPY --from=windows /a /a' },
    { name: 'the name carries the architecture as written (aarch64)', code: 'FROM --platform=linux/aarch64 alpine AS tools_aarch64\nFROM alpine\nCOPY --from=tools_aarch64 /a /a' },
    { name: 'a variable is not a constant', code: 'ARG ARCH=amd64\nFROM --platform=linux/${ARCH} alpine AS tools\nFROM alpine\nCOPY --from=tools /a /a' },
    { name: 'not a platform: left to BuildKit', code: 'FROM --platform=foo alpine AS tools\nFROM alpine\nCOPY --from=tools /a /a' },
    { name: 'the output stage is final-stage-on-buildplatform’s', code: 'FROM --platform=linux/amd64 alpine\nRUN true' },
    { name: 'FROM <stage> is ineffective-platform-flag’s', code: 'FROM alpine AS base\nFROM --platform=linux/amd64 base AS tools\nFROM alpine\nCOPY --from=tools /a /a' },
    { name: 'suppressed by check=skip', code: '# check=skip=FromPlatformFlagConstDisallowed\nFROM --platform=linux/amd64 alpine AS tools\nFROM alpine\nCOPY --from=tools /a /a' },
    { name: 'suppressed by hadolint ignore', code: 'FROM alpine AS x\n# hadolint ignore=DL3029\nFROM --platform=linux/amd64 alpine AS tools\nFROM alpine\nCOPY --from=tools /a /a' },
  ],
  invalid: [
    {
      name: 'a copied build stage: unsafe $BUILDPLATFORM',
      code: df`
        FROM --platform=linux/amd64 golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
      errors: [
        { messageId: 'constant', line: 1, column: 6, endLine: 1, endColumn: 28, message: '"--platform=linux/amd64" pins this stage', fix: 'unsafe' },
      ],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'mounted from; lower case and CRLF',
      code: 'from --platform=linux/arm64 python:3.12 as wheels\r\nrun pip wheel -w /wheels .\r\nfrom python:3.12\r\nrun --mount=from=wheels,source=/wheels,target=/w pip install /w/*\r\n',
      errors: [{ messageId: 'constant', line: 1, column: 6, fix: 'unsafe' }],
      unsafeOutput: 'from --platform=$BUILDPLATFORM python:3.12 as wheels\r\nrun pip wheel -w /wheels .\r\nfrom python:3.12\r\nrun --mount=from=wheels,source=/wheels,target=/w pip install /w/*\r\n',
    },
    {
      name: 'a parent stage nobody copies from: no fix',
      code: 'FROM --platform=linux/amd64 debian:bookworm AS base\nRUN apt-get update\nFROM base\nRUN true',
      errors: [{ messageId: 'constant', line: 1, column: 6, fix: null }],
    },
    {
      name: 'an unnamed stage copied by index; backtick escape',
      code: '# escape=`\nFROM --platform=linux/amd64 `\n    alpine\nRUN wget -O /tool https://example.com/tool\nFROM alpine\nCOPY --from=0 /tool /tool\n',
      errors: [{ messageId: 'constant', line: 2, column: 6, fix: 'unsafe' }],
      unsafeOutput: '# escape=`\nFROM --platform=$BUILDPLATFORM `\n    alpine\nRUN wget -O /tool https://example.com/tool\nFROM alpine\nCOPY --from=0 /tool /tool\n',
    },
  ],
});
