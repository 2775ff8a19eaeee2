import rule from '../../rules/wrong-arch-artifact';
import { df, ruleTester } from '../rule-tester';

ruleTester(rule, {
  valid: [
    {
      name: 'a host tool built on the builder and run there: only its output ships',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 go build -o /usr/local/bin/gen ./cmd/gen
        RUN gen > /out/schema.json
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
        FROM scratch
        COPY --from=build /out/app /out/schema.json /
      `,
    },
    {
      name: 'a GOBIN tool installed and run in its stage (kind\'s go-licenses): never copied',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN GOBIN=/usr/local/bin go install github.com/google/go-licenses@v1
        ARG TARGETOS TARGETARCH
        RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app . && go-licenses save . --save_path /_LICENSES
        FROM scratch
        COPY --from=build /out/app /app
        COPY --from=build /_LICENSES /LICENSES
      `,
    },
    {
      name: 'a tool copied into another $BUILDPLATFORM stage and run there',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS tools
        RUN CGO_ENABLED=0 go build -o /bin/protoc-gen-go ./cmd/protoc-gen-go
        FROM --platform=$BUILDPLATFORM golang:1.22 AS gen
        COPY --from=tools /bin/protoc-gen-go /usr/local/bin/
        RUN protoc-gen-go --out /gen
        FROM alpine
        COPY --from=gen /gen /gen
      `,
    },
    {
      name: 'dotnet build into a folder that is never copied; the copied publish is wired',
      code: df`
        FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        ARG TARGETARCH
        RUN dotnet build -c Release -o /app/build
        RUN dotnet publish -c Release -a $TARGETARCH -o /app/publish
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        COPY --from=build /app/publish /app
      `,
    },
    {
      name: 'the native build is the else-branch of a target test that cross-compiles',
      code: df`
        FROM --platform=$BUILDPLATFORM rust:1.80 AS build
        ARG TARGETPLATFORM
        RUN if [ "$TARGETPLATFORM" = "linux/arm64" ]; then cargo build --release --target aarch64-unknown-linux-gnu; else cargo build --release; fi
        FROM debian:bookworm-slim
        COPY --from=build /target/release/app /app
      `,
    },
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
      name: 'wiring inherited through the lineage (go env -w and configure --host in a parent stage, read once per stage)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS gobase
        ARG TARGETARCH
        RUN go env -w GOARCH=$TARGETARCH
        FROM gobase AS gomid
        FROM gomid AS go
        RUN go build -o /out/a ./a && go build -o /out/b ./b
        FROM --platform=$BUILDPLATFORM debian:bookworm AS cbase
        ARG TARGETARCH
        RUN ./configure --host=aarch64-linux-gnu
        FROM cbase AS c
        RUN make && gcc -o /out/c c.c
        FROM scratch
        COPY --from=go /out/ /
        COPY --from=c /out/c /c
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
          message: '"go build" runs on $BUILDPLATFORM without GOOS/GOARCH, so it builds for linux/amd64: its output reaches stage 1 as /worker, and the linux/arm64 image',
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
        RUN go build -o /out/tool ./cmd/tool
        FROM debian:bookworm-slim
        COPY --from=build /out/tool /usr/local/bin/tool
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 5, fix: 'unsafe', message: '"go build"' }],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/tool ./cmd/tool
        FROM debian:bookworm-slim
        COPY --from=build /out/tool /usr/local/bin/tool
      `,
    },
    {
      name: 'go install into $GOPATH/bin: reported, no fix (cross-compiled, it would write $GOPATH/bin/linux_arm64/tool)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN CGO_ENABLED=0 go install ./cmd/tool
        FROM debian:bookworm-slim
        COPY --from=build /go/bin/tool /usr/local/bin/tool
      `,
      errors: [{ messageId: 'unwired', line: 2, column: 19, message: '"go install" runs on $BUILDPLATFORM without GOOS/GOARCH, so it builds for linux/amd64: its output reaches stage 1 as /usr/local/bin/tool' }],
    },
    {
      name: 'GOBIN go install: reported, no fix (Go refuses to install cross-compiled binaries with GOBIN set)',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ENV CGO_ENABLED=0
        RUN GOBIN=/out go install ./cmd/tool
        FROM scratch
        COPY --from=build /out/tool /tool
      `,
      errors: [{ messageId: 'unwired', line: 3, column: 16, message: '"go install"' }],
    },
    {
      name: 'two shipped compiles, one of them a go install: the go build fix is not safe alone',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ENV CGO_ENABLED=0
        RUN go build -o /out/app . && go install ./cmd/tool
        FROM scratch
        COPY --from=build /out/app /go/bin/tool /
      `,
      errors: [
        { messageId: 'unwired', line: 3, column: 5, fix: 'unsafe', message: '"go build"' },
        { messageId: 'unwired', line: 3, column: 31, message: '"go install"' },
      ],
      unsafeOutput: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ENV CGO_ENABLED=0
        ARG TARGETOS TARGETARCH
        RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app . && go install ./cmd/tool
        FROM scratch
        COPY --from=build /out/app /go/bin/tool /
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
      errors: [{ messageId: 'unwired', line: 2, column: 19, fix: 'safe', message: 'without GOOS/GOARCH/GOARM, so it builds for linux/amd64: its output reaches stage 3 as /app.tgz, and the linux/arm/v7 image' }],
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
