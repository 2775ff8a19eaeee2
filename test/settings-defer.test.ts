/** Deferring to another extension's checks (issue 13: Docker DX runs BuildKit's): the mirrored rules are off. */
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index';
import { analyze, diagnostics } from '../server/service';
import { DEFAULT_SETTINGS, effectiveSettings, readEditorSettings } from '../server/settings';

const BUILDKIT_MIRRORS = rules.filter((r) => r.meta.docs.mirrors?.buildkit).map((r) => r.meta.id);
/** constant-platform (FromPlatformFlagConstDisallowed) and undeclared-platform-arg (no BuildKit check: RUN is shell form). */
const CODE = 'FROM --platform=linux/amd64 golang:1.22 AS build\nRUN GOARCH=$TARGETARCH go build -o /app .\nFROM alpine\nCOPY --from=build /app /app\n';

const codes = (deferTo: string[], extra: Record<string, unknown> = {}) => {
  const { settings, problems } = readEditorSettings({ buildPlatform: 'linux/amd64', deferTo, ...extra });
  expect(problems).toEqual([]);
  return diagnostics(analyze(CODE, effectiveSettings(settings, null))).map((d) => d.code);
};

describe('deferTo', () => {
  it('the rules with a BuildKit mirror are the ones the metadata names', () => {
    expect(BUILDKIT_MIRRORS.sort()).toEqual(['constant-platform', 'redundant-target-platform', 'undefined-arg-in-from']);
  });

  it('"buildkit" turns off exactly the rules that mirror a BuildKit check', () => {
    expect(codes([])).toContain('constant-platform');
    expect(codes([])).toContain('undeclared-platform-arg');
    expect(codes(['buildkit'])).not.toContain('constant-platform');
    expect(codes(['buildkit'])).toContain('undeclared-platform-arg');
    const { severities } = effectiveSettings({ ...DEFAULT_SETTINGS, deferTo: ['buildkit'] }, null);
    for (const id of BUILDKIT_MIRRORS) expect(severities[id]).toBe('off');
  });

  it('a severity given in the editor settings wins; the config file does not', () => {
    expect(codes(['buildkit'], { rules: { 'constant-platform': 'error' } })).toContain('constant-platform');
    const { severities } = effectiveSettings({ ...DEFAULT_SETTINGS, deferTo: ['buildkit'] }, { rules: { 'constant-platform': 'error' } });
    expect(severities['constant-platform']).toBe('off');
  });

  it('reports values it does not know', () => {
    expect(readEditorSettings({ deferTo: ['buildkit', 'docker', 3] })).toEqual({
      settings: { ...DEFAULT_SETTINGS, deferTo: ['buildkit'] },
      problems: ['xlint.deferTo: "docker" is not a tool xlint mirrors (expected "buildkit" or "hadolint")', 'xlint.deferTo: "3" is not a tool xlint mirrors (expected "buildkit" or "hadolint")'],
    });
  });
});
