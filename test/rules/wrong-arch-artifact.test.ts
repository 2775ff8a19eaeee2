import rule from '../../rules/wrong-arch-artifact';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    {
      name: 'wired with GOOS/GOARCH',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'GOARCH=$TARGETARCH with no ARG TARGETARCH is undeclared-platform-arg\'s finding',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'GOARCH=amd64 is hardcoded-arch\'s finding',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'GOOS/GOARCH from ENV, and go env -w in an earlier RUN',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        ENV GOOS=$TARGETOS GOARCH=$TARGETARCH
        RUN go build -o /out/a ./a
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build2
        ARG TARGETARCH
        RUN go env -w GOARCH=$TARGETARCH
        RUN go build -o /out/b ./b
        FROM scratch
        COPY --from=build /out/a /a
        COPY --from=build2 /out/b /b
      `,
    },
    {
      name: 'xx helpers wire the target',
      code: df`
        FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4 AS xx
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        COPY --from=xx / /
        ARG TARGETPLATFORM
        RUN xx-go --wrap && go build -o /out/a ./a
        RUN xx-go build -o /out/b ./b
        FROM scratch
        COPY --from=build /out/ /
      `,
    },
    {
      name: 'cargo --target, a triple compiler, CC, configure --host',
      code: df`
        FROM --platform=$BUILDPLATFORM rust:1.79 AS rs
        RUN cargo build --release --target aarch64-unknown-linux-gnu
        FROM --platform=$BUILDPLATFORM debian:bookworm AS c
        RUN aarch64-linux-gnu-gcc -o /out/a a.c
        RUN CC=aarch64-linux-gnu-gcc make -C b
        FROM --platform=$BUILDPLATFORM debian:bookworm AS autotools
        RUN ./configure --host=aarch64-linux-gnu && make && make install
        FROM scratch
        COPY --from=rs /target /target
        COPY --from=c /out /out
        COPY --from=autotools /usr/local /usr/local
      `,
    },
    {
      name: 'dotnet with -a, and a portable publish (UseAppHost=false)',
      code: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        ARG TARGETARCH
        RUN dotnet publish -a $TARGETARCH -o /app
        RUN dotnet publish tools/Tool.csproj -o /tool /p:UseAppHost=false
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        COPY --from=build /app /app
        COPY --from=build /tool /tool
      `,
    },
    {
      name: 'go test, go mod download, go generate produce nothing that ships',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN go mod download && go generate ./... && go test ./...
        FROM scratch
        COPY --from=build /src /src
      `,
    },
    {
      name: 'the output never reaches a target-platform stage (final stage on $BUILDPLATFORM)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN go build -o /out/app .
        FROM --platform=$BUILDPLATFORM alpine
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'building only for the builder platform',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      platforms: ['linux/amd64'],
    },
    {
      name: 'unreachable stage',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS unused
        RUN go build -o /out/app .
        FROM scratch
        COPY app /app
      `,
    },
    {
      name: 'a target-platform stage compiles (emulated-build-stage\'s finding)',
      code: df`
        FROM golang:1.22 AS build
        RUN go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'suppressed above the RUN',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        # xlint ignore=wrong-arch-artifact
        RUN go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
  ],
  invalid: [
    {
      name: 'go build without GOOS/GOARCH, cgo off: safe',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        WORKDIR /src
        RUN go mod download
        COPY . .
        RUN --mount=type=cache,target=/root/.cache/go-build \\
            CGO_ENABLED=0 go build -o /out/worker ./cmd/worker
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/worker /worker
      `,
      errors: [
        {
          messageId: 'unwired',
          line: 6,
          column: 19,
          endLine: 6,
          endColumn: 21,
          message: '"go build" runs on $BUILDPLATFORM without GOOS/GOARCH, so it builds for linux/amd64: its output reaches stage 1, and the linux/arm64 image',
          fix: 'safe',
        },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        WORKDIR /src
        RUN go mod download
        COPY . .
        ARG TARGETOS TARGETARCH
        RUN --mount=type=cache,target=/root/.cache/go-build \\
            CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/worker ./cmd/worker
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/worker /worker
      `,
    },
    {
      name: 'cgo not explicitly off: unsafe',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN go install ./cmd/tool
        FROM debian:bookworm-slim
        COPY --from=build /go/bin/tool /usr/local/bin/tool
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 5, fix: 'unsafe', message: '"go install"' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go install ./cmd/tool
        FROM debian:bookworm-slim
        COPY --from=build /go/bin/tool /usr/local/bin/tool
      `,
    },
    {
      name: 'GOOS alone still builds for the builder arch; the existing ARG line grows',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS
        RUN GOOS=$TARGETOS go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'unwired', line: 4, column: 20, fix: 'safe', message: 'without GOARCH,' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'through another $BUILDPLATFORM stage and a FROM <stage> child, with arm/v7 (GOARM)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS compile
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM compile AS pkg
        RUN tar -C /out -czf /app.tgz .
        FROM --platform=$BUILDPLATFORM alpine AS stage2
        COPY --from=pkg /app.tgz /app.tgz
        FROM alpine
        COPY --from=stage2 /app.tgz /app.tgz
      `,
      platforms: ['linux/amd64', 'linux/arm/v7'],
      errors: [{ messageId: 'unwired', line: 2, column: 19, fix: 'safe', message: 'without GOOS/GOARCH/GOARM, so it builds for linux/amd64: its output reaches stage 3, and the linux/arm/v7 image' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS compile
        ARG TARGETOS TARGETARCH TARGETVARIANT
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=\${TARGETVARIANT#v} go build -o /out/app .
        FROM compile AS pkg
        RUN tar -C /out -czf /app.tgz .
        FROM --platform=$BUILDPLATFORM alpine AS stage2
        COPY --from=pkg /app.tgz /app.tgz
        FROM alpine
        COPY --from=stage2 /app.tgz /app.tgz
      `,
    },
    {
      name: 'mounted into the target stage, go build in a heredoc',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN <<EOF
        export CGO_ENABLED=0
        go build -o /out/app .
        EOF
        FROM alpine
        RUN --mount=from=build,source=/out,target=/mnt cp /mnt/app /usr/local/bin/app
      `,
      errors: [{ messageId: 'unwired', line: 4, column: 1, fix: 'safe' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN <<EOF
        export CGO_ENABLED=0
        GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        EOF
        FROM alpine
        RUN --mount=from=build,source=/out,target=/mnt cp /mnt/app /usr/local/bin/app
      `,
    },
    {
      name: 'CRLF and lower-case keywords',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\nrun CGO_ENABLED=0 go build -o /app .\r\nfrom scratch\r\ncopy --from=build /app /app\r\n',
      errors: [{ messageId: 'unwired', line: 2, column: 19, endColumn: 21, fix: 'safe' }],
      output:
        'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETOS TARGETARCH\r\n' +
        'run CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\r\nfrom scratch\r\ncopy --from=build /app /app\r\n',
    },
    {
      name: 'backtick escape',
      code: df`
        # escape=\`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 \`
            go build -o /out/app.exe .
        FROM scratch
        COPY --from=build /out/app.exe /app.exe
      `,
      errors: [{ messageId: 'unwired', line: 4, column: 5, fix: 'safe' }],
      output: df`
        # escape=\`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 \`
            GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app.exe .
        FROM scratch
        COPY --from=build /out/app.exe /app.exe
      `,
    },
    {
      name: 'dotnet publish --no-restore: -a on the publish and on its restore',
      code: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        WORKDIR /src
        RUN dotnet restore
        RUN dotnet publish -c Release -o /app --no-restore
        FROM mcr.microsoft.com/dotnet/runtime-deps:8.0
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'unwired', line: 4, column: 5, endColumn: 11, fix: 'safe', message: '"dotnet publish" runs on $BUILDPLATFORM without -a $TARGETARCH' }],
      output: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        WORKDIR /src
        ARG TARGETARCH
        RUN dotnet restore -a $TARGETARCH
        RUN dotnet publish -c Release -o /app --no-restore -a $TARGETARCH
        FROM mcr.microsoft.com/dotnet/runtime-deps:8.0
        COPY --from=build /app /app
      `,
    },
    {
      name: 'a self-contained publish is not portable, even without an apphost',
      code: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        RUN dotnet publish --self-contained -o /app /p:UseAppHost=false
        FROM debian:bookworm-slim
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 5, fix: 'safe' }],
      output: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        ARG TARGETARCH
        RUN dotnet publish --self-contained -o /app /p:UseAppHost=false -a $TARGETARCH
        FROM debian:bookworm-slim
        COPY --from=build /app /app
      `,
    },
    {
      name: 'cargo build: display-only (xx-cargo)',
      code: df`
        FROM --platform=$BUILDPLATFORM rust:1.79 AS build
        RUN cargo build --release
        FROM debian:bookworm-slim
        COPY --from=build /target/release/app /app
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 5, endColumn: 10, fix: 'display-only', message: 'without --target' }],
    },
    {
      name: 'configure && make: one finding per RUN, display-only',
      code: df`
        FROM --platform=$BUILDPLATFORM gcc:13 AS build
        RUN ./configure --prefix=/usr/local && make && make install
        RUN gcc -o /usr/local/bin/helper helper.c
        FROM debian:bookworm-slim
        COPY --from=build /usr/local /usr/local
      `,
      errors: [
        { messageId: 'unwired', line: 2, column: 5, endColumn: 16, fix: 'display-only', message: '"configure" runs on $BUILDPLATFORM without a cross compiler' },
        { messageId: 'unwired', line: 3, column: 5, fix: 'display-only', message: '"gcc"' },
      ],
    },
    {
      name: 'exec form: reported, no fix',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN ["go", "build", "-o", "/out/app", "."]
        FROM scratch
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 6, endColumn: 10, fix: null }],
    },
  ],
});
