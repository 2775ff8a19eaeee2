/** The FROM resolver, Windows and output-chain facts, and the file-flow model (core/flow.ts) as facts. */
import { describe, expect, it } from 'vitest';
import { explainBuild } from '../core/explain';
import { flowOf, overlaps, trace } from '../core/flow';
import { buildModel, type BuildOptions, type Model } from '../core/model';
import { df } from './rule-tester';

const AMD = 'linux/amd64';
const ARM = 'linux/arm64';

function model(code: string, options: Partial<BuildOptions> = {}): Model {
  return buildModel(code, { buildPlatform: AMD, targetPlatforms: [AMD, ARM], ...options });
}

const flows = (code: string, stage: number) => explainBuild(model(code), 'Dockerfile').stages[stage].flows;

describe('FROM resolution: one resolver for every rule', () => {
  it('FROM ${VAR} whose global default is an image is that image, with its --platform in effect', () => {
    const m = model(df`
      ARG GOLANG_IMAGE="golang:1.22-bookworm"
      FROM alpine AS base
      FROM --platform=$BUILDPLATFORM \${GOLANG_IMAGE} AS build
      RUN true
      FROM base
      COPY --from=build /x /x
    `);
    expect(m.stages[1].base).toEqual({ kind: 'image', image: 'golang:1.22-bookworm' });
    expect(m.stages[1].platform.kind).toBe('builder');
    expect(m.stages[1].parentFor).toEqual({ [AMD]: null, [ARM]: null });
  });

  it('FROM ${VAR} naming a stage per target: each candidate only for its target', () => {
    const m = model('FROM alpine AS build_amd64\nFROM alpine AS build_arm64\nFROM build_${TARGETARCH}\n');
    expect(m.stages[2].base).toEqual({ kind: 'variable', text: 'build_${TARGETARCH}', candidates: [0, 1] });
    expect(m.stages[2].parentFor).toEqual({ [AMD]: 0, [ARM]: 1 });
    expect(m.stages[0].reachableFor).toEqual([AMD]);
    expect(m.stages[1].reachableFor).toEqual([ARM]);
  });

  it('a bare ${VAR} with no value is an unknown image, not "any stage"', () => {
    const m = model('ARG builder_image\nFROM alpine AS tools\nFROM ${builder_image} AS builder\nRUN true\n');
    expect(m.stages[1].base).toEqual({ kind: 'image', image: '${builder_image}' });
  });

  it('a chain of FROM ${V} stages is modelled in linear time (a factorial enumeration hung here)', () => {
    const stages = Array.from({ length: 2000 }, (_, i) => `FROM \${V} AS s${i + 1}`).join('\n');
    const m = model(`ARG V=s0\nFROM alpine AS s0\n${stages}\n`);
    expect(m.stages).toHaveLength(2001);
    expect(m.stages[2000].parentFor[AMD]).toBe(0);
    expect(m.stages[2000].platform.kind).toBe('target');
  });
});

describe('stage facts', () => {
  it('Windows stages (nanoserver, servercore, a PowerShell file) are never emulated', () => {
    const m = model(df`
      FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022 AS build
      RUN dotnet publish -o /app
      FROM mcr.microsoft.com/dotnet/aspnet:8.0-windowsservercore-ltsc2022
      COPY --from=build /app /app
    `);
    expect(m.stages.map((s) => s.windows)).toEqual([true, true]);
    expect(m.stages[0].emulatedOn).toEqual([]);
    const escaped = model('# escape=`\nFROM example/sdk:1 AS build\nRUN powershell -Command Write-Host hi\n');
    expect(escaped.stages[0].windows).toBe(true);
    expect(model('FROM golang:1.22\nRUN true\n').stages[0].windows).toBe(false);
  });

  it('the output FROM chain: the output stage and the stages it is built FROM', () => {
    const m = model('FROM golang AS base\nFROM base AS dev\nFROM golang AS build\nRUN true\nFROM dev\nCOPY --from=build /x /x\n');
    expect(m.stages.map((s) => s.inOutputChain)).toEqual([true, true, false, true]);
  });
});

describe('file flow', () => {
  it('products: -o, GOBIN, $GOPATH/bin, the working directory, cp and tar of a product', () => {
    const f = flows(
      df`
        FROM golang:1.22 AS build
        WORKDIR /src
        RUN go build -o bin/app ./cmd/app && cp bin/app /usr/local/bin/
        RUN GOBIN=/tools go install ./cmd/gen
        RUN go install ./cmd/other
        RUN cd /src/web && npm run build
        RUN tar -C /src/bin -czf /app.tgz .
      `,
      0,
    );
    expect(f.filter((x) => x.kind === 'product').map((x) => (x.kind === 'product' ? [x.path, x.explicit] : null))).toEqual([
      ['/src/bin/app', true],
      ['/usr/local/bin/app', true],
      ['/tools/', true],
      ['/go/bin/', false],
      ['/src/web/', false],
      ['/app.tgz', true],
    ]);
  });

  it('pip installs into the virtualenv on PATH, --user into ~/.local', () => {
    const f = flows('FROM python:3.12\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install -r requirements.txt\nRUN pip install --user black\n', 0);
    expect(f.filter((x) => x.kind === 'product').map((x) => (x.kind === 'product' ? x.path : null))).toEqual(['/opt/venv/', '/root/.local/']);
  });

  it('intakes: COPY sources and destination resolved against WORKDIR and ENV; a mount lands at its target', () => {
    const f = flows(
      df`
        FROM golang AS build
        RUN true
        FROM alpine
        ENV APP=/app
        WORKDIR $APP
        COPY --from=build /out/ bin/
        RUN --mount=from=build,source=/out,target=/mnt ls /mnt
      `,
      1,
    );
    expect(f.filter((x) => x.kind === 'copy' || x.kind === 'mount')).toEqual([
      { kind: 'copy', line: 6, from: 'build', fromStage: 0, sources: ['/out/'], dest: '/app/bin/' },
      { kind: 'mount', line: 7, from: 'build', fromStage: 0, sources: ['/out'], dest: '/mnt' },
    ]);
  });

  it('trace follows a path through COPY, FROM <stage> and renames, and not where the path is not copied', () => {
    const m = model(df`
      FROM --platform=$BUILDPLATFORM golang AS build
      RUN go build -o /out/app . && go build -o /usr/local/bin/gen ./gen
      FROM build AS pkg
      FROM --platform=$BUILDPLATFORM alpine AS stage2
      COPY --from=pkg /out/ /dist/
      FROM alpine
      COPY --from=stage2 /dist/app /usr/bin/app
    `);
    const landings = (path: string) => trace(m, m.stages[0], path).map((l) => [l.stage.index, l.path]);
    expect(landings('/out/app')).toEqual([
      [1, '/out/app'],
      [2, '/dist/app'],
      [3, '/usr/bin/app'],
    ]);
    expect(landings('/usr/local/bin/gen')).toEqual([[1, '/usr/local/bin/gen']]);
  });

  it('executions: a path resolved against the working directory, or a name', () => {
    const m = model('FROM alpine\nWORKDIR /w\nRUN ./bin/tool --x && gen\n');
    expect(flowOf(m)[0].executions.map((e) => [e.name, e.path])).toEqual([
      ['tool', '/w/bin/tool'],
      ['gen', null],
    ]);
  });

  it('overlaps: a path, a directory holding it, globs, the root', () => {
    expect(overlaps('/out/app', '/out/')).toBe(true);
    expect(overlaps('/out', '/out/app')).toBe(true);
    expect(overlaps('/out/*.so', '/out/lib.so')).toBe(true);
    expect(overlaps('/', '/anything')).toBe(true);
    expect(overlaps('/out/app', '/outside')).toBe(false);
    expect(overlaps('/app/build', '/app/node_modules/')).toBe(false);
  });
});

describe('scripts from the build context (core/context-scripts.ts)', () => {
  it('names the context paths a RUN may execute: a copied file, a file in a copied directory, a glob match on PATH, a shell script', () => {
    const m = model(df`
      FROM alpine AS a
      COPY install-runc /usr/local/bin/
      RUN install-runc
      FROM alpine AS b
      WORKDIR /src
      COPY . .
      RUN ./hack/build.sh --static && bash -e scripts/test.sh
      FROM alpine AS c
      COPY tools/*.sh /opt/tools/
      RUN /opt/tools/gen.sh && /opt/tools/gen.py
      FROM alpine
      COPY --from=a /usr/local/bin/runc /runc
      COPY --from=b /src/out /out
      COPY --from=c /opt/tools/out /tools
    `, { context: { scripts: {} } });
    expect(m.contextScripts).toEqual(expect.arrayContaining(['install-runc', 'hack/build.sh', 'scripts/test.sh', 'tools/gen.sh']));
    expect(m.contextScripts).not.toContain('tools/gen.py');
  });

  it('asks for nothing when no RUN can execute a context file, or when the adapter reads no context files (the editor): neither costs a flow model', () => {
    const none = model('FROM golang\nCOPY . .\nRUN go build -o /x . && echo done\nFROM alpine\nCOPY --from=0 /x /x\n', { context: { scripts: {} } });
    expect(none.contextScripts).toEqual([]);
    expect(none.derived).toBeUndefined();
    const editor = model('FROM golang\nCOPY . .\nRUN ./build.sh\nFROM alpine\nCOPY --from=0 /x /x\n');
    expect(editor.contextScripts).toEqual([]);
    expect(editor.derived).toBeUndefined();
    expect(model('FROM golang\nCOPY . .\nRUN ./build.sh\nFROM alpine\nCOPY --from=0 /x /x\n', { context: { scripts: {} } }).contextScripts).toEqual(['build.sh']);
  });

  it('a given script that compiles makes the command that runs it a build, named by the script, and its outputs unknown', () => {
    const code = 'FROM golang AS build\nWORKDIR /src\nCOPY . .\nRUN ./build.sh\nFROM alpine\nCOPY --from=build /out/app /app\n';
    const m = model(code, { context: { scripts: { 'build.sh': 'set -e\nif true; then go build -o /out/app .; fi\n' } } });
    expect(m.stages[0].runs[0].commands[0]).toMatchObject({ name: 'build.sh', kind: 'build', toolchain: 'go', script: 'build.sh' });
    expect(flowOf(m)[0].products).toEqual([]);
    const opaque = model(code, { context: { scripts: { 'build.sh': null } } });
    expect(opaque.stages[0].runs[0].commands[0]).toMatchObject({ kind: 'other' });
  });
});
