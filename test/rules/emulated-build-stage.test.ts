import rule from '../../rules/emulated-build-stage';
import { df, ruleTester } from '../rule-tester';

/** A stage that runs a project script copied from the build context (issue #10, cause 8). */
const RUNC_FROM_SCRIPT = df`
  FROM golang:1.22 AS runc
  COPY install-runc /usr/local/bin/
  RUN install-runc
  FROM debian:bookworm-slim
  COPY --from=runc /usr/local/bin/runc /usr/local/bin/runc
`;

ruleTester(rule, {
  valid: [
    {
      name: 'already cross-compiling on $BUILDPLATFORM',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'single-platform build on the builder platform: nothing is emulated',
      code: df`
        FROM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      platforms: ['linux/amd64'],
    },
    {
      name: 'arm64 builder building arm64 only',
      code: df`
        FROM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM alpine
        COPY --from=build /out/app /app
      `,
      platforms: ['linux/arm64'],
      buildPlatform: 'linux/arm64',
    },
    {
      name: 'the output stage itself builds (nothing is copied elsewhere)',
      code: 'FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /out/app .\n',
    },
    {
      name: '--target makes the build stage the output',
      code: df`
        FROM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      target: 'build',
    },
    {
      name: 'unreachable build stage',
      code: df`
        FROM golang:1.22 AS unused
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM alpine
        RUN true
      `,
    },
    {
      name: 'a copied stage without build work',
      code: df`
        FROM alpine:3.20 AS certs
        RUN apk add --no-cache ca-certificates
        FROM scratch
        COPY --from=certs /etc/ssl/certs /etc/ssl/certs
      `,
    },
    {
      name: 'a stage pinned to a constant platform (constant-platform reports it)',
      code: df`
        FROM --platform=linux/amd64 golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'go mod download is not build work',
      code: df`
        FROM golang:1.22 AS deps
        RUN go mod download
        FROM scratch
        COPY --from=deps /go/pkg /go/pkg
      `,
    },
    {
      name: 'per-arch stages picked with FROM base_${TARGETARCH}',
      code: df`
        FROM alpine:3.20 AS base_amd64
        RUN apk add --no-cache xz
        FROM alpine:3.20 AS base_arm64
        RUN apk add --no-cache xz
        FROM base_\${TARGETARCH}
        RUN true
      `,
    },
    {
      name: 'suppressed on the stage',
      code: df`
        # xlint ignore=emulated-build-stage
        FROM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'suppressed for the file',
      code: df`
        FROM maven:3.9 AS build
        RUN mvn -B package
        # xlint global ignore=emulated-build-stage
        FROM eclipse-temurin:21-jre
        COPY --from=build /build/app.jar /app.jar
      `,
    },
    {
      name: 'a project script from the build context that the CLI did not read: opaque, nothing is guessed',
      code: RUNC_FROM_SCRIPT,
    },
    {
      name: 'a project script from the build context that only installs packages: no build work',
      code: RUNC_FROM_SCRIPT,
      context: { scripts: { 'install-runc': '#!/bin/sh\nset -e\napt-get update\napt-get install -y runc\ncp /usr/sbin/runc /usr/local/bin/runc\n' } },
    },
    {
      name: 'a project script copied after the RUN that would run it is not there yet',
      code: df`
        FROM golang:1.22 AS build
        WORKDIR /src
        RUN sh hack/build.sh || true
        COPY . .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      context: { scripts: { 'hack/build.sh': 'go build -o /out/app ./cmd/app\n' } },
    },
    {
      name: 'a project script that compiles, run in a $BUILDPLATFORM stage: nothing is emulated',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        WORKDIR /src
        COPY . .
        RUN ./hack/build.sh
        FROM scratch
        COPY --from=build /out/app /app
      `,
      context: { scripts: { 'hack/build.sh': 'go build -o /out/app ./cmd/app\n' } },
    },
  ],
  invalid: [
    {
      name: 'a project script from the build context that runs make (cause 8): the build it hides is emulated; the cross-toolchain advice is display-only, as for RUN make',
      code: RUNC_FROM_SCRIPT,
      context: { scripts: { 'install-runc': '#!/bin/sh\nset -e\ngit clone https://github.com/opencontainers/runc /go/src/runc\ncd /go/src/runc\nmake static\nmake install\n' } },
      errors: [{ messageId: 'crossToolchain', line: 1, column: 6, message: 'Stage "runc" runs "install-runc" emulated on linux/arm64', fix: 'display-only' }],
    },
    {
      name: 'a Go build inside a project script copied with the whole context: display-only, xlint cannot tell how the script is told the target',
      code: df`
        FROM golang:1.22 AS build
        WORKDIR /src
        COPY . .
        RUN sh hack/build.sh
        FROM scratch
        COPY --from=build /out/app /app
      `,
      context: { scripts: { 'hack/build.sh': '#!/bin/sh\nCGO_ENABLED=0 go build -o /out/app ./cmd/app\n' } },
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, message: 'Stage "build" runs "build.sh" emulated on linux/arm64; Go cross-compiles', fix: 'display-only' }],
    },
    {
      name: 'a script matched by a COPY glob into a directory on PATH',
      code: df`
        FROM rust:1.80 AS build
        COPY scripts/*.sh /usr/local/bin/
        RUN release.sh
        FROM debian:bookworm-slim
        COPY --from=build /usr/local/bin/app /usr/local/bin/app
      `,
      context: { scripts: { 'scripts/release.sh': 'cargo build --release\ninstall target/release/app /usr/local/bin/app\n' } },
      errors: [{ messageId: 'crossToolchain', line: 1, column: 6, message: 'Stage "build" runs "release.sh" emulated on linux/arm64', fix: 'display-only' }],
    },
    {
      name: 'CGO_ENABLED=0 set once before several go builds of a RUN (read once per RUN): safe',
      code: 'FROM golang:1.22 AS build\nRUN CGO_ENABLED=0; go build -o /out/a ./a; go build -o /out/b ./b\nFROM scratch\nCOPY --from=build /out/ /\n',
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'safe' }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN CGO_ENABLED=0; GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/a ./a; GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/b ./b\nFROM scratch\nCOPY --from=build /out/ /\n',
    },
    {
      name: 'CGO_ENABLED=0 set after the first go build: that one keeps cgo, unsafe',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /out/a ./a; CGO_ENABLED=0; go build -o /out/b ./b\nFROM scratch\nCOPY --from=build /out/ /\n',
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe' }],
      unsafeOutput:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/a ./a; CGO_ENABLED=0; GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/b ./b\nFROM scratch\nCOPY --from=build /out/ /\n',
    },
    {
      name: 'Go with cgo off: safe, ARG right before the RUN that needs it',
      code: df`
        FROM golang:1.22 AS build
        WORKDIR /src
        COPY go.mod go.sum ./
        RUN go mod download
        COPY . .
        # Static binary.
        RUN --mount=type=cache,target=/root/.cache/go-build \\
            CGO_ENABLED=0 go build -o /out/app ./cmd/app
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/app /app
      `,
      errors: [
        {
          messageId: 'crossCompile',
          line: 1,
          column: 6,
          endLine: 1,
          endColumn: 17,
          message: 'Stage "build" runs "go build" emulated on linux/arm64; Go cross-compiles',
          fix: 'safe',
        },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        WORKDIR /src
        COPY go.mod go.sum ./
        RUN go mod download
        COPY . .
        ARG TARGETOS TARGETARCH
        # Static binary.
        RUN --mount=type=cache,target=/root/.cache/go-build \\
            CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'Go with cgo not explicitly off: unsafe',
      code: df`
        FROM golang:1.22 AS build
        RUN go build -o /out/app .
        FROM debian:bookworm-slim
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM debian:bookworm-slim
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'Go with CGO_ENABLED=0 from ENV, env wrapper, export, and an existing platform ARG',
      code: df`
        FROM golang:1.22-alpine AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS
        RUN env GOFLAGS=-trimpath go build -o /out/a ./a
        RUN export GOFLAGS=-mod=vendor && go install ./b
        FROM alpine
        COPY --from=build /out/a /go/bin/b /usr/local/bin/
      `,
      // A cross-compiled go install writes /go/bin/linux_arm64/b: the COPY of /go/bin/b would fail.
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'display-only', message: '"go install"' }],
    },
    {
      name: 'Go with CGO_ENABLED=0 from ENV, env wrapper, export, and an existing platform ARG: safe with go build -o',
      code: df`
        FROM golang:1.22-alpine AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS
        RUN env GOFLAGS=-trimpath go build -o /out/a ./a
        RUN export GOFLAGS=-mod=vendor && go build -o /out/b ./b
        FROM alpine
        COPY --from=build /out/a /out/b /usr/local/bin/
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'safe', message: '"go build"' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS TARGETARCH
        RUN env GOFLAGS=-trimpath GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/a ./a
        RUN export GOFLAGS=-mod=vendor && GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/b ./b
        FROM alpine
        COPY --from=build /out/a /out/b /usr/local/bin/
      `,
    },
    {
      name: 'go install of the tool, and the copied file written by that tool (xk6 build --output): display-only',
      code: df`
        FROM golang:1.22 AS builder
        RUN CGO_ENABLED=0 go install go.k6.io/xk6/cmd/xk6@v1
        WORKDIR /build
        RUN xk6 build --output ./k6
        FROM alpine
        COPY --from=builder /build/k6 /usr/bin/k6
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'display-only', message: 'Stage "builder" runs "xk6" emulated' }],
    },
    {
      name: 'the shipped build is given GOARCH=${ARCH}, not the target: display-only (cluster-api)',
      code: df`
        FROM golang:1.22 AS builder
        ARG ARCH
        RUN CGO_ENABLED=0 GOOS=linux GOARCH=\${ARCH} go build -o manager .
        FROM scratch
        COPY --from=builder /go/manager /manager
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'display-only' }],
    },
    {
      name: 'Go in a heredoc, with an arm/v7 target (GOARM)',
      code: df`
        FROM golang:1.22 AS build
        RUN <<EOF
        set -e
        export CGO_ENABLED=0
        go build -o /out/app .
        EOF
        FROM scratch
        COPY --from=build /out/app /app
      `,
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'safe', message: 'emulated on linux/arm64, linux/arm/v7;' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH TARGETVARIANT
        RUN <<EOF
        set -e
        export CGO_ENABLED=0
        GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=\${TARGETVARIANT#v} go build -o /out/app .
        EOF
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'CRLF and lower-case keywords',
      code: 'from golang:1.22 as build\r\nrun CGO_ENABLED=0 go build -o /app .\r\nfrom scratch\r\ncopy --from=build /app /app\r\n',
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, endColumn: 17, fix: 'safe' }],
      output:
        'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETOS TARGETARCH\r\n' +
        'run CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\r\nfrom scratch\r\ncopy --from=build /app /app\r\n',
    },
    {
      name: 'backtick escape: continuation lines keep their backticks',
      code: df`
        # escape=\`
        FROM golang:1.22 AS build
        RUN CGO_ENABLED=0 \`
            go build -o /out/app.exe .
        FROM scratch
        COPY --from=build /out/app.exe /app.exe
      `,
      errors: [{ messageId: 'crossCompile', line: 2, column: 6, fix: 'safe' }],
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
      name: '--platform=$TARGETPLATFORM: reported on the flag, its value replaced',
      code: df`
        FROM --platform=$TARGETPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, endColumn: 32, fix: 'safe' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'a stage other stages are built FROM: unsafe, they would move too',
      code: df`
        FROM golang:1.22 AS base
        RUN CGO_ENABLED=0 go build -o /bin/app .
        FROM base AS test
        RUN go vet ./...
        FROM scratch
        COPY --from=test /bin/app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS base
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /bin/app .
        FROM base AS test
        RUN go vet ./...
        FROM scratch
        COPY --from=test /bin/app /app
      `,
    },
    {
      name: 'a chain that builds in two stages: one finding on the first, both wired, the args declared once',
      code: df`
        FROM golang:1.22 AS base
        ENV CGO_ENABLED=0
        RUN go build -o /out/a ./a
        FROM base AS build
        RUN go build -o /out/b ./b
        FROM scratch
        COPY --from=build /out/a /out/b /
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe', message: 'Stage "base"' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS base
        ENV CGO_ENABLED=0
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/a ./a
        FROM base AS build
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/b ./b
        FROM scratch
        COPY --from=build /out/a /out/b /
      `,
    },
    {
      name: 'a FROM <stage> that builds: reported, no fix (its --platform would do nothing)',
      code: df`
        FROM golang:1.22 AS base
        FROM base AS build
        RUN CGO_ENABLED=0 go build -o /bin/app .
        FROM scratch
        COPY --from=build /bin/app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 2, column: 6, endColumn: 10, fix: null }],
    },
    {
      name: 'an architecture probe: unsafe',
      code: df`
        FROM golang:1.22 AS build
        RUN curl -fsSLo /usr/local/bin/protoc "https://example.com/protoc-$(uname -m)" && \\
            CGO_ENABLED=0 go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN curl -fsSLo /usr/local/bin/protoc "https://example.com/protoc-$(uname -m)" && \\
            CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'target libraries installed: unsafe; $TARGETARCH read elsewhere: unsafe',
      code: df`
        FROM golang:1.22-alpine AS build
        RUN apk add --no-cache gcc musl-dev
        RUN CGO_ENABLED=0 go build -o /out/app .
        FROM golang:1.22 AS tools
        ARG TARGETARCH
        RUN curl -o /out/tool "https://example.com/tool-$TARGETARCH" && CGO_ENABLED=0 go build -o /out/gen ./gen
        FROM scratch
        COPY --from=build /out/app /app
        COPY --from=tools /out/ /
      `,
      errors: [
        { messageId: 'crossCompile', line: 1, column: 6, fix: 'unsafe' },
        { messageId: 'crossCompile', line: 4, column: 6, fix: 'unsafe' },
      ],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
        RUN apk add --no-cache gcc musl-dev
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM --platform=$BUILDPLATFORM golang:1.22 AS tools
        ARG TARGETARCH TARGETOS
        RUN curl -o /out/tool "https://example.com/tool-$TARGETARCH" && CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/gen ./gen
        FROM scratch
        COPY --from=build /out/app /app
        COPY --from=tools /out/ /
      `,
    },
    {
      name: '.NET: -a $TARGETARCH on restore and publish, not where a runtime is already given',
      code: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        WORKDIR /src
        COPY *.csproj .
        RUN dotnet restore
        COPY . .
        RUN dotnet publish -c Release -o /app --no-restore
        RUN dotnet publish tools/Tool.csproj -r linux-x64 -o /tool
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'safe', message: '"dotnet publish"' }],
      output: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        WORKDIR /src
        COPY *.csproj .
        ARG TARGETARCH
        RUN dotnet restore -a $TARGETARCH
        COPY . .
        RUN dotnet publish -c Release -o /app --no-restore -a $TARGETARCH
        RUN dotnet publish tools/Tool.csproj -r linux-x64 -o /tool
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        COPY --from=build /app /app
      `,
    },
    {
      name: '.NET in exec form: display-only (no shell to read $TARGETARCH)',
      code: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        RUN ["dotnet", "publish", "-c", "Release", "-o", "/app"]
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'crossCompile', line: 1, column: 6, fix: 'display-only' }],
    },
    {
      name: '.NET NativeAOT: display-only',
      code: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        RUN dotnet publish -c Release -o /app -p:PublishAot=true
        FROM debian:bookworm-slim
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'crossToolchain', line: 1, column: 6, fix: 'display-only', message: 'NativeAOT' }],
    },
    {
      name: 'Gradle jar copied through a RUN --mount: safe, flag only',
      code: df`
        FROM gradle:8-jdk21 AS build
        RUN gradle bootJar --no-daemon
        FROM eclipse-temurin:21-jre
        RUN --mount=type=bind,from=build,source=/home/gradle/build/libs,target=/libs cp /libs/app.jar /app.jar
      `,
      errors: [{ messageId: 'archNeutral', line: 1, column: 6, fix: 'safe', message: '"gradle bootJar"' }],
      output: df`
        FROM --platform=$BUILDPLATFORM gradle:8-jdk21 AS build
        RUN gradle bootJar --no-daemon
        FROM eclipse-temurin:21-jre
        RUN --mount=type=bind,from=build,source=/home/gradle/build/libs,target=/libs cp /libs/app.jar /app.jar
      `,
    },
    {
      name: 'jlink builds a native runtime: no fix',
      code: df`
        FROM eclipse-temurin:21 AS build
        RUN ./mvnw -B package && jlink --add-modules java.base --output /jre
        FROM debian:bookworm-slim
        COPY --from=build /jre /opt/jre
      `,
      errors: [{ messageId: 'nativeJava', line: 1, column: 6, fix: null, message: '"jlink" produces native code' }],
    },
    {
      name: 'JS bundle copied out (dist/ and a built file): safe',
      code: df`
        FROM node:20 AS web
        WORKDIR /app
        RUN npm ci && npm run build
        FROM nginx:1.27-alpine
        COPY --from=web /app/dist /usr/share/nginx/html
        COPY --from=web /app/build/robots.txt /usr/share/nginx/html/
      `,
      errors: [{ messageId: 'archNeutral', line: 1, column: 6, fix: 'safe', message: '"npm run build"' }],
      output: df`
        FROM --platform=$BUILDPLATFORM node:20 AS web
        WORKDIR /app
        RUN npm ci && npm run build
        FROM nginx:1.27-alpine
        COPY --from=web /app/dist /usr/share/nginx/html
        COPY --from=web /app/build/robots.txt /usr/share/nginx/html/
      `,
    },
    {
      name: 'JS build whose whole app folder (where yarn installed) is copied: emulation needed, information',
      code: df`
        FROM node:20 AS build
        WORKDIR /app
        RUN yarn install --frozen-lockfile && yarn build
        FROM node:20-slim
        COPY --from=build /app /app
      `,
      errors: [{ messageId: 'nativeModules', line: 1, column: 6, severity: 'info', message: '"/app" copied from it holds node_modules' }],
    },
    {
      name: 'node_modules copied out: emulation needed, no fix',
      code: df`
        FROM node:20 AS deps
        WORKDIR /app
        RUN npm ci --omit=dev
        FROM node:20-slim
        COPY --from=deps /app/node_modules ./node_modules
      `,
      errors: [{ messageId: 'nativeModules', line: 1, column: 6, fix: null, message: '"npm ci"' }],
    },
    {
      name: 'Python wheels: emulation needed, no fix',
      code: df`
        FROM python:3.12 AS wheels
        RUN pip wheel --wheel-dir /wheels -r requirements.txt
        FROM python:3.12-slim
        RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels pip install --no-index --find-links=/wheels -r requirements.txt
      `,
      errors: [{ messageId: 'nativeWheels', line: 1, column: 6, fix: null, message: '"pip wheel"' }],
    },
    {
      name: 'a stage mixing Go and Python wheels: the wheels decide (no fix)',
      code: df`
        FROM python:3.12 AS build
        RUN CGO_ENABLED=0 go build -o /out/tool . && pip wheel --wheel-dir /out/wheels .
        FROM python:3.12-slim
        COPY --from=build /out /out
      `,
      errors: [{ messageId: 'nativeWheels', line: 1, column: 6, fix: null }],
    },
    {
      name: 'Rust: display-only (needs xx or a cross toolchain)',
      code: df`
        FROM rust:1.79 AS build
        RUN cargo build --release
        FROM debian:bookworm-slim
        COPY --from=build /target/release/app /app
      `,
      errors: [{ messageId: 'crossToolchain', line: 1, column: 6, endColumn: 15, fix: 'display-only', message: 'Rust builds on $BUILDPLATFORM only with a cross toolchain' }],
    },
    {
      name: 'C with make: display-only',
      code: df`
        FROM gcc:13 AS build
        RUN ./configure && make
        FROM debian:bookworm-slim
        COPY --from=build /usr/local/bin/app /app
      `,
      errors: [{ messageId: 'crossToolchain', line: 1, column: 6, fix: 'display-only', message: '"make"' }],
    },
    {
      name: 'two build stages, both fixed in one pass',
      code: df`
        FROM node:20 AS web
        RUN npm ci && npx vite build
        FROM golang:1.22 AS api
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/api .
        FROM alpine:3.20
        COPY --from=web /app/dist /srv/www
        COPY --from=api /out/api /usr/local/bin/api
      `,
      errors: [
        { messageId: 'archNeutral', line: 1, column: 6, fix: 'safe', message: '"npx vite"' },
        { messageId: 'crossCompile', line: 3, column: 6, fix: 'safe' },
      ],
      output: df`
        FROM --platform=$BUILDPLATFORM node:20 AS web
        RUN npm ci && npx vite build
        FROM --platform=$BUILDPLATFORM golang:1.22 AS api
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/api .
        FROM alpine:3.20
        COPY --from=web /app/dist /srv/www
        COPY --from=api /out/api /usr/local/bin/api
      `,
    },
  ],
});
