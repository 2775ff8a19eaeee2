/**
 * Regression tests for the hostile inputs of the reliability review: each once hung, crashed or
 * misled the engine. They assert results, not times; a return of the old behaviour shows up as a
 * crash, a wrong result, or this file's timeout.
 */
import { describe, expect, it } from 'vitest';
import { fixText } from '../core/fix';
import { lint } from '../core/lint';
import { rules } from '../rules/index';

const options = { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };

describe('hostile inputs', () => {
  it('1,500 nested $( in a RUN: no stack overflow, the file is still linted', () => {
    const result = lint(`FROM golang AS build\nRUN echo ${'$('.repeat(1500)}\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n`, options);
    expect(result.model.errors).toEqual([]);
    expect(result.diagnostics.map((d) => d.ruleId)).toContain('emulated-build-stage');
    // What was not read is said, as information.
    expect(result.diagnostics.find((d) => d.ruleId === 'model-limit')).toMatchObject({ severity: 'info', range: { start: { line: 1 } } });
  });

  it('twelve FROM ${V} stages that all name the same parent (a factorial enumeration hung here)', () => {
    const code = ['ARG V=s0', 'FROM alpine AS s0', ...Array.from({ length: 11 }, (_, i) => `FROM \${V} AS s${i + 1}`)].join('\n');
    const result = lint(code, options);
    expect(result.model.stages.slice(1).every((s) => s.parentFor['linux/arm64'] === 0)).toBe(true);
  });

  it('a suppression comment followed by 160,000 spaces and "!" is read in linear time and does not suppress', () => {
    const code = `# xlint ignore=emulated-build-stage${' '.repeat(160_000)}!\nFROM golang AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n`;
    expect(lint(code, options).diagnostics.map((d) => d.ruleId)).toContain('emulated-build-stage');
  });

  it('an ARG name is not expanded: --fix settles on ARG TARGET${BUILDPLATFORM}ARCH (the file grew on every run)', () => {
    const first = fixText('FROM alpine\nARG TARGET${BUILDPLATFORM}ARCH\nRUN echo $TARGETARCH\n', options);
    expect(first.converged).toBe(true);
    expect(first.output).toBe('FROM alpine\nARG TARGET${BUILDPLATFORM}ARCH TARGETARCH\nRUN echo $TARGETARCH\n');
    expect(fixText(first.output, options).changed).toBe(false);
  });

  it('a --platform continued on the next line is joined, as BuildKit does: $BUILD\\ + PLATFORM is $BUILDPLATFORM', () => {
    const result = lint('FROM --platform=$BUILD\\\nPLATFORM golang AS build\nRUN go version\nFROM alpine\nCOPY --from=build /x /x\n', options);
    expect(result.model.stages[0].platform.kind).toBe('builder');
    expect(result.model.stages[0].platformFlag?.text).toBe('$BUILDPLATFORM');
    expect(result.diagnostics).toEqual([]);
  });

  it('4,000 arch URLs in one RUN: one finding each, and one fix that rewrites them all at once', () => {
    const urls = Array.from({ length: 4000 }, (_, i) => `curl -o /x${i} https://example.com/t-linux-amd64-${i}.tgz`).join(' && ');
    const code = `FROM alpine\nRUN ${urls}\n`;
    const result = lint(code, options);
    expect(result.diagnostics).toHaveLength(4000);
    expect(new Set(result.diagnostics.map((d) => d.fix)).size).toBe(1);
    const fixed = fixText(code, { ...options, unsafe: true });
    expect(fixed.passes).toBe(1);
    expect(fixed.output.match(/linux-\$TARGETARCH/g)).toHaveLength(4000);
  });
});
