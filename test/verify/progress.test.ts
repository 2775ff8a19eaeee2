import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../core/model';
import type { BuildResult } from '../../builder/driver';
import { parseStepName, PlainProgressReader, platformSpans, RawJsonProgressReader, runSteps, type Step } from '../../builder/progress';
import { emulatedSteps } from '../../builder/report';

describe('step names', () => {
  it.each([
    ['[build 4/4] RUN go build .', { platform: null, crossTo: null, stage: 'build', index: 4, count: 4, instruction: 'RUN go build .' }],
    ['[2/3] COPY . .', { platform: null, crossTo: null, stage: null, index: 2, count: 3, instruction: 'COPY . .' }],
    ['[linux/arm64 build 3/5] RUN make', { platform: 'linux/arm64', crossTo: null, stage: 'build', instruction: 'RUN make' }],
    ['[linux/amd64->arm64 build 3/5] RUN go build', { platform: 'linux/amd64', crossTo: 'linux/arm64', stage: 'build' }],
    ['[linux/amd64->arm/v7 build 3/5] RUN go build', { platform: 'linux/amd64', crossTo: 'linux/arm/v7', stage: 'build' }],
    ['[linux/arm64 stage-1 2/2] COPY --from=build /out /', { platform: 'linux/arm64', stage: 'stage-1' }],
    ['[linux/arm64/v8 3/3] RUN true', { platform: 'linux/arm64', stage: null }],
  ])('%s', (name, expected) => {
    expect(parseStepName(name)).toMatchObject(expected);
  });

  it.each(['[internal] load build definition from Dockerfile', 'exporting to client', '[auth] library/golang:pull'])('%s is not a Dockerfile step', (name) => {
    expect(parseStepName(name)).toBeNull();
  });
});

describe('plain progress (docker 20.10 BuildKit)', () => {
  const log = readFileSync(join(__dirname, 'plain-go-emulated.log'), 'utf8').split('\n');
  it('reads every step with its time', () => {
    const reader = new PlainProgressReader();
    log.forEach((line, i) => reader.feed(line, i));
    const run = reader.steps.find((s) => s.name.startsWith('[build 4/4]'))!;
    expect(run).toMatchObject({ id: '10', name: '[build 4/4] RUN CGO_ENABLED=0 go build -a -o /out/hello .', seconds: 141.3, cached: false, error: null });
    expect(reader.steps.map((s) => s.name)).toContain('exporting to client');
  });

  it('reads CACHED, ERROR and output lines', () => {
    const reader = new PlainProgressReader();
    ['#5 [build 2/3] RUN make', '#5 0.512 cc: error', '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2', '#6 [stage-1 2/2] COPY a b', '#6 CACHED'].forEach((l, i) => reader.feed(l, i));
    expect(reader.steps).toMatchObject([
      { id: '5', error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2' },
      { id: '6', cached: true },
    ]);
    expect(reader.output.get('5')).toEqual(['cc: error']);
  });
});

/** A multi-platform buildx log as `--progress=rawjson` prints it: one SolveStatus a line. */
function rawjson(vertexes: { name: string; digest: string; started?: string; completed?: string; cached?: boolean; error?: string }[]): string {
  return JSON.stringify({ vertexes });
}

describe('rawjson progress (docker buildx, several platforms)', () => {
  const lines = [
    rawjson([{ digest: 'sha256:a1', name: '[linux/arm64 build 3/3] RUN go build -o /out/app .', started: '2025-01-01T00:00:00Z' }]),
    rawjson([{ digest: 'sha256:b1', name: '[linux/amd64 build 3/3] RUN go build -o /out/app .', started: '2025-01-01T00:00:00Z', completed: '2025-01-01T00:00:08Z' }]),
    'not json at all',
    rawjson([{ digest: 'sha256:a1', name: '[linux/arm64 build 3/3] RUN go build -o /out/app .', started: '2025-01-01T00:00:00Z', completed: '2025-01-01T00:01:30Z' }]),
    rawjson([{ digest: 'sha256:a2', name: '[linux/arm64 stage-1 2/2] COPY --from=build /out/app /app', started: '2025-01-01T00:01:30Z', completed: '2025-01-01T00:01:31Z' }]),
    rawjson([{ digest: 'sha256:b2', name: '[linux/amd64 stage-1 2/2] COPY --from=build /out/app /app', started: '2025-01-01T00:00:08Z', completed: '2025-01-01T00:00:09Z' }]),
  ];
  const reader = new RawJsonProgressReader();
  for (const l of lines) reader.feed(l);

  it('merges updates of a vertex and reads its timestamps', () => {
    expect(reader.steps).toHaveLength(4);
    expect(reader.steps[0]).toMatchObject({ id: 'sha256:a1', startedMs: Date.parse('2025-01-01T00:00:00Z'), completedMs: Date.parse('2025-01-01T00:01:30Z') });
  });

  it('accepts the Go field names too (Vertexes, Name, ...)', () => {
    const r = new RawJsonProgressReader();
    r.feed(JSON.stringify({ Vertexes: [{ Digest: 'sha256:x', Name: '[linux/arm64 2/2] RUN true', Cached: true }] }));
    expect(r.steps).toMatchObject([{ id: 'sha256:x', name: '[linux/arm64 2/2] RUN true', cached: true }]);
  });

  it('tells emulated RUN steps from native ones', () => {
    const runs = runSteps(reader.steps, 'linux/amd64', ['linux/amd64', 'linux/arm64']);
    expect(runs).toEqual([
      { target: 'linux/arm64', platform: 'linux/arm64', stage: 'build', instruction: 'RUN go build -o /out/app .', emulated: true, cross: false, cached: false, durationMs: 90_000 },
      { target: 'linux/amd64', platform: 'linux/amd64', stage: 'build', instruction: 'RUN go build -o /out/app .', emulated: false, cross: false, cached: false, durationMs: 8_000 },
    ]);
  });

  it('counts a cross-compiling step as native', () => {
    const r = new RawJsonProgressReader();
    r.feed(rawjson([{ digest: 'sha256:c', name: '[linux/amd64->arm64 build 3/3] RUN GOARCH=arm64 go build .', started: '2025-01-01T00:00:00Z', completed: '2025-01-01T00:00:09Z' }]));
    expect(runSteps(r.steps, 'linux/amd64', ['linux/amd64', 'linux/arm64'])).toMatchObject([{ target: 'linux/arm64', platform: 'linux/amd64', emulated: false, cross: true }]);
  });

  it('measures each platform from its first step to its last', () => {
    expect(platformSpans(reader.steps, ['linux/amd64', 'linux/arm64', 'linux/riscv64'])).toEqual({ 'linux/amd64': 9_000, 'linux/arm64': 91_000, 'linux/riscv64': null });
  });
});

describe('emulated steps in a report', () => {
  const dockerfile = [
    'FROM 127.0.0.1:5000/xlint/golang AS build',
    'WORKDIR /src',
    'COPY go-app/ ./',
    'RUN CGO_ENABLED=0 go build -a -o /out/hello .',
    '',
    'FROM 127.0.0.1:5000/xlint/busybox',
    'COPY --from=build /out/hello /usr/local/bin/hello',
  ].join('\n');
  const model = buildModel(dockerfile, { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });

  it('come from the model when the log names no platform (docker, one platform per call)', () => {
    const reader = new PlainProgressReader();
    readFileSync(join(__dirname, 'plain-go-emulated.log'), 'utf8').split('\n').forEach((l, i) => reader.feed(l, i));
    const result: BuildResult = { builds: [], steps: reader.steps, stepsByPlatform: { 'linux/amd64': [], 'linux/arm64': reader.steps }, wallMs: 1, platformsInLog: false };
    expect(emulatedSteps(model, result, 'linux/amd64')).toEqual([]);
    expect(emulatedSteps(model, result, 'linux/arm64')).toEqual([
      { platform: 'linux/arm64', stage: 'build', line: 4, instruction: 'RUN CGO_ENABLED=0 go build -a -o /out/hello .', durationMs: 141_300, cached: false, source: 'model' },
    ]);
  });

  it('come from the log when it names platforms (buildx, several platforms)', () => {
    const r = new RawJsonProgressReader();
    r.feed(rawjson([{ digest: 'sha256:1', name: '[linux/arm64 build 4/4] RUN CGO_ENABLED=0 go build -a -o /out/hello .', started: '2025-01-01T00:00:00Z', completed: '2025-01-01T00:00:50Z' }]));
    r.feed(rawjson([{ digest: 'sha256:2', name: '[linux/amd64 build 4/4] RUN CGO_ENABLED=0 go build -a -o /out/hello .', started: '2025-01-01T00:00:00Z', completed: '2025-01-01T00:00:05Z' }]));
    const result: BuildResult = { builds: [], steps: r.steps as Step[], stepsByPlatform: null, wallMs: 1, platformsInLog: true };
    expect(emulatedSteps(model, result, 'linux/arm64')).toEqual([
      { platform: 'linux/arm64', stage: 'build', line: 4, instruction: 'RUN CGO_ENABLED=0 go build -a -o /out/hello .', durationMs: 50_000, cached: false, source: 'log' },
    ]);
    expect(emulatedSteps(model, result, 'linux/amd64')).toEqual([]);
  });
});

describe('failure messages', () => {
  it('names the failed step with its last output, or keeps the distinct error lines', async () => {
    const { errorSummary, stepFailure } = await import('../../builder/driver');
    expect(stepFailure('[2/2] RUN make', 'exit code: 2', ['cc -c a.c', '', 'a.c:1: error: boom'])).toBe('[2/2] RUN make: exit code: 2\n  | cc -c a.c\n  | a.c:1: error: boom');
    expect(errorSummary(['#5 ERROR: executor failed running [make]: exit code: 1', '------', 'executor failed running [make]: exit code: 1'], 'x')).toBe('executor failed running [make]: exit code: 1');
    expect(errorSummary([], 'docker build exited with 1')).toBe('docker build exited with 1');
  });
});
