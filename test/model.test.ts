/** The build model against every point of DESIGN §1, as facts: platforms, reachability, args, emulated steps. */
import { describe, expect, it } from 'vitest';
import { explainBuild } from '../core/explain';
import { buildModel, type BuildOptions, type Model } from '../core/model';
import { df } from './rule-tester';

const AMD = 'linux/amd64';
const ARM = 'linux/arm64';

function model(code: string, options: Partial<BuildOptions> = {}): Model {
  return buildModel(code, { buildPlatform: AMD, targetPlatforms: [AMD, ARM], ...options });
}

function json(code: string, options: Partial<BuildOptions> = {}) {
  return explainBuild(model(code, options), 'Dockerfile');
}

function stage(code: string, name: string | number, options: Partial<BuildOptions> = {}) {
  const built = json(code, options);
  const found = typeof name === 'number' ? built.stages[name] : built.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

describe('automatic platform args', () => {
  it('exist in the global scope: FROM lines use them with no declaration', () => {
    const s = stage('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\nFROM alpine\nCOPY --from=build /x /x', 'build');
    expect(s.platform).toBe('builder');
    expect(s.platformFor).toEqual({ [AMD]: AMD, [ARM]: AMD });
    expect(s.emulatedOn).toEqual([]);
    expect(json('FROM --platform=$BUILDPLATFORM golang\nRUN true').stages[0].unresolved).toEqual([]);
  });

  it('are empty inside a stage that does not declare them', () => {
    const s = stage('FROM golang AS b\nRUN GOARCH=$TARGETARCH go build', 'b');
    expect(s.args).toEqual({});
    expect(s.unresolved).toEqual([{ name: 'TARGETARCH', line: 2, column: 12, reason: 'not-declared-in-stage' }]);
  });

  it('take their per-target values when the stage declares ARG NAME', () => {
    const s = stage('FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETOS TARGETARCH BUILDARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build', 'b');
    expect(s.args).toEqual({
      TARGETOS: { [AMD]: 'linux', [ARM]: 'linux' },
      TARGETARCH: { [AMD]: 'amd64', [ARM]: 'arm64' },
      BUILDARCH: { [AMD]: 'amd64', [ARM]: 'amd64' },
    });
    expect(s.unresolved).toEqual([]);
  });

  it('give arm variants and the platform string', () => {
    const s = stage('FROM alpine AS b\nARG TARGETPLATFORM TARGETARCH TARGETVARIANT\nRUN echo $TARGETPLATFORM', 'b', { targetPlatforms: ['linux/arm/v7', 'linux/arm64/v8'] });
    expect(s.args.TARGETPLATFORM).toEqual({ 'linux/arm/v7': 'linux/arm/v7', [ARM]: ARM });
    expect(s.args.TARGETVARIANT).toEqual({ 'linux/arm/v7': 'v7', [ARM]: '' });
  });

  it('are inherited through FROM <stage>', () => {
    const s = stage('FROM alpine AS base\nARG TARGETARCH\nFROM base AS child\nRUN echo $TARGETARCH', 'child');
    expect(s.args.TARGETARCH).toEqual({ [AMD]: 'amd64', [ARM]: 'arm64' });
    expect(s.unresolved).toEqual([]);
  });

  it('declared in a heredoc RUN, ENV and COPY are all uses', () => {
    const s = stage(df`
      FROM alpine AS b
      ENV ARCH=$TARGETARCH
      COPY bin/\${TARGETOS} /bin/
      RUN <<EOF
      echo $BUILDPLATFORM
      EOF
    `, 'b');
    expect(s.unresolved.map((u) => `${u.name}@${u.line}:${u.column}`)).toEqual(['TARGETARCH@2:10', 'TARGETOS@3:10', 'BUILDPLATFORM@5:6']);
  });
});

describe('defaults that pin the platform', () => {
  it('a global ARG TARGETARCH=amd64 replaces the automatic value for every platform', () => {
    const s = stage('ARG TARGETARCH=amd64\nFROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build', 'b');
    expect(s.args.TARGETARCH).toEqual({ [AMD]: 'amd64', [ARM]: 'amd64' });
    expect(s.unresolved).toEqual([{ name: 'TARGETARCH', line: 4, column: 12, reason: 'shadowed' }]);
  });

  it('a global ARG BUILDPLATFORM=linux/amd64 pins $BUILDPLATFORM stages: emulated on an arm64 builder', () => {
    const code = 'ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM golang AS b\nRUN go build\nFROM alpine\nCOPY --from=b /x /x';
    const s = stage(code, 'b', { buildPlatform: ARM });
    expect(s.platform).toBe('builder');
    expect(s.platformFor).toEqual({ [AMD]: AMD, [ARM]: AMD });
    expect(s.emulatedOn).toEqual([AMD, ARM]);
    expect(stage(code, 'b', { buildPlatform: AMD }).emulatedOn).toEqual([]);
  });

  it('an in-stage ARG TARGETARCH=amd64 shadows the automatic value in that stage', () => {
    const s = stage('FROM golang AS b\nARG TARGETARCH=amd64\nRUN GOARCH=$TARGETARCH go build', 'b');
    expect(s.args.TARGETARCH).toEqual({ [AMD]: 'amd64', [ARM]: 'amd64' });
    expect(s.unresolved.map((u) => u.reason)).toEqual(['shadowed']);
  });

  it('a global ARG without default is visible only in FROM lines', () => {
    const code = 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION} AS b\nRUN echo $GO_VERSION';
    expect(stage(code, 'b').unresolved).toEqual([{ name: 'GO_VERSION', line: 3, column: 10, reason: 'declared-only-globally' }]);
    // The FROM line sees the global default: the base is the image it names.
    expect(stage(code, 'b').base).toEqual({ kind: 'image', image: 'golang:1.22' });
    const redeclared = stage('ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION} AS b\nARG GO_VERSION\nRUN echo $GO_VERSION', 'b');
    expect(redeclared.args.GO_VERSION).toEqual({ [AMD]: '1.22', [ARM]: '1.22' });
    expect(redeclared.unresolved).toEqual([]);
  });

  it('an undeclared arg in FROM is reported with its reason', () => {
    const m = model('FROM --platform=$BULIDPLATFORM golang');
    expect(m.variableUses.map((u) => [u.name, u.stage, u.resolution])).toEqual([
      ['BULIDPLATFORM', null, { status: 'unresolved', reason: 'not-declared-globally' }],
    ]);
  });
});

describe('ARG tokenizing', () => {
  it('ARG A B=2 C declares three names', () => {
    const m = model('ARG A B=2 C\nFROM alpine AS s\nARG A B C\nRUN echo $A $B $C');
    expect(m.globalArgs.map((a) => [a.name, a.defaultText])).toEqual([['A', null], ['B', '2'], ['C', null]]);
    expect(stage('ARG A B=2 C\nFROM alpine AS s\nARG A B C\nRUN echo $A $B $C', 's').args).toEqual({
      A: { [AMD]: null, [ARM]: null },
      B: { [AMD]: '2', [ARM]: '2' },
      C: { [AMD]: null, [ARM]: null },
    });
  });

  it('ARG TARGETOS TARGETARCH declares both (dockerfile-ast reads one)', () => {
    expect(Object.keys(stage('FROM alpine\nARG TARGETOS TARGETARCH', 0).args)).toEqual(['TARGETOS', 'TARGETARCH']);
  });

  it('quoted defaults, continuations and build args', () => {
    const code = 'FROM alpine AS s\nARG NAME="a b" \\\n    VERSION=1.0\nRUN echo $NAME';
    expect(stage(code, 's').args).toEqual({ NAME: { [AMD]: 'a b', [ARM]: 'a b' }, VERSION: { [AMD]: '1.0', [ARM]: '1.0' } });
    expect(stage(code, 's', { buildArgs: { VERSION: '2.0' } }).args.VERSION).toEqual({ [AMD]: '2.0', [ARM]: '2.0' });
  });
});

describe('stage platforms', () => {
  const cases: [string, string, string, Record<string, string | null>][] = [
    ['no flag: the target platform', 'FROM alpine\nRUN true', 'target', { [AMD]: AMD, [ARM]: ARM }],
    ['$BUILDPLATFORM: the builder', 'FROM --platform=$BUILDPLATFORM alpine\nRUN true', 'builder', { [AMD]: AMD, [ARM]: AMD }],
    ['$TARGETPLATFORM: the target', 'FROM --platform=${TARGETPLATFORM} alpine\nRUN true', 'target', { [AMD]: AMD, [ARM]: ARM }],
    ['a constant', 'FROM --platform=linux/arm64 alpine\nRUN true', 'constant', { [AMD]: ARM, [ARM]: ARM }],
    ['$BUILDOS/$BUILDARCH', 'FROM --platform=$BUILDOS/$BUILDARCH alpine\nRUN true', 'builder', { [AMD]: AMD, [ARM]: AMD }],
    ['a global arg', 'ARG P=linux/arm64\nFROM --platform=$P alpine\nRUN true', 'unknown', { [AMD]: ARM, [ARM]: ARM }],
    ['an unset arg', 'ARG P\nFROM --platform=$P alpine\nRUN true', 'unknown', { [AMD]: null, [ARM]: null }],
    ['with another flag before it', 'FROM --other=x --platform=$BUILDPLATFORM alpine\nRUN true', 'builder', { [AMD]: AMD, [ARM]: AMD }],
  ];
  for (const [name, code, kind, platformFor] of cases) {
    it(name, () => {
      const s = stage(code, 0);
      expect(s.platform).toBe(kind);
      expect(s.platformFor).toEqual(platformFor);
    });
  }

  it('FROM <stage> inherits the parent platform; its own --platform has no effect', () => {
    const code = 'FROM --platform=$BUILDPLATFORM golang AS build\nRUN true\nFROM --platform=linux/arm64 build AS child\nRUN go build';
    const child = stage(code, 'child');
    expect(child.base).toEqual({ kind: 'stage', stage: 0 });
    expect(child.platform).toBe('builder');
    expect(child.platformText).toBe('linux/arm64');
    expect(child.platformFor).toEqual({ [AMD]: AMD, [ARM]: AMD });
    expect(child.emulatedOn).toEqual([]);
  });

  it('FROM scratch has no filesystem', () => {
    expect(stage('FROM scratch\nCOPY x /x', 0).base).toEqual({ kind: 'scratch' });
  });
});

describe('edges and reachability', () => {
  it('COPY --from=<image> is an image edge, also in a $BUILDPLATFORM stage', () => {
    const m = model('FROM --platform=$BUILDPLATFORM golang AS b\nCOPY --from=tonistiigi/xx / /\nRUN true\nFROM alpine\nCOPY --from=b /x /x');
    expect(m.stages[0].edges.map((e) => [e.kind, e.ref, e.stage])).toEqual([['copy', 'tonistiigi/xx', null]]);
  });

  it('--from does not expand variables', () => {
    const m = model('ARG S=build\nFROM alpine AS build\nRUN true\nFROM alpine\nCOPY --from=$S /x /x');
    expect(m.stages[1].edges.map((e) => [e.ref, e.stage])).toEqual([['$S', null]]);
    expect(m.stages[0].reachable).toBe(false);
  });

  it('--from=0 names a stage by index; names are case-insensitive', () => {
    const m = model('FROM golang AS Build\nRUN go build\nFROM alpine AS other\nRUN true\nFROM alpine\nCOPY --from=build /a /a\nCOPY --from=1 /b /b');
    expect(m.stages[2].edges.map((e) => [e.ref, e.stage])).toEqual([['build', 0], ['1', 1]]);
    expect(m.stages.map((s) => s.reachable)).toEqual([true, true, true]);
  });

  it('RUN --mount=from=<stage> reaches the stage', () => {
    const m = model('FROM python AS wheels\nRUN pip wheel -w /w .\nFROM python\nRUN --mount=type=bind,from=wheels,source=/w,target=/w pip install /w/*');
    expect(m.stages[1].edges.map((e) => [e.kind, e.stage])).toEqual([['mount', 0]]);
    expect(m.stages[0].reachable).toBe(true);
  });

  it('only the output stage and what it reaches are built', () => {
    const code = 'FROM golang AS unused\nRUN go build\nFROM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /x /x';
    const built = json(code);
    expect(built.outputStage).toBe(2);
    expect(built.stages.map((s) => s.reachable)).toEqual([false, true, true]);
    expect(built.stages[0].emulatedOn).toEqual([]);
    expect(built.summary.emulatedRunSteps).toEqual({ [AMD]: 0, [ARM]: 1 });
  });

  it('--target picks the output stage (case-insensitive, or by index)', () => {
    const code = 'FROM golang AS build\nRUN go build\nFROM alpine AS final\nCOPY --from=build /x /x';
    expect(json(code, { target: 'BUILD' }).outputStage).toBe(0);
    expect(json(code, { target: 'build' }).stages.map((s) => s.reachable)).toEqual([true, false]);
    expect(json(code, { target: '1' }).outputStage).toBe(1);
    expect(json(code, { target: 'nope' }).errors.map((e) => e.message)).toEqual(['target stage "nope" not found']);
  });

  it('FROM build_${TARGETARCH}: every candidate is reachable, each only for its target', () => {
    const code = df`
      FROM alpine AS build_amd64
      RUN echo amd
      FROM alpine AS build_arm64
      RUN echo arm
      FROM build_\${TARGETARCH} AS final
      RUN echo done
    `;
    const built = json(code);
    expect(built.stages[2].base).toEqual({ kind: 'variable', text: 'build_${TARGETARCH}', candidates: [0, 1] });
    expect(built.stages[0].reachableFor).toEqual([AMD]);
    expect(built.stages[1].reachableFor).toEqual([ARM]);
    expect(built.stages[1].emulatedOn).toEqual([ARM]);
    expect(built.stages[2].emulatedOn).toEqual([ARM]);
    expect(built.summary.emulatedRunSteps).toEqual({ [AMD]: 0, [ARM]: 2 });
  });
});

describe('emulation', () => {
  it('a RUN is emulated when its stage platform differs from the builder', () => {
    const code = 'FROM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /x /x';
    expect(stage(code, 'build').emulatedOn).toEqual([ARM]);
    expect(stage(code, 'build', { buildPlatform: ARM }).emulatedOn).toEqual([AMD]);
  });

  it('a stage with no RUN never emulates', () => {
    expect(stage('FROM alpine\nCOPY x /x', 0).emulatedOn).toEqual([]);
  });

  it('a constant platform emulates for every target on another builder', () => {
    expect(stage('FROM --platform=linux/arm64 alpine\nRUN true', 0).emulatedOn).toEqual([AMD, ARM]);
  });
});

describe('reading RUN', () => {
  it('keeps parser directives first and follows a backtick escape', () => {
    const m = model('# escape=`\nFROM golang AS b\nRUN GOOS=linux `\n    go build -o /out .');
    expect(m.escapeChar).toBe('`');
    expect(m.directives.map((d) => [d.name, d.value])).toEqual([['escape', '`']]);
    const [command] = m.stages[0].runs[0].commands;
    expect([command.name, command.kind, command.assignments.map((a) => a.name)]).toEqual(['go', 'build', ['GOOS']]);
    expect(command.words.map((w) => w.value)).toEqual(['go', 'build', '-o', '/out', '.']);
  });

  it('reads heredocs as shell text', () => {
    const m = model('FROM golang\nRUN <<EOF\nset -e\nGOARCH=arm64 go build ./...\nEOF');
    const run = m.stages[0].runs[0];
    expect(run.form).toBe('heredoc');
    expect(run.commands.map((c) => [c.name, c.kind])).toEqual([['set', 'other'], ['go', 'build']]);
  });

  it('reads exec form as one command', () => {
    const run = model('FROM golang\nRUN ["go", "build", "./..."]').stages[0].runs[0];
    expect(run.form).toBe('exec');
    expect(run.commands.map((c) => [c.name, c.kind, c.toolchain])).toEqual([['go', 'build', 'go']]);
  });

  it('reads commands after --mount flags and across continuations, with exact offsets', () => {
    const code = 'FROM golang\nRUN --mount=type=cache,target=/root/.cache \\\n    CGO_ENABLED=0 go build -o /out/app . && \\\n    echo done';
    const m = model(code);
    const [build, echo] = m.stages[0].runs[0].commands;
    expect(code.slice(build.words[0].start, build.end)).toBe('go build -o /out/app .');
    expect(build.assignments).toMatchObject([{ name: 'CGO_ENABLED', value: '0' }]);
    expect(echo.name).toBe('echo');
  });

  it('flags shell-form uses of undeclared platform args (BuildKit checks skip them)', () => {
    expect(stage('FROM --platform=$BUILDPLATFORM golang\nRUN GOARCH=$TARGETARCH go build', 0).unresolved).toEqual([
      { name: 'TARGETARCH', line: 2, column: 12, reason: 'not-declared-in-stage' },
    ]);
  });

  it('ignores variables the script sets itself, escaped ones and single-quoted ones', () => {
    const code = "FROM alpine\nRUN TARGETARCH=$(apk --print-arch); echo $TARGETARCH \\$TARGETOS '$BUILDARCH'";
    expect(stage(code, 0).unresolved).toEqual([]);
  });

  const classified: [string, string, string, string?][] = [
    ['go build ./...', 'go', 'build', 'go'],
    ['go mod download', 'go', 'other'],
    ['cargo build --release', 'cargo', 'build', 'rust'],
    ['make -j4', 'make', 'build', 'c'],
    ['./configure --prefix=/usr', 'configure', 'build', 'c'],
    ['aarch64-linux-gnu-gcc -o x x.c', 'aarch64-linux-gnu-gcc', 'build', 'c'],
    ['dotnet publish -c Release', 'dotnet', 'build', 'dotnet'],
    ['mvn -B package', 'mvn', 'build', 'java'],
    ['./gradlew build', 'gradlew', 'build', 'java'],
    ['npm run build', 'npm', 'build', 'node'],
    ['npm ci', 'npm', 'build', 'node'],
    ['pip wheel -w /w .', 'pip', 'build', 'python'],
    ['python -m pip install -r r.txt', 'python', 'build', 'python'],
    ['apt-get install -y gcc', 'apt-get', 'install'],
    ['apk add --no-cache git', 'apk', 'install'],
    ['curl -fsSLO https://x/y.tgz', 'curl', 'download'],
    ['uname -m', 'uname', 'probe'],
    ['dpkg --print-architecture', 'dpkg', 'probe'],
    ['xx-go build', 'xx-go', 'cross-helper'],
    ['env GOARCH=arm64 go build', 'go', 'build', 'go'],
    ['sudo -E make install', 'make', 'build', 'c'],
  ];
  for (const [shell, name, kind, toolchain] of classified) {
    it(`classifies \`${shell}\` as ${kind}${toolchain ? ` (${toolchain})` : ''}`, () => {
      const [command] = model(`FROM alpine\nRUN ${shell}`).stages[0].runs[0].commands;
      expect([command.name, command.kind, command.toolchain]).toEqual([name, kind, toolchain]);
    });
  }

  it('reads a substitution inside `sh -c "..."` once', () => {
    const commands = model('FROM alpine\nRUN sh -c "echo $(uname -m) && make"').stages[0].runs[0].commands;
    expect(commands.map((c) => `${c.name}:${c.depth}`)).toEqual(['sh:0', 'uname:2', 'echo:1', 'make:1']);
  });

  it('finds commands inside $(...), backticks, if/then, sh -c and case', () => {
    const code = df`
      FROM alpine
      RUN A=$(uname -m) && B=\`dpkg --print-architecture\`; \\
          if [ -f go.mod ]; then go build .; fi; \\
          sh -c "make all"; \\
          case "$A" in x86_64) cargo build ;; esac
    `;
    const names = model(code).stages[0].runs[0].commands.map((c) => `${c.name}:${c.kind}:${c.depth}`);
    expect(names).toEqual(expect.arrayContaining(['uname:probe:1', 'dpkg:probe:1', 'go:build:0', 'make:build:1', 'cargo:build:0']));
    expect(names).not.toContain('x86_64:other:0');
  });
});

describe('malformed Dockerfiles give errors, never a crash', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'no FROM instruction'],
    ['only comments', '# nothing here\n', 'no FROM instruction'],
    ['RUN before FROM', 'RUN echo hi\nFROM alpine', 'RUN before the first FROM'],
    ['unknown instruction', 'FROM alpine\nFORM x', 'unknown instruction "FORM"'],
    ['FROM without image', 'FROM\nRUN true', 'FROM without an image'],
    ['duplicate stage names', 'FROM alpine AS a\nFROM alpine AS A', 'duplicate stage name "A"'],
    ['bad --from index', 'FROM alpine\nCOPY --from=3 /x /x', '--from=3 names stage 3'],
    ['circular stages', 'FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nCOPY --from=a /y /y', 'circular dependency'],
    ['empty --platform', 'FROM --platform= alpine', '--platform needs a value'],
    ['malformed FROM', 'FROM alpine AS', 'malformed FROM'],
  ];
  for (const [name, code, message] of cases) {
    it(name, () => {
      const built = json(code);
      expect(built.errors.map((e) => e.message).join('\n')).toContain(message);
    });
  }

  it('survives garbage: unterminated quotes, heredocs, substitutions', () => {
    const inputs = [
      'FROM alpine\nRUN echo "unterminated',
      "FROM alpine\nRUN echo 'x",
      'FROM alpine\nRUN <<EOF\nno end',
      'FROM alpine\nRUN echo $(( 1 + ',
      'FROM alpine\nRUN echo ${',
      'FROM alpine\nRUN echo `x',
      'FROM alpine\nRUN \\',
      'FROM alpine\nRUN ["unterminated',
      'FROM a AS b\nFROM b AS c\nFROM c AS b',
      '\u0000\u0001FROM\u0002',
      'ARG\nFROM $\nRUN $',
    ];
    for (const input of inputs) expect(() => json(input)).not.toThrow();
  });
});

describe('explain-build JSON', () => {
  it('keeps its stable shape', () => {
    const built = json('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -o /app\nFROM alpine\nCOPY --from=build /app /app');
    expect(Object.keys(built)).toEqual(expect.arrayContaining(['file', 'buildPlatform', 'targetPlatforms', 'outputStage', 'errors', 'stages']));
    expect(built.stages[0]).toMatchObject({
      index: 0,
      name: 'build',
      line: 1,
      platform: 'builder',
      platformText: '$BUILDPLATFORM',
      reachable: true,
      emulatedOn: [],
      args: { TARGETARCH: { [AMD]: 'amd64', [ARM]: 'arm64' } },
      unresolved: [],
      runs: [{ line: 3, commands: [{ name: 'go', kind: 'build', toolchain: 'go' }] }],
    });
    expect(built.stages[1]).toMatchObject({ index: 1, name: null, platform: 'target', platformText: null });
  });
});
