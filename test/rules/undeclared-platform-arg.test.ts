import rule from '../../rules/undeclared-platform-arg';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    {
      name: 'the cross-compiling Go shape (examples/go-cross)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY . .
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'FROM lines read the global scope: FROM base_${TARGETARCH} needs no ARG (examples/per-arch-stages)',
      code: df`
        FROM alpine:3.20 AS base_amd64
        FROM alpine:3.20 AS base_arm64
        FROM base_\${TARGETARCH}
        RUN true
      `,
    },
    {
      name: 'declared in the parent stage, used in the child',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS base
        ARG TARGETARCH
        FROM base AS build
        RUN GOARCH=$TARGETARCH go build ./...
      `,
    },
    {
      name: 'set by ENV in the stage',
      code: 'FROM alpine\nENV TARGETARCH=arm64\nRUN echo $TARGETARCH',
    },
    {
      name: 'single quotes: the shell does not expand it',
      code: "FROM alpine\nRUN echo '$TARGETARCH' > /note",
    },
    {
      name: 'the script assigns it itself',
      code: 'FROM alpine\nRUN TARGETARCH="$(apk --print-arch)" && echo "$TARGETARCH"',
    },
    {
      name: 'CMD and ENTRYPOINT run in the container, where no ARG exists: not ours',
      code: 'FROM alpine\nCMD echo $TARGETARCH\nENTRYPOINT ["sh", "-c", "echo $TARGETPLATFORM"]',
    },
    {
      name: 'COPY --from is not expanded',
      code: 'FROM alpine AS build-amd64\nFROM alpine\nCOPY --from=build-$TARGETARCH /out /out',
    },
    {
      name: 'ARG TARGETARCH A=$TARGETARCH: names are declared left to right',
      code: 'FROM alpine\nARG TARGETARCH ARCH_DIR=/opt/$TARGETARCH\nRUN mkdir -p "$ARCH_DIR"',
    },
    {
      name: 'a non-platform arg is not this rule’s',
      code: 'FROM alpine\nRUN echo $VERSION $HOME',
    },
    {
      name: 'xx helpers with ARG TARGETPLATFORM (examples/rust-xx)',
      code: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4 AS xx
        FROM --platform=$BUILDPLATFORM rust:1.79 AS build
        COPY --from=xx / /
        ARG TARGETPLATFORM
        RUN xx-apt-get install -y gcc libc6-dev
        RUN xx-cargo build --release && xx-verify ./target/$(xx-cargo --print-target-triple)/release/app
        FROM debian:bookworm-slim
        COPY --from=build /src/target /app
      `,
    },
    {
      name: 'xx helpers also read TARGETARCH',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --from=tonistiigi/xx / /\nARG TARGETOS TARGETARCH\nRUN xx-go build -o /out/app .',
    },
    {
      name: 'xx-clang without TARGETPLATFORM builds a host tool that is run, not shipped (a tblgen)',
      code: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx
        FROM --platform=$BUILDPLATFORM alpine AS tools
        COPY --from=xx / /
        RUN xx-clang -o /usr/bin/gen gen.c
        FROM tools AS build
        ARG TARGETPLATFORM
        RUN gen > gen.h && xx-clang -o /out/app app.c
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'xx-go --wrap without TARGETPLATFORM in a test stage the build does not reach',
      code: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx
        FROM --platform=$BUILDPLATFORM golang:alpine AS base
        COPY --from=xx / /
        FROM base AS test
        RUN xx-go --wrap && go test ./...
        FROM base AS build
        ARG TARGETPLATFORM
        RUN xx-go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'xx helpers in a stage on the target platform fall back to the right platform',
      code: 'FROM golang:1.22 AS build\nCOPY --from=tonistiigi/xx / /\nRUN xx-go build -o /out/app .',
    },
    {
      name: 'suppressed on the RUN',
      code: 'FROM alpine\n# xlint ignore=undeclared-platform-arg\nRUN echo $TARGETARCH',
    },
    {
      name: 'suppressed for the stage',
      code: 'FROM alpine AS a\n# xlint ignore=undeclared-platform-arg\nFROM alpine AS b\nRUN echo $TARGETARCH\nRUN echo $TARGETOS',
    },
  ],
  invalid: [
    {
      name: 'GOARCH=$TARGETARCH with only ARG TARGETOS: appended to that ARG (examples/go-undeclared-arg)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY go.mod go.sum ./
        RUN go mod download
        COPY . .
        ARG TARGETOS
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'undeclared', line: 6, column: 41, endLine: 6, endColumn: 52, message: '$TARGETARCH is empty here', fix: 'safe' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY go.mod go.sum ./
        RUN go mod download
        COPY . .
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM alpine:3.20
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'two names, one ARG line after the FROM',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN GOOS=$TARGETOS GOARCH=${TARGETARCH} go build -o /out/app .\n',
      errors: [
        { messageId: 'undeclared', line: 2, column: 10, endColumn: 19, fix: 'safe' },
        { messageId: 'undeclared', line: 2, column: 27, endColumn: 40, message: '${TARGETARCH}', fix: 'safe' },
      ],
      output: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=${TARGETARCH} go build -o /out/app .\n',
    },
    {
      name: 'lower-case keywords and CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\nrun GOARCH=$TARGETARCH go build ./...\r\n',
      errors: [{ messageId: 'undeclared', line: 2, column: 12 }],
      output: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETARCH\r\nrun GOARCH=$TARGETARCH go build ./...\r\n',
    },
    {
      name: 'backtick escape: the ARG goes after the continued FROM',
      code: '# escape=`\nFROM --platform=$BUILDPLATFORM `\n    golang:1.22 AS build\nRUN GOARCH=$TARGETARCH `\n    go build ./...\n',
      errors: [{ messageId: 'undeclared', line: 4, column: 12 }],
      output: '# escape=`\nFROM --platform=$BUILDPLATFORM `\n    golang:1.22 AS build\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH `\n    go build ./...\n',
    },
    {
      name: 'heredoc RUN: found in the body, the body is left alone',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN <<EOF
        set -e
        GOARCH=$TARGETARCH go build -o /out/app .
        EOF
      `,
      errors: [{ messageId: 'undeclared', line: 4, column: 8, endColumn: 19 }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETARCH
        RUN <<EOF
        set -e
        GOARCH=$TARGETARCH go build -o /out/app .
        EOF
      `,
    },
    {
      name: 'ENV, WORKDIR, COPY and LABEL expand at build time too; every use, one fix',
      code: df`
        FROM alpine:3.20
        ENV ARCH=$TARGETARCH
        WORKDIR /opt/\${TARGETOS}
        COPY dist/$TARGETARCH/app /app
        LABEL org.opencontainers.image.platform=$TARGETPLATFORM
      `,
      errors: [
        { messageId: 'undeclared', line: 2, column: 10, fix: 'safe' },
        { messageId: 'undeclared', line: 3, column: 14, fix: 'safe' },
        { messageId: 'undeclared', line: 4, column: 11, fix: 'safe' },
        { messageId: 'undeclared', line: 5, column: 41, fix: 'safe' },
      ],
      output: df`
        FROM alpine:3.20
        ARG TARGETARCH TARGETOS TARGETPLATFORM
        ENV ARCH=$TARGETARCH
        WORKDIR /opt/\${TARGETOS}
        COPY dist/$TARGETARCH/app /app
        LABEL org.opencontainers.image.platform=$TARGETPLATFORM
      `,
    },
    {
      name: 'a global ARG is visible only in FROM lines',
      code: 'ARG TARGETARCH\nFROM --platform=$BUILDPLATFORM golang:1.22\nRUN GOARCH=$TARGETARCH go build ./...',
      errors: [{ messageId: 'globalOnly', line: 3, column: 12, message: 'global ARG TARGETARCH is visible only in FROM lines' }],
      output: 'ARG TARGETARCH\nFROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build ./...',
    },
    {
      name: 'builder args in a target stage; default operator',
      code: 'FROM alpine\nRUN echo "built on ${BUILDPLATFORM:-unknown} for $TARGETPLATFORM" > /etc/build-info',
      errors: [
        { messageId: 'undeclared', line: 2, column: 20, endColumn: 45 },
        { messageId: 'undeclared', line: 2, column: 50, endColumn: 65 },
      ],
      output: 'FROM alpine\nARG BUILDPLATFORM TARGETPLATFORM\nRUN echo "built on ${BUILDPLATFORM:-unknown} for $TARGETPLATFORM" > /etc/build-info',
    },
    {
      name: 'each stage gets its own ARG; a declared stage is left alone',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS api
        RUN GOARCH=$TARGETARCH go build -o /out/api ./cmd/api
        FROM --platform=$BUILDPLATFORM golang:1.22 AS worker
        ARG TARGETARCH
        RUN GOARCH=$TARGETARCH go build -o /out/worker ./cmd/worker
        FROM --platform=$BUILDPLATFORM golang:1.22 AS cli
        RUN GOARCH=$TARGETARCH go build -o /out/cli ./cmd/cli
        FROM alpine
        COPY --from=api /out/api /api
        COPY --from=worker /out/worker /worker
        COPY --from=cli /out/cli /cli
      `,
      errors: [
        { messageId: 'undeclared', line: 2, column: 12 },
        { messageId: 'undeclared', line: 7, column: 12 },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS api
        ARG TARGETARCH
        RUN GOARCH=$TARGETARCH go build -o /out/api ./cmd/api
        FROM --platform=$BUILDPLATFORM golang:1.22 AS worker
        ARG TARGETARCH
        RUN GOARCH=$TARGETARCH go build -o /out/worker ./cmd/worker
        FROM --platform=$BUILDPLATFORM golang:1.22 AS cli
        ARG TARGETARCH
        RUN GOARCH=$TARGETARCH go build -o /out/cli ./cmd/cli
        FROM alpine
        COPY --from=api /out/api /api
        COPY --from=worker /out/worker /worker
        COPY --from=cli /out/cli /cli
      `,
    },
    {
      name: 'xx helpers without TARGETPLATFORM in a $BUILDPLATFORM stage: reported on each command word',
      code: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4 AS xx
        FROM --platform=$BUILDPLATFORM rust:1.79 AS build
        COPY --from=xx / /
        RUN xx-apt-get install -y gcc libc6-dev
        RUN xx-cargo build --release && \\
            xx-verify ./target/release/app
        FROM debian:bookworm-slim
        COPY --from=build /src/target /app
      `,
      errors: [
        { messageId: 'xxHelper', line: 4, column: 5, endColumn: 15, message: 'xx-apt-get reads TARGETPLATFORM', fix: 'safe' },
        { messageId: 'xxHelper', line: 5, column: 5, endColumn: 13, message: '(linux/amd64)' },
        { messageId: 'xxHelper', line: 6, column: 5, endColumn: 14 },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4 AS xx
        FROM --platform=$BUILDPLATFORM rust:1.79 AS build
        ARG TARGETPLATFORM
        COPY --from=xx / /
        RUN xx-apt-get install -y gcc libc6-dev
        RUN xx-cargo build --release && \\
            xx-verify ./target/release/app
        FROM debian:bookworm-slim
        COPY --from=build /src/target /app
      `,
    },
    {
      name: 'xx helper and a $TARGETOS in one stage: names in order of first use',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN xx-go build -o /out/app-$TARGETOS .\nFROM scratch\nCOPY --from=build /out /',
      errors: [
        { messageId: 'xxHelper', line: 2, column: 5 },
        { messageId: 'undeclared', line: 2, column: 29 },
      ],
      output: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETPLATFORM TARGETOS\nRUN xx-go build -o /out/app-$TARGETOS .\nFROM scratch\nCOPY --from=build /out /',
    },
    {
      name: 'suppression covers one RUN only',
      code: 'FROM alpine\n# xlint ignore=undeclared-platform-arg\nRUN echo $TARGETARCH\nRUN echo $TARGETOS',
      errors: [{ messageId: 'undeclared', line: 4, column: 10 }],
      output: 'FROM alpine\nARG TARGETARCH TARGETOS\n# xlint ignore=undeclared-platform-arg\nRUN echo $TARGETARCH\nRUN echo $TARGETOS',
    },
    {
      name: 'an indented stage keeps its indentation',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n    WORKDIR /src\n    RUN GOARCH=$TARGETARCH go build ./...',
      errors: [{ messageId: 'undeclared', line: 3, column: 16 }],
      output: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n    ARG TARGETARCH\n    WORKDIR /src\n    RUN GOARCH=$TARGETARCH go build ./...',
    },
    {
      name: 'a later ARG does not cover an earlier use',
      code: 'FROM alpine\nRUN echo $TARGETARCH\nARG TARGETARCH\nRUN echo $TARGETARCH',
      errors: [{ messageId: 'undeclared', line: 2, column: 10 }],
      output: 'FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\nARG TARGETARCH\nRUN echo $TARGETARCH',
    },
  ],
});
