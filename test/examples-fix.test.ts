/**
 * `--fix` over every example with every rule: the fix keeps the Dockerfile's structure (stages,
 * comments, parser directives), converges in one run, and turns the emulated examples into cross
 * builds; the clean examples stay silent for the cross-build rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixText } from '../core/fix';
import { lint } from '../core/lint';
import type { Model } from '../core/model';
import { rules } from '../rules/index';

const examples = join(__dirname, '..', 'examples');
const files = [
  ...readdirSync(examples)
    .filter((f) => f.endsWith('.Dockerfile'))
    .sort(),
  'nested/Containerfile',
];
const options = { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'], rules };
const OURS = ['emulated-build-stage', 'wrong-arch-artifact'];

const read = (file: string) => readFileSync(join(examples, file), 'utf8');
const comments = (m: Model) => m.ast.getComments().map((c) => c.getContent());
const directives = (m: Model) => m.directives.map((d) => [d.name, d.value, d.line]);
const ours = (text: string) =>
  lint(text, options)
    .diagnostics.filter((d) => OURS.includes(d.ruleId))
    .map((d) => ({ ruleId: d.ruleId, line: d.range.start.line + 1, fix: d.fix?.safety ?? null }));

describe('--fix on every example', () => {
  it('covers the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const file of files) {
    it(`${file}: keeps stages, comments and directives, and converges`, () => {
      const text = read(file);
      const before = lint(text, options).model;
      const fixed = fixText(text, options);
      expect(fixed.converged).toBe(true);
      const after = fixed.result.model;
      expect(after.errors).toEqual([]);
      expect(after.stages.length).toBe(before.stages.length);
      expect(comments(after)).toEqual(comments(before));
      expect(directives(after)).toEqual(directives(before));
      expect(fixText(fixed.output, options).output).toBe(fixed.output);
    });
  }
});

/** The lines that make each fixed example a cross build. */
const CROSS_SHAPES: Record<string, string[]> = {
  'go-emulated.Dockerfile': [
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
    'ARG TARGETOS TARGETARCH',
    '    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" \\',
  ],
  'dotnet-emulated.Dockerfile': [
    'FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build',
    'ARG TARGETARCH',
    '    dotnet restore Inventory.Api/Inventory.Api.csproj -a $TARGETARCH',
    '        /p:UseAppHost=false -a $TARGETARCH',
  ],
  'java-maven.Dockerfile': ['FROM --platform=$BUILDPLATFORM maven:3.9-eclipse-temurin-21 AS build'],
  'node-frontend.Dockerfile': ['FROM --platform=$BUILDPLATFORM node:20 AS build'],
};

describe('emulated examples become cross builds', () => {
  for (const [file, lines] of Object.entries(CROSS_SHAPES)) {
    it(file, () => {
      const text = read(file);
      expect(ours(text)).toEqual([{ ruleId: 'emulated-build-stage', line: 2, fix: 'safe' }]);
      const fixed = fixText(text, options);
      const out = fixed.output.split('\n');
      for (const line of lines) expect(out, line).toContain(line);
      // The ARG comes after the layers that do not depend on the target, right before the RUN that reads it.
      const arg = out.findIndex((l) => l.startsWith('ARG TARGET'));
      if (arg >= 0) expect(out[arg + 1]).toMatch(/^RUN /);
      // The output stage stays on the target platform.
      const lastFrom = out.filter((l) => l.startsWith('FROM ')).pop()!;
      expect(lastFrom).not.toContain('--platform');
      expect(fixed.result.diagnostics.filter((d) => OURS.includes(d.ruleId))).toEqual([]);
    });
  }

  it('go-emulated.Dockerfile: the exact fixed build stage', () => {
    const fixed = fixText(read('go-emulated.Dockerfile'), options).output;
    expect(fixed.split('\n').slice(1, 14).join('\n')).toBe(
      [
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'WORKDIR /src',
        '',
        'COPY go.mod go.sum ./',
        'RUN --mount=type=cache,target=/go/pkg/mod \\',
        '    go mod download',
        '',
        'COPY . .',
        'ARG TARGETOS TARGETARCH',
        'RUN --mount=type=cache,target=/go/pkg/mod \\',
        '    --mount=type=cache,target=/root/.cache/go-build \\',
        '    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" \\',
        '        -o /out/server ./cmd/server',
      ].join('\n'),
    );
  });
});

describe('what the cross-build rules say about the other examples', () => {
  it.each(['go-cross.Dockerfile', 'rust-xx.Dockerfile', 'per-arch-stages.Dockerfile', 'nested/Containerfile'])('%s is clean', (file) => {
    expect(ours(read(file))).toEqual([]);
  });

  it.each([
    ['go-shadowed-arg.Dockerfile', []],
    ['go-undeclared-arg.Dockerfile', []],
    ['hardcoded-arch.Dockerfile', []],
    ['go-wrong-arch.Dockerfile', [{ ruleId: 'wrong-arch-artifact', line: 12, fix: 'safe' }]],
    ['rust-emulated.Dockerfile', [{ ruleId: 'emulated-build-stage', line: 2, fix: 'display-only' }]],
    ['c-make.Dockerfile', [{ ruleId: 'emulated-build-stage', line: 2, fix: 'display-only' }]],
    ['python-wheels.Dockerfile', [{ ruleId: 'emulated-build-stage', line: 2, fix: null }]],
  ])('%s', (file, expected) => {
    expect(ours(read(file))).toEqual(expected);
  });

  it('go-wrong-arch.Dockerfile: --fix wires GOOS/GOARCH', () => {
    const fixed = fixText(read('go-wrong-arch.Dockerfile'), options);
    const out = fixed.output.split('\n');
    expect(out).toContain('ARG TARGETOS TARGETARCH');
    expect(out).toContain('    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" \\');
    expect(fixed.result.diagnostics.filter((d) => OURS.includes(d.ruleId))).toEqual([]);
  });
});
