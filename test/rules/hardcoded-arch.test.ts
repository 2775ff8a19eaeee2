import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import rule from '../../rules/hardcoded-arch';
import { df, ruleTester } from '../rule-tester';

const example = (name: string) => readFileSync(join(__dirname, '../../examples', name), 'utf8');

ruleTester(rule, {
  valid: [
    {
      name: 'a per-architecture Dockerfile (Docker\'s arm64v8 repository, a tag naming the arch)',
      code: 'FROM arm64v8/buildpack-deps:noble-curl AS installer\nRUN curl -fsSL -o dotnet.tar.gz https://example.com/dotnet-sdk-linux-arm64.tar.gz\nFROM $REPO:10.0-noble-arm64v8\nCOPY --from=installer /dotnet /usr/share/dotnet\n',
    },
    { name: 'the example go-cross', code: example('go-cross.Dockerfile') },
    { name: 'the example rust-xx', code: example('rust-xx.Dockerfile') },
    { name: 'the example per-arch-stages (FROM base_${TARGETARCH})', code: example('per-arch-stages.Dockerfile') },
    { name: 'the example nested/Containerfile', code: readFileSync(join(__dirname, '../../examples/nested/Containerfile'), 'utf8') },
    { name: 'the example c-make (probe in the URL)', code: example('c-make.Dockerfile') },
    {
      name: 'single-platform build for the same architecture',
      code: 'FROM golang:1.22 AS build\nRUN GOARCH=amd64 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app',
      platforms: ['linux/amd64'],
    },
    {
      name: 'arm/v6 and arm/v7 are both GOARCH=arm',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN GOARCH=arm GOARM=7 go build -o /app .',
      platforms: ['linux/arm/v6', 'linux/arm/v7'],
    },
    {
      name: 'stage named after an architecture',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build-arm64\nRUN GOARCH=arm64 go build -o /app .\nFROM alpine\nCOPY --from=build-arm64 /app /app',
    },
    { name: 'in a comment', code: 'FROM golang:1.22\n# GOARCH=amd64 go build\n# curl https://x/linux-amd64.tgz\nRUN go build .' },
    { name: 'in an argument, not a URL', code: 'FROM golang:1.22\nRUN go build -o /out/app-linux-amd64 . && cp -r /src/x86_64 /dst' },
    {
      name: 'a build matrix: several architectures on purpose',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS release
        RUN GOARCH=amd64 go build -o /out/app-amd64 . && \\
            GOARCH=arm64 go build -o /out/app-arm64 .
      `,
    },
    { name: 'another OS on purpose', code: 'FROM golang:1.22\nRUN GOOS=windows GOARCH=amd64 go build -o /out/app.exe .' },
    { name: 'ENV for another OS', code: 'FROM golang:1.22\nENV GOOS=darwin GOARCH=arm64\nRUN go build -o /out/app .' },
    { name: 'a download for another OS', code: 'FROM alpine\nRUN wget https://example.com/cli-darwin-arm64.tar.gz' },
    {
      name: 'a RUN that chooses by architecture itself',
      code: df`
        FROM alpine
        ARG TARGETARCH
        RUN case "$TARGETARCH" in \\
              amd64) wget https://example.com/tool-x86_64.tgz ;; \\
            esac
        RUN if [ "$(uname -m)" = aarch64 ]; then wget https://example.com/tool-aarch64.tgz; fi
      `,
    },
    { name: 'a fallback default is not a literal', code: 'FROM golang:1.22\nARG TARGETARCH\nRUN GOARCH=${TARGETARCH:-amd64} go build .' },
    { name: 'cargo for wasm', code: 'FROM rust:1.79\nRUN cargo build --release --target wasm32-unknown-unknown' },
    { name: 'dotnet for Windows', code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet publish -r win-x64 -o /out' },
    {
      name: 'a stage that no target reaches',
      code: 'FROM golang:1.22 AS unused\nRUN GOARCH=amd64 go build .\nFROM alpine\nRUN true',
    },
    {
      name: 'suppressed on the instruction',
      code: 'FROM golang:1.22\n# xlint ignore=hardcoded-arch\nRUN GOARCH=amd64 go build .',
    },
    {
      name: 'suppressed for the stage',
      code: '# xlint ignore=hardcoded-arch\nFROM golang:1.22\nRUN GOARCH=amd64 go build .\nADD https://example.com/tool-linux-amd64 /tool',
    },
  ],
  invalid: [
    {
      name: 'a URL and its checksum URL in one RUN: one fix rewrites both, never one alone',
      code: 'FROM alpine\nRUN wget -q https://example.com/tool-linux-amd64.tgz && wget -q https://example.com/tool-linux-amd64.tgz.sha256\n',
      errors: [
        { messageId: 'download', line: 2, column: 38, fix: 'unsafe' },
        { messageId: 'download', line: 2, column: 90, fix: 'unsafe' },
      ],
      unsafeOutput: 'FROM alpine\nARG TARGETARCH\nRUN wget -q https://example.com/tool-linux-$TARGETARCH.tgz && wget -q https://example.com/tool-linux-$TARGETARCH.tgz.sha256\n',
    },
    {
      name: 'the example hardcoded-arch: helm download and GOARCH',
      code: example('hardcoded-arch.Dockerfile'),
      errors: [
        { messageId: 'download', line: 5, column: 59, endLine: 5, endColumn: 70, fix: 'unsafe', message: '"linux-amd64" hard-codes amd64' },
        { messageId: 'hardcoded', line: 16, column: 30, endLine: 16, endColumn: 42, fix: 'safe', message: '"GOARCH=amd64"' },
      ],
      output: example('hardcoded-arch.Dockerfile')
        .replace('AS build\n', 'AS build\nARG TARGETARCH\n')
        .replace('GOARCH=amd64 \\', 'GOARCH=$TARGETARCH \\'),
      unsafeOutput: example('hardcoded-arch.Dockerfile')
        .replace('AS build\n', 'AS build\nARG TARGETARCH\n')
        .replace('-linux-amd64.tar.gz', '-linux-$TARGETARCH.tar.gz')
        .replace('/tmp/linux-amd64/helm', '/tmp/linux-$TARGETARCH/helm')
        .replace('GOARCH=amd64 \\', 'GOARCH=$TARGETARCH \\'),
    },
    {
      name: 'ENV GOARCH, appended to the platform ARG after the FROM',
      code: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS
        ENV CGO_ENABLED=0 GOOS=linux GOARCH=arm64
        RUN go build -o /out/app .
        FROM alpine
        COPY --from=build /out/app /app
      `,
      errors: [{ messageId: 'hardcoded', line: 3, column: 30, endLine: 3, endColumn: 42, fix: 'safe', message: 'hard-codes arm64' }],
      output: df`
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        ARG TARGETOS TARGETARCH
        ENV CGO_ENABLED=0 GOOS=linux GOARCH=$TARGETARCH
        RUN go build -o /out/app .
        FROM alpine
        COPY --from=build /out/app /app
      `,
    },
    {
      name: 'legacy ENV form',
      code: 'FROM golang:1.22\nENV GOARCH amd64\nRUN go build .\n',
      errors: [{ messageId: 'hardcoded', line: 2, column: 5, endLine: 2, endColumn: 17, fix: 'safe' }],
      output: 'FROM golang:1.22\nARG TARGETARCH\nENV GOARCH $TARGETARCH\nRUN go build .\n',
    },
    {
      name: 'lower-case keywords and CRLF',
      code: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\nrun GOARCH=amd64 go build -o /app .\r\nfrom alpine\r\ncopy --from=build /app /app\r\n',
      errors: [{ messageId: 'hardcoded', line: 2, column: 5, fix: 'safe' }],
      output: 'from --platform=$BUILDPLATFORM golang:1.22 as build\r\narg TARGETARCH\r\nrun GOARCH=$TARGETARCH go build -o /app .\r\nfrom alpine\r\ncopy --from=build /app /app\r\n',
    },
    {
      name: 'backtick escape character',
      code: '# escape=`\nFROM golang:1.22\nRUN CGO_ENABLED=0 `\n    GOARCH=arm64 `\n    go build -o C:\\app .\n',
      errors: [{ messageId: 'hardcoded', line: 4, column: 5, endColumn: 17, fix: 'safe' }],
      output: '# escape=`\nFROM golang:1.22\nARG TARGETARCH\nRUN CGO_ENABLED=0 `\n    GOARCH=$TARGETARCH `\n    go build -o C:\\app .\n',
    },
    {
      name: 'heredoc RUN',
      code: 'FROM golang:1.22\nRUN <<EOF\nset -e\nexport GOARCH=amd64\ngo build -o /app .\nEOF\n',
      errors: [{ messageId: 'hardcoded', line: 4, column: 8, endColumn: 20, fix: 'safe' }],
      output: 'FROM golang:1.22\nARG TARGETARCH\nRUN <<EOF\nset -e\nexport GOARCH=$TARGETARCH\ngo build -o /app .\nEOF\n',
    },
    {
      name: 'several fixes in one stage share one ARG',
      code: df`
        FROM golang:1.22
        RUN env GOARCH=amd64 go build -o /a ./a
        RUN go env -w GOARCH=amd64 && go build -o /b ./b
      `,
      errors: [
        { messageId: 'hardcoded', line: 2, column: 9, fix: 'safe' },
        { messageId: 'hardcoded', line: 3, column: 15, fix: 'safe', message: '"GOARCH=amd64"' },
      ],
      output: df`
        FROM golang:1.22
        ARG TARGETARCH
        RUN env GOARCH=$TARGETARCH go build -o /a ./a
        RUN go env -w GOARCH=$TARGETARCH && go build -o /b ./b
      `,
    },
    {
      name: 'ARG inherited from the parent stage: no new ARG',
      code: 'FROM golang:1.22 AS base\nARG TARGETARCH\nFROM base AS build\nRUN GOARCH=arm64 go build .\n',
      errors: [{ messageId: 'hardcoded', line: 4, column: 5, fix: 'safe' }],
      output: 'FROM golang:1.22 AS base\nARG TARGETARCH\nFROM base AS build\nRUN GOARCH=$TARGETARCH go build .\n',
    },
    {
      name: 'single-platform build for another architecture',
      code: 'FROM golang:1.22\nRUN GOARCH=amd64 go build .\n',
      platforms: ['linux/arm64'],
      errors: [{ messageId: 'hardcoded', line: 2, column: 5, fix: 'safe', message: 'built for linux/arm64' }],
      output: 'FROM golang:1.22\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build .\n',
    },
    {
      name: 'an arm target needs GOARM too: unsafe',
      code: 'FROM golang:1.22\nRUN GOARCH=amd64 go build .\n',
      platforms: ['linux/amd64', 'linux/arm/v7'],
      errors: [{ messageId: 'hardcoded', line: 2, column: 5, fix: 'unsafe' }],
      unsafeOutput: 'FROM golang:1.22\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build .\n',
    },
    {
      name: 'GOARCH values other than amd64/arm64: unsafe',
      code: 'FROM golang:1.22\nRUN GOARCH=386 go build .\n',
      errors: [{ messageId: 'hardcoded', line: 2, column: 5, fix: 'unsafe', message: 'hard-codes 386' }],
      unsafeOutput: 'FROM golang:1.22\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build .\n',
    },
    {
      name: 'dotnet -a and -r',
      code: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS a
        RUN dotnet publish -c Release -a arm64 -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS b
        RUN dotnet publish --arch=x64 -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine AS c
        RUN dotnet publish -r linux-musl-x64 -o /out
        FROM alpine
        COPY --from=a /out /a
        COPY --from=b /out /b
        COPY --from=c /out /c
      `,
      errors: [
        { messageId: 'hardcoded', line: 2, column: 31, endColumn: 39, fix: 'safe', message: '"-a arm64"' },
        { messageId: 'hardcoded', line: 4, column: 20, endColumn: 30, fix: 'unsafe', message: '"--arch=x64"' },
        { messageId: 'hardcoded', line: 6, column: 20, endColumn: 37, fix: 'unsafe', message: '"-r linux-musl-x64" hard-codes amd64' },
      ],
      output: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS a
        ARG TARGETARCH
        RUN dotnet publish -c Release -a $TARGETARCH -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS b
        RUN dotnet publish --arch=x64 -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine AS c
        RUN dotnet publish -r linux-musl-x64 -o /out
        FROM alpine
        COPY --from=a /out /a
        COPY --from=b /out /b
        COPY --from=c /out /c
      `,
      unsafeOutput: df`
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS a
        ARG TARGETARCH
        RUN dotnet publish -c Release -a $TARGETARCH -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS b
        ARG TARGETARCH
        RUN dotnet publish --arch=$TARGETARCH -o /out
        FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine AS c
        ARG TARGETARCH
        RUN dotnet publish --os linux-musl -a $TARGETARCH -o /out
        FROM alpine
        COPY --from=a /out /a
        COPY --from=b /out /b
        COPY --from=c /out /c
      `,
    },
    {
      name: 'cargo --target: no fix',
      code: 'FROM --platform=$BUILDPLATFORM rust:1.79\nRUN cargo build --release --target x86_64-unknown-linux-musl\n',
      errors: [{ messageId: 'hardcoded', line: 2, column: 27, endColumn: 61, fix: null, message: '"--target x86_64-unknown-linux-musl"' }],
    },
    {
      name: 'ADD source with linux_amd64',
      code: 'FROM alpine\nADD https://example.com/tool_1.0_linux_amd64.tar.gz /tmp/\n',
      errors: [{ messageId: 'download', line: 2, column: 34, endColumn: 45, fix: 'unsafe', message: '"linux_amd64"' }],
      unsafeOutput: 'FROM alpine\nARG TARGETARCH\nADD https://example.com/tool_1.0_linux_$TARGETARCH.tar.gz /tmp/\n',
    },
    {
      name: 'ADD in exec form, arm64 followed by a name character',
      code: 'FROM alpine\nADD ["https://example.com/tool-arm64_v1.tgz", "/tmp/"]\n',
      errors: [{ messageId: 'download', line: 2, column: 32, endColumn: 37, fix: 'unsafe', message: '"arm64" hard-codes arm64' }],
      unsafeOutput: 'FROM alpine\nARG TARGETARCH\nADD ["https://example.com/tool-${TARGETARCH}_v1.tgz", "/tmp/"]\n',
    },
    {
      name: 'x86_64 URL on the target platform: display-only $(uname -m)',
      code: 'FROM alpine\nRUN wget -O /tmp/docker.tgz "https://download.docker.com/linux/static/stable/x86_64/docker-27.0.3.tgz"\n',
      errors: [{ messageId: 'download', line: 2, column: 78, endColumn: 84, fix: 'display-only', message: '"x86_64"' }],
    },
    {
      name: 'aarch64 URL on $BUILDPLATFORM: no fix',
      code: 'FROM --platform=$BUILDPLATFORM alpine AS fetch\nRUN wget https://example.com/s6-overlay-aarch64.tar.xz\nFROM alpine\nCOPY --from=fetch / /\n',
      errors: [{ messageId: 'download', line: 2, column: 41, endColumn: 48, fix: null }],
    },
    {
      name: 'single-quoted URL: no fix',
      code: "FROM alpine\nRUN curl -fsSLO 'https://example.com/tool-linux-amd64.tgz'\n",
      errors: [{ messageId: 'download', line: 2, column: 43, endColumn: 54, fix: null }],
    },
    {
      name: 'URL inside sh -c and $(...)',
      code: 'FROM alpine\nRUN sh -c "tar -xz -f \\"$(wget -qO- https://example.com/t-linux-arm64.tgz)\\""\n',
      errors: [{ messageId: 'download', line: 2, column: 59, endColumn: 70, fix: 'unsafe' }],
      unsafeOutput: 'FROM alpine\nARG TARGETARCH\nRUN sh -c "tar -xz -f \\"$(wget -qO- https://example.com/t-linux-$TARGETARCH.tgz)\\""\n',
    },
    {
      name: 'only the stage on several targets, not the per-arch ones',
      code: df`
        FROM alpine AS tools_amd64
        RUN wget https://example.com/tool-linux-amd64.tgz
        FROM alpine AS tools_arm64
        RUN wget https://example.com/tool-linux-arm64.tgz
        FROM tools_\${TARGETARCH} AS final
        RUN wget https://example.com/other-linux-amd64.tgz
      `,
      errors: [{ messageId: 'download', line: 6, column: 36, fix: 'unsafe' }],
      unsafeOutput: df`
        FROM alpine AS tools_amd64
        RUN wget https://example.com/tool-linux-amd64.tgz
        FROM alpine AS tools_arm64
        RUN wget https://example.com/tool-linux-arm64.tgz
        FROM tools_\${TARGETARCH} AS final
        ARG TARGETARCH
        RUN wget https://example.com/other-linux-$TARGETARCH.tgz
      `,
    },
  ],
});
