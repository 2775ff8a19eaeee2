/**
 * The language service without an editor (rcjsuen's layering): text and settings in, LSP data
 * out. The protocol tests (server.test.ts) cover the same paths over stdio; these pin the details.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineRule, type FixSafety } from '../core/rule';
import { TOOL_VERSION } from '../core/version';
import { ruleDocUrl } from '../rules/docs';
import { analyze, codeActions, diagnostics, fixAllEdits, hover, kindRequested, minimalEdits, prepare } from '../server/service';
import { isIgnored } from '../config/config';
import { DEFAULT_SETTINGS, effectiveSettings, readEditorSettings } from '../server/settings';
import { forgetDocument, keptTrees, parserOf, runJob } from '../server/worker';
import { applyEdits } from './lsp/client';
import { df } from './rule-tester';

const settings = effectiveSettings({ ...DEFAULT_SETTINGS, platforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/amd64' }, null);
const URI = 'file:///w/Dockerfile';
const everywhere = { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } };

/** A rule that flags every `RUN make` with a fix of the given safety: the service's labels, not any real rule's logic. */
function makeRule(safety: FixSafety, edits = true) {
  return defineRule({
    meta: {
      id: `make-${safety}`,
      severity: 'warning',
      description: 'Test rule',
      fixes: [safety],
      messages: { make: 'make here' },
      docs: { what: '', leftAlone: '', why: '', bad: '', good: '', fixSafety: '' },
    },
    check({ model, report }) {
      for (const stage of model.stages) {
        for (const run of stage.runs) {
          const command = run.commands.find((c) => c.name === 'make');
          if (!command) continue;
          report({
            messageId: 'make',
            start: command.start,
            end: command.start + 4,
            fix: { title: 'Use ninja', safety, edits: edits ? [{ start: command.start, end: command.start + 4, text: 'ninja' }] : [] },
          });
        }
      }
    },
  });
}

const MAKE = df`
  FROM debian:12
  RUN make all
`;

describe('quick fixes', () => {
  it('labels by safety: safe preferred, unsafe "(unsafe)", display-only "Suggestion:", never preferred', () => {
    const titles = (safety: FixSafety) =>
      codeActions(analyze(MAKE, settings, [makeRule(safety)]), URI, everywhere, { only: ['quickfix'] })
        .filter((a) => !a.title.startsWith('Ignore'))
        .map((a) => [a.title, a.isPreferred]);
    expect(titles('safe')).toEqual([['Use ninja', true]]);
    expect(titles('unsafe')).toEqual([['Use ninja (unsafe)', false]]);
    expect(titles('display-only')).toEqual([['Suggestion: Use ninja', false]]);
  });

  it('offers a display-only fix only when it has edits', () => {
    const actions = codeActions(analyze(MAKE, settings, [makeRule('display-only', false)]), URI, everywhere);
    expect(actions.map((a) => a.title)).toEqual(['Ignore make-display-only here']);
  });

  it('fix-all applies safe fixes; unsafe ones only with xlint.unsafeFixes; display-only never', () => {
    expect(applyEdits(MAKE, fixAllEdits(analyze(MAKE, settings, [makeRule('safe')])))).toContain('RUN ninja all');
    expect(fixAllEdits(analyze(MAKE, settings, [makeRule('unsafe')]))).toEqual([]);
    expect(applyEdits(MAKE, fixAllEdits(analyze(MAKE, { ...settings, unsafeFixes: true }, [makeRule('unsafe')])))).toContain('RUN ninja all');
    expect(fixAllEdits(analyze(MAKE, { ...settings, unsafeFixes: true }, [makeRule('display-only')]))).toEqual([]);
  });

  it('answers only the kinds asked for', () => {
    const analysis = analyze(MAKE, settings, [makeRule('safe')]);
    expect(codeActions(analysis, URI, everywhere, { only: ['source.fixAll'] }).map((a) => a.kind)).toEqual(['source.fixAll.xlint']);
    expect(codeActions(analysis, URI, everywhere, { only: ['refactor'] })).toEqual([]);
    expect(kindRequested('source.fixAll.xlint', ['source'])).toBe(true);
    expect(kindRequested('source.fixAll.xlint', ['source.fixAll.eslint'])).toBe(false);
    expect(kindRequested('quickfix', undefined)).toBe(true);
  });

  it('answers the diagnostics the client names, even away from the cursor', () => {
    const analysis = analyze(MAKE, settings, [makeRule('safe')]);
    const [d] = diagnostics(analysis);
    const line0 = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    expect(codeActions(analysis, URI, line0, { only: ['quickfix'] })).toEqual([]);
    expect(codeActions(analysis, URI, line0, { only: ['quickfix'], diagnostics: [d] }).map((a) => a.title)).toContain('Use ninja');
  });
});

describe('"Ignore <rule> here"', () => {
  const ignore = (text: string, rule = makeRule('safe')) => {
    const action = codeActions(analyze(text, settings, [rule]), URI, everywhere).find((a) => a.title.startsWith('Ignore'))!;
    return applyEdits(text, action.edit!.changes![URI]);
  };

  it('inserts the comment above the instruction, at its indentation', () => {
    expect(ignore('FROM debian:12\n    RUN make all\n')).toBe('FROM debian:12\n    # xlint ignore=make-safe\n    RUN make all\n');
  });

  it('keeps CRLF line endings', () => {
    expect(ignore('FROM debian:12\r\nRUN make all\r\n')).toBe('FROM debian:12\r\n# xlint ignore=make-safe\r\nRUN make all\r\n');
  });

  it('goes above the first line of a continued instruction', () => {
    expect(ignore('FROM debian:12\nRUN apt-get update && \\\n    make all\n')).toBe('FROM debian:12\n# xlint ignore=make-safe\nRUN apt-get update && \\\n    make all\n');
  });

  it('adds to an ignore comment already there', () => {
    expect(ignore('FROM debian:12\n# xlint ignore=hardcoded-arch\nRUN make all\n')).toBe('FROM debian:12\n# xlint ignore=hardcoded-arch,make-safe\nRUN make all\n');
  });

  it('silences the rule', () => {
    const fixed = ignore(MAKE);
    expect(diagnostics(analyze(fixed, settings, [makeRule('safe')]))).toEqual([]);
  });
});

describe('positions', () => {
  it('counts a BOM kept in the editor text as a character of line 0', () => {
    const text = '\ufeffFROM --platform=$TARGETPLATFORM alpine\nRUN make\n';
    const [d] = diagnostics(analyze(text, settings)).filter((x) => x.code === 'redundant-target-platform');
    expect(d.range.start).toEqual({ line: 0, character: 6 });
    const fixed = applyEdits(text, fixAllEdits(analyze(text, settings)));
    expect(fixed.startsWith('\ufeffFROM alpine\n')).toBe(true);
  });

  it('turns a rewrite into line edits that leave the rest alone', () => {
    const before = 'a\nb\nc\nd\n';
    const edits = minimalEdits(before, 'a\nB\nc\nd\ne\n');
    expect(edits).toEqual([
      { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: 'B\n' },
      { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, newText: 'e\n' },
    ]);
    expect(applyEdits(before, edits)).toBe('a\nB\nc\nd\ne\n');
  });
});

describe('diagnostics', () => {
  const TEXT = df`
    FROM --platform=$BUILDPLATFORM golang AS build
    RUN GOARCH=$TARGETARCH go build -o /out/app .
    FROM alpine
    COPY --from=build /out/app /app
  `;

  it('link the rule doc as released with this version (codeDescription), as the CLI JSON and SARIF do', () => {
    const analysis = analyze(TEXT, settings);
    const released = diagnostics(analysis, '1.2.3');
    expect(released.length).toBeGreaterThan(0);
    for (const d of released) expect(d.codeDescription?.href).toBe(`https://github.com/xlint-dev/xlint/blob/v1.2.3/docs/rules/${d.code}.md`);
    expect(prepare(analysis, URI, '1.2.3').diagnostics.map((p) => p.diagnostic.codeDescription?.href)).toEqual(released.map((d) => d.codeDescription?.href));
    // By default this build's version: from source (no release) the latest page, on main.
    expect(TOOL_VERSION).toBe('0.0.0-dev');
    for (const d of diagnostics(analysis)) expect(d.codeDescription?.href).toBe(ruleDocUrl(String(d.code), TOOL_VERSION));
    expect(diagnostics(analysis)[0].codeDescription?.href).toContain('/blob/main/docs/rules/');
    expect(prepare(analysis, URI).diagnostics[0].diagnostic.codeDescription?.href).toContain('/blob/main/docs/rules/');
  });
});

describe('hover', () => {
  const TEXT = df`
    ARG TARGETARCH=amd64
    FROM --platform=$BUILDPLATFORM golang AS build
    ARG TARGETARCH
    RUN GOARCH=$TARGETARCH go build -o /out/app . && echo $HOME
    FROM alpine
    COPY --from=build /out/app /app
  `;
  const at = (line: number, needle: string) => {
    const analysis = analyze(TEXT, settings);
    const character = TEXT.split('\n')[line].indexOf(needle) + 1;
    return (hover(analysis, { line, character })?.contents as { value: string } | undefined)?.value ?? null;
  };

  it('on a shadowed arg: pinned, with the line of the default', () => {
    const text = at(3, '$TARGETARCH')!;
    expect(text).toContain('| linux/arm64 | `amd64` |');
    expect(text).toContain('**Pinned**');
    expect(text).toContain('line 1');
  });

  it('on a variable that is no ARG or ENV: where its value comes from', () => {
    expect(at(3, '$HOME')).toContain('comes from the base image or the shell');
  });

  it('on an ARG declaration in a stage: its values', () => {
    expect(at(2, 'TARGETARCH')).toContain('| linux/amd64 | `amd64` |');
  });

  it('on FROM of the output stage, and nothing on a plain instruction', () => {
    expect(at(4, 'FROM')).toContain('the output stage');
    expect(at(5, 'COPY')).toBeNull();
  });

  it('on $BUILDPLATFORM in a FROM: the global value per target', () => {
    expect(at(1, '$BUILDPLATFORM')).toContain('| linux/arm64 | `linux/amd64` |');
  });
});

describe('settings', () => {
  it('reads what the client sends, whatever it is', () => {
    expect(readEditorSettings(undefined).settings).toEqual(DEFAULT_SETTINGS);
    expect(readEditorSettings(null).settings).toEqual(DEFAULT_SETTINGS);
    const { settings: s, problems } = readEditorSettings({ platforms: ['linux/arm64/v8', 'bogus', 'linux/arm64'], rules: { a: 'off', b: 'loud' }, enable: 'yes' });
    expect(s.platforms).toEqual(['linux/arm64']);
    expect(s.rules).toEqual({ a: 'off' });
    expect(s.enable).toBe(true);
    expect(problems).toHaveLength(2);
    expect(readEditorSettings({ platforms: 'linux/amd64, linux/riscv64' }).settings.platforms).toEqual(['linux/amd64', 'linux/riscv64']);
    expect(DEFAULT_SETTINGS.platforms).toEqual([]);
  });

  it("reads the config file's ignore list as the CLI does", () => {
    const config = { ignore: ['vendor', 'legacy/', '**/*.old.Dockerfile'] };
    expect(isIgnored('/repo/.xlintrc.json', config, '/repo/vendor/x/Dockerfile')).toBe(true);
    expect(isIgnored('/repo/.xlintrc.json', config, '/repo/legacy/Dockerfile')).toBe(true);
    expect(isIgnored('/repo/.xlintrc.json', config, '/repo/svc/api.old.Dockerfile')).toBe(true);
    expect(isIgnored('/repo/.xlintrc.json', config, '/repo/svc/Dockerfile')).toBe(false);
    expect(isIgnored('/repo/sub/.xlintrc.json', config, '/repo/vendor/Dockerfile')).toBe(false);
    expect(effectiveSettings(DEFAULT_SETTINGS, config, 'x64', true).enable).toBe(false);
  });

  it('editor settings over the config file over the defaults', () => {
    const config = { platforms: ['linux/s390x'], buildPlatform: 'linux/arm64', rules: { 'hardcoded-arch': 'off' as const, 'emulated-build-stage': ['info' as const, { x: 1 }] as ['info', Record<string, unknown>] } };
    const fromConfig = effectiveSettings(DEFAULT_SETTINGS, config, 'x64');
    expect(fromConfig).toMatchObject({ targetPlatforms: ['linux/s390x'], buildPlatform: 'linux/arm64', severities: { 'hardcoded-arch': 'off', 'emulated-build-stage': 'info' }, ruleOptions: { 'emulated-build-stage': { x: 1 } } });
    const editor = effectiveSettings({ ...DEFAULT_SETTINGS, platforms: ['linux/amd64'], rules: { 'hardcoded-arch': 'error' } }, config, 'x64');
    expect(editor).toMatchObject({ targetPlatforms: ['linux/amd64'], buildPlatform: 'linux/arm64', severities: { 'hardcoded-arch': 'error' } });
    expect(effectiveSettings(DEFAULT_SETTINGS, null, 'arm64')).toMatchObject({ targetPlatforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/arm64' });
  });
});

describe('the build context of a document on disk (worker.ts), as the CLI reads it', () => {
  it('a project file that publishes NativeAOT makes the .NET cross-compile fix display-only: fix-all leaves it, as xlint --fix does', () => {
    const DOTNET = 'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nFROM mcr.microsoft.com/dotnet/runtime-deps:8.0\nCOPY --from=build /app /app\n';
    const project = (csproj: string | null) => {
      const dir = mkdtempSync(join(tmpdir(), 'xlint-service-'));
      writeFileSync(join(dir, 'Dockerfile'), DOTNET);
      if (csproj !== null) writeFileSync(join(dir, 'app.csproj'), csproj);
      return pathToFileURL(join(dir, 'Dockerfile')).href;
    };
    const job = (uri: string) => ({ uri, text: DOTNET, settings });
    const plain = project(null);
    expect(runJob({ kind: 'analyze', ...job(plain) }).diagnostics.map((d) => (d.diagnostic.data as { fix: string }).fix)).toEqual(['safe']);
    expect(runJob({ kind: 'fixAll', ...job(plain) })).not.toEqual([]);
    const aot = project('<Project><PropertyGroup><PublishAot>true</PublishAot></PropertyGroup></Project>');
    expect(runJob({ kind: 'analyze', ...job(aot) }).diagnostics.map((d) => (d.diagnostic.data as { fix: string }).fix)).toEqual(['display-only']);
    expect(runJob({ kind: 'fixAll', ...job(aot) })).toEqual([]);
    // A document that is not a file has no build context.
    expect(runJob({ kind: 'fixAll', ...job('untitled:Untitled-1') })).not.toEqual([]);
  });
});

describe("the trees the worker keeps for a document's next analysis (worker.ts)", () => {
  const GO = 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine\nCOPY --from=build /app /app\n';
  it('one parser per document, for the four analysed last, none for a huge text, and none once the document is closed', () => {
    for (const uri of keptTrees()) forgetDocument(uri);
    const first = parserOf({ uri: 'file:///a/Dockerfile', text: GO });
    expect(parserOf({ uri: 'file:///a/Dockerfile', text: GO + 'RUN x\n' })).toBe(first);
    for (const name of ['b', 'c', 'd', 'e']) parserOf({ uri: `file:///${name}/Dockerfile`, text: GO });
    expect(keptTrees()).toEqual(['b', 'c', 'd', 'e'].map((name) => `file:///${name}/Dockerfile`));
    expect(parserOf({ uri: 'file:///e/Dockerfile', text: GO + '#'.repeat(2 * 1024 * 1024) })).toBeUndefined();
    expect(keptTrees()).not.toContain('file:///e/Dockerfile');
    forgetDocument('file:///b/Dockerfile');
    expect(keptTrees()).toEqual(['file:///c/Dockerfile', 'file:///d/Dockerfile']);
  });

  it('an edit analysed after the last gives what a fresh analysis gives', () => {
    const uri = 'file:///edited/Dockerfile';
    runJob({ kind: 'analyze', uri, text: GO, settings });
    const edited = GO.replace('go build', 'CGO_ENABLED=0 go build');
    const kept = runJob({ kind: 'analyze', uri, text: edited, settings });
    forgetDocument(uri);
    expect(kept).toEqual(runJob({ kind: 'analyze', uri, text: edited, settings }));
    expect(kept.diagnostics.length).toBeGreaterThan(0);
  });
});
