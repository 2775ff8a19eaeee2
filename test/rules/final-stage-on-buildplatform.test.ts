import rule from '../../rules/final-stage-on-buildplatform';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    { name: 'a last stage that is a check, not an image', code: 'FROM --platform=$BUILDPLATFORM golangci/golangci-lint:v1.59 AS lint\nRUN golangci-lint run\n' },
    { name: 'cacheonly', code: 'FROM --platform=$BUILDPLATFORM alpine AS base\nRUN true\nFROM base AS cacheonly\n' },
    {
      name: 'build stage on $BUILDPLATFORM, output stage on the target (examples/go-cross)',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app',
    },
    { name: 'with --target, a later pinned stage is not the output stage', code: 'FROM alpine AS final\nRUN true\nFROM --platform=$BUILDPLATFORM golang AS tools\nRUN go version', target: 'final' },
    { name: 'the output stage on $TARGETPLATFORM', code: 'FROM --platform=$TARGETPLATFORM alpine\nRUN true' },
    { name: 'a per-arch output stage picked FROM base_${TARGETARCH} (examples/per-arch-stages)', code: 'FROM alpine AS base_amd64\nFROM alpine AS base_arm64\nFROM base_${TARGETARCH}\nRUN true' },
    { name: 'suppressed', code: '# xlint ignore=final-stage-on-buildplatform\nFROM --platform=$BUILDPLATFORM alpine\nCOPY app /app' },
  ],
  invalid: [
    {
      name: 'output stage on $BUILDPLATFORM that only copies: safe removal',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM --platform=$BUILDPLATFORM gcr.io/distroless/static-debian12
        COPY --from=build /out/app /app
        ENTRYPOINT ["/app"]
      `,
      errors: [
        {
          messageId: 'pinned',
          line: 4,
          column: 6,
          endLine: 4,
          endColumn: 31,
          message: 'every target platform (linux/amd64, linux/arm64) would get the linux/amd64 image',
          fix: 'safe',
        },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/app /app
        ENTRYPOINT ["/app"]
      `,
    },
    {
      name: 'output stage with RUN steps: unsafe (they become emulated)',
      code: 'FROM --platform=${BUILDPLATFORM} alpine:3.20\nRUN apk add --no-cache ca-certificates\n',
      errors: [{ messageId: 'pinned', line: 1, column: 6, endColumn: 33, fix: 'unsafe' }],
      unsafeOutput: 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n',
    },
    {
      name: 'a constant; lower case and CRLF',
      code: 'from golang:1.22 as build\r\nrun go build -o /out/app .\r\nfrom --platform=linux/amd64 scratch\r\ncopy --from=build /out/app /app\r\n',
      errors: [{ messageId: 'pinned', line: 3, column: 6, message: 'would get the linux/amd64 image', fix: 'safe' }],
      output: 'from golang:1.22 as build\r\nrun go build -o /out/app .\r\nfrom scratch\r\ncopy --from=build /out/app /app\r\n',
    },
    {
      name: 'on an arm64 builder, backtick escape, flag alone on a continued line',
      code: '# escape=`\nFROM `\n    --platform=$BUILDPLATFORM `\n    alpine:3.20\nCOPY app /app\n',
      buildPlatform: 'linux/arm64',
      errors: [{ messageId: 'pinned', line: 3, column: 5, message: 'the linux/arm64 image', fix: 'safe' }],
      output: '# escape=`\nFROM `\n    alpine:3.20\nCOPY app /app\n',
    },
    {
      name: 'flag continued onto a comment line: the continuation stays (BuildKit skips the comment; without it `FROM # the image`)',
      code: 'FROM --platform=$BUILDPLATFORM \\\n# the image\n  alpine\n',
      errors: [{ messageId: 'pinned', line: 1, column: 6, fix: 'safe' }],
      output: 'FROM \\\n# the image\n  alpine\n',
    },
    {
      name: 'flag continued onto an empty line: the continuation stays',
      code: 'FROM --platform=$BUILDPLATFORM \\\n\n  alpine\n',
      errors: [{ messageId: 'pinned', line: 1, column: 6, fix: 'safe' }],
      output: 'FROM \\\n\n  alpine\n',
    },
    {
      name: '--target selects a pinned stage',
      code: 'FROM --platform=$BUILDPLATFORM node:20 AS assets\nRUN npm run build\nFROM nginx\nCOPY --from=assets /dist /usr/share/nginx/html',
      target: 'assets',
      errors: [{ messageId: 'pinned', line: 1, column: 6, fix: 'unsafe' }],
    },
    {
      name: 'the output stage inherits the builder platform from its parent: no fix',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM build AS final
        ENTRYPOINT ["/out/app"]
      `,
      errors: [
        { messageId: 'inherited', line: 4, column: 6, endColumn: 11, message: 'built FROM "build", which is pinned to "$BUILDPLATFORM"', fix: null },
      ],
    },
    {
      name: 'inherited, with an ineffective flag of its own: reported on the image',
      code: 'FROM --platform=linux/amd64 alpine AS base\nRUN true\nFROM --platform=$TARGETPLATFORM base\nCOPY app /app',
      errors: [{ messageId: 'inherited', line: 3, column: 33, endColumn: 37, message: 'pinned to "linux/amd64"' }],
    },
  ],
});
