/**
 * The CI formatters: SARIF checked against the official 2.1.0 schema, GitHub commands line by line,
 * the XML formats parsed by a strict parser, GitLab fingerprints that survive moved lines. A
 * hand-built report set keeps the assertions exact; the examples, linted by the real rules, keep them real.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { formatCheckstyle } from '../cli/formats/checkstyle';
import type { FormatContext } from '../cli/formats/common';
import { formatConcise } from '../cli/formats/concise';
import { formatGithub } from '../cli/formats/github';
import { formatGitlab, type CodeQualityIssue } from '../cli/formats/gitlab';
import { FORMATS_READING_SOURCE, formatNames, formatters } from '../cli/formats/index';
import { formatJson } from '../cli/formats/json';
import { formatJunit } from '../cli/formats/junit';
import { FINGERPRINT_KEY, formatSarif } from '../cli/formats/sarif';
import { formatStylish } from '../cli/formats/stylish';
import type { FileReport } from '../cli/report';
import { rangeOf, sourceText } from '../core/document';
import { INVALID_DOCKERFILE, lint, MODEL_LIMIT } from '../core/lint';
import { defineRule, type Diagnostic, type Fix, type Rule, type Severity } from '../core/rule';
import { ruleDocUrl } from '../rules/docs';
import { rules } from '../rules/index';

const root = join(__dirname, '..');
const multitoolDir = join(root, 'node_modules/@microsoft/sarif-multitool-linux');

// ---------------------------------------------------------------- synthetic reports

function fakeRule(id: string, severity: Severity): Rule {
  return defineRule({
    meta: {
      id,
      severity,
      description: `Do not ${id}`,
      fixes: ['safe', 'unsafe'],
      messages: { found: '{{text}}' },
      docs: { what: `Finds ${id}.`, leftAlone: 'Nothing.', why: 'Because.', bad: 'FROM --platform=$TARGETPLATFORM alpine', good: 'FROM alpine', fixSafety: 'Safe.' },
    },
    check() {},
  });
}

const fakeRules = [fakeRule('fake-error', 'error'), fakeRule('fake-warning', 'warning'), fakeRule('fake-info', 'info')];
const cwd = '/repo';
const synthetic: FormatContext = { rules: fakeRules, cwd, toolVersion: '1.2.3' };

const SOURCE = 'FROM --platform=$TARGETPLATFORM alpine\nRUN echo "é😀" && make\n';
const NASTY = 'bad "--platform", 50% of 100: <done> & more\r\nnext line';

function diagnostic(source: string, ruleId: string, severity: Severity, message: string, start: number, end: number, fix: Fix | null = null): Diagnostic {
  return { ruleId, severity, message, range: rangeOf(sourceText(source), start, end), start, end, fix };
}

function syntheticReports(prefix = ''): FileReport[] {
  const source = prefix + SOURCE;
  const at = (text: string) => source.indexOf(text);
  const flag = at('--platform');
  const make = at('make');
  return [
    {
      filePath: 'svc, a/My Dockerfile',
      source,
      fixedCount: 0,
      diagnostics: [
        diagnostic(source, 'fake-error', 'error', NASTY, flag, flag + '--platform=$TARGETPLATFORM'.length, {
          title: 'Remove --platform=$TARGETPLATFORM',
          safety: 'safe',
          edits: [{ start: flag, end: flag + '--platform=$TARGETPLATFORM '.length, text: '' }],
        }),
        // After an emoji: columns count UTF-16 units, so "make" starts at column 19, not 18.
        diagnostic(source, 'fake-warning', 'warning', 'runs "make" emulated', make, make + 4, {
          title: 'Use the cross compiler',
          safety: 'unsafe',
          edits: [
            { start: make, end: make + 4, text: 'xx-make' },
            { start: at('RUN'), end: at('RUN'), text: 'ARG TARGETARCH\n' },
          ],
        }),
        diagnostic(source, 'fake-info', 'info', 'spans two lines', at('alpine'), at('echo')),
        diagnostic(source, 'fake-warning', 'warning', 'runs "make" emulated', make, make + 4),
      ],
    },
    { filePath: 'clean/Dockerfile', source: 'FROM alpine\n', fixedCount: 0, diagnostics: [] },
    { filePath: 'missing/Dockerfile', source: '', fixedCount: 0, diagnostics: [], error: 'no such file or directory' },
    {
      filePath: '../elsewhere/Dockerfile',
      source: 'FROM\n',
      fixedCount: 0,
      diagnostics: [diagnostic('FROM\n', INVALID_DOCKERFILE, 'error', 'FROM requires an image', 0, 4)],
    },
  ];
}

// ---------------------------------------------------------------- real reports

function exampleReports(): FileReport[] {
  const dir = join(root, 'examples');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.Dockerfile'))
    .sort()
    .map((name) => {
      const source = readFileSync(join(dir, name), 'utf8');
      const result = lint(source, { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });
      return { filePath: `examples/${name}`, diagnostics: result.diagnostics, source, fixedCount: 0 };
    });
}

const real: FormatContext = { rules, cwd: root, toolVersion: '0.1.0' };

// ---------------------------------------------------------------- XML, strictly

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses with saxes, which rejects anything not well-formed XML 1.0 (bad characters, stray `<`, unknown entities). */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const stack: XmlElement[] = [{ name: '#document', attributes: {}, children: [], text: '' }];
  const errors: string[] = [];
  parser.on('error', (e) => errors.push(e.message));
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: '' };
    stack[stack.length - 1].children.push(element);
    stack.push(element);
  });
  parser.on('text', (text) => (stack[stack.length - 1].text += text));
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  expect(errors).toEqual([]);
  // Lone surrogates slip past a JavaScript parser; XML 1.0 forbids them.
  expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(stack[0].children).toHaveLength(1);
  return stack[0].children[0];
}

const childrenNamed = (element: XmlElement, name: string) => element.children.filter((c) => c.name === name);

// ---------------------------------------------------------------- SARIF

const schema = JSON.parse(readFileSync(join(multitoolDir, 'sarif-2.1.0.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

function expectValidSarif(text: string) {
  const log = JSON.parse(text);
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], ajv.errorsText(validateSarif.errors)).toEqual([]);
  expect(valid).toBe(true);
  return log;
}

function applyReplacements(source: string, replacements: { deletedRegion: { charOffset: number; charLength: number }; insertedContent?: { text: string } }[]) {
  let out = source;
  for (const r of [...replacements].sort((a, b) => b.deletedRegion.charOffset - a.deletedRegion.charOffset)) {
    const { charOffset, charLength } = r.deletedRegion;
    out = out.slice(0, charOffset) + (r.insertedContent?.text ?? '') + out.slice(charOffset + charLength);
  }
  return out;
}

describe('sarif', () => {
  it('uses the official SARIF 2.1.0 schema (JSON Schema 2020-12)', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toMatch(/SARIF\) Version 2\.1\.0/);
  });

  it('validates for the linted examples, with every rule and each finding pointing at its rule', () => {
    const reports = exampleReports();
    const log = expectValidSarif(formatSarif(reports, real));
    const run = log.runs[0];
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toEqual([...rules.map((r) => r.meta.id), INVALID_DOCKERFILE, MODEL_LIMIT]);
    expect(run.results).toHaveLength(reports.reduce((n, r) => n + r.diagnostics.length, 0));
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    for (const rule of run.tool.driver.rules.slice(0, rules.length)) {
      // Pinned to the release: the page a finding links to does not change under it.
      expect(rule.helpUri).toBe(`https://github.com/xlint-dev/xlint/blob/v0.1.0/docs/rules/${rule.id}.md`);
      expect(rule.help.markdown).toMatch(new RegExp(`^# ${rule.id}\\n`));
    }
    // The findings that are not rules have a page too, and it exists.
    for (const rule of run.tool.driver.rules.slice(rules.length)) {
      expect(rule.helpUri).toBe(`https://github.com/xlint-dev/xlint/blob/v0.1.0/docs/rules/${rule.id}.md`);
      expect(existsSync(join(root, 'docs/rules', `${rule.id}.md`))).toBe(true);
    }
    for (const result of run.results) expect(result.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
  });

  it('validates for the hand-made reports and carries their exact fields', () => {
    const reports = syntheticReports();
    const log = expectValidSarif(formatSarif(reports, synthetic));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'xlint', version: '1.2.3', informationUri: 'https://github.com/xlint-dev/xlint' });
    expect(run.tool.driver.rules[0]).toEqual({
      id: 'fake-error',
      name: 'FakeError',
      shortDescription: { text: 'Do not fake-error' },
      fullDescription: { text: 'Finds fake-error.' },
      help: { text: expect.stringMatching(/^# fake-error\n\nDo not fake-error\.\n/), markdown: expect.stringMatching(/## Fix safety\n\nSafe\./) },
      helpUri: ruleDocUrl('fake-error', '1.2.3'),
      defaultConfiguration: { level: 'error' },
    });
    expect(run.tool.driver.rules.map((r: { defaultConfiguration: { level: string } }) => r.defaultConfiguration.level)).toEqual(['error', 'warning', 'note', 'error', 'note']);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.columnKind).toBe('utf16CodeUnits');

    const [flag, make, multiline, duplicate, invalid] = run.results;
    expect(flag).toMatchObject({ ruleId: 'fake-error', ruleIndex: 0, level: 'error', message: { text: NASTY } });
    const location = { uri: 'svc%2C%20a/My%20Dockerfile', uriBaseId: '%SRCROOT%' };
    expect(flag.locations).toEqual([{ physicalLocation: { artifactLocation: location, region: { startLine: 1, startColumn: 6, endLine: 1, endColumn: 32 } } }]);
    expect(flag.fixes).toEqual([
      {
        description: { text: 'Remove --platform=$TARGETPLATFORM' },
        artifactChanges: [{ artifactLocation: location, replacements: [{ deletedRegion: { charOffset: 5, charLength: 27 } }] }],
        properties: { safety: 'safe' },
      },
    ]);
    expect(applyReplacements(SOURCE, flag.fixes[0].artifactChanges[0].replacements)).toBe('FROM alpine\nRUN echo "é😀" && make\n');

    expect(make).toMatchObject({ ruleId: 'fake-warning', ruleIndex: 1, level: 'warning' });
    expect(make.locations[0].physicalLocation.region).toEqual({ startLine: 2, startColumn: 19, endLine: 2, endColumn: 23 });
    expect(make.fixes[0].properties).toEqual({ safety: 'unsafe' });
    expect(make.fixes[0].artifactChanges[0].replacements.map((r: { deletedRegion: { charOffset: number } }) => r.deletedRegion.charOffset)).toEqual([39, 57]);
    expect(applyReplacements(SOURCE, make.fixes[0].artifactChanges[0].replacements)).toBe(
      'FROM --platform=$TARGETPLATFORM alpine\nARG TARGETARCH\nRUN echo "é😀" && xx-make\n',
    );

    expect(multiline).toMatchObject({ ruleId: 'fake-info', ruleIndex: 2, level: 'note' });
    expect(multiline.locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 33, endLine: 2, endColumn: 5 });
    expect(multiline.fixes).toBeUndefined();
    expect(duplicate.fixes).toBeUndefined();

    // Outside the cwd: an absolute file URI, no base id.
    expect(invalid).toMatchObject({ ruleId: INVALID_DOCKERFILE, ruleIndex: 3, level: 'error' });
    expect(invalid.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'file:///elsewhere/Dockerfile' });

    expect(run.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'no such file or directory' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'missing/Dockerfile', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
  });

  it('pins helpUri to the tag of a release, and to main for a development build', () => {
    expect(ruleDocUrl('fake-error', '1.2.3')).toBe('https://github.com/xlint-dev/xlint/blob/v1.2.3/docs/rules/fake-error.md');
    expect(ruleDocUrl('fake-error', '2.0.0-rc.1')).toBe('https://github.com/xlint-dev/xlint/blob/v2.0.0-rc.1/docs/rules/fake-error.md');
    const dev = JSON.parse(formatSarif(syntheticReports(), { ...synthetic, toolVersion: '0.0.0-dev' })).runs[0].tool.driver.rules;
    for (const rule of dev) expect(rule.helpUri).toBe(`https://github.com/xlint-dev/xlint/blob/main/docs/rules/${rule.id}.md`);
  });

  it('gives each result a partial fingerprint that survives moved lines, re-indentation and re-wrapping, and tells results apart', () => {
    const prints = (text: string) => {
      const results = JSON.parse(formatSarif(syntheticReports(text), synthetic)).runs[0].results;
      return results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY]);
    };
    const first = prints('');
    expect(first).toHaveLength(5);
    // Two identical findings on one instruction: still two fingerprints (their rank among equals).
    expect(new Set(first).size).toBe(first.length);
    expect(prints('')).toEqual(first);
    expect(prints('# a comment\n\n')).toEqual(first);

    const fingerprint = (source: string, rule = 'fake-warning') => {
      const start = source.indexOf('make');
      const report: FileReport = { filePath: 'Dockerfile', source, fixedCount: 0, diagnostics: [diagnostic(source, rule, 'warning', 'runs "make" emulated', start, start + 4)] };
      return JSON.parse(formatSarif([report], synthetic)).runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    };
    const base = fingerprint('FROM alpine AS build\nRUN ./configure && make\n');
    expect(fingerprint('FROM alpine AS build\n\n\nRUN   ./configure &&  make\n')).toBe(base);
    expect(fingerprint('FROM alpine AS build\nRUN ./configure \\\n    && make\n')).toBe(base);
    expect(fingerprint('# escape=`\nFROM alpine AS build\nRUN ./configure `\n    && make\n')).toBe(base);
    // Another instruction or another rule is another finding.
    expect(fingerprint('FROM alpine AS build\nRUN ./configure && make install\n')).not.toBe(base);
    expect(fingerprint('FROM alpine AS build\nRUN ./configure && make\n', 'fake-error')).not.toBe(base);
  });

  it('gives the real cwd as a file URI ending in a slash', () => {
    const log = expectValidSarif(formatSarif([], real));
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(root).href}/`);
    expect(log.runs[0].results).toEqual([]);
  });

  // The SDK's own validator also runs SARIF's authoring rules (URI base ids, rule names, ...). It reports
  // nothing at all for a log it cannot read, so the test also asks for its notes as proof that it ran.
  it.runIf(process.platform === 'linux' && process.arch === 'x64' && existsSync(join(multitoolDir, 'Sarif.Multitool')))(
    'passes the SARIF Multitool validator with no error or warning',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'xlint-sarif-'));
      try {
        const input = join(dir, 'xlint.sarif');
        const output = join(dir, 'validation.sarif');
        writeFileSync(input, formatSarif([...exampleReports(), ...syntheticReports()], { ...real, rules: [...rules, ...fakeRules] }));
        execFileSync(join(multitoolDir, 'Sarif.Multitool'), ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--level', 'Error;Warning;Note'], {
          stdio: 'pipe',
          timeout: 60_000,
        });
        const findings: { ruleId: string; level: string; message: { arguments?: string[] } }[] = JSON.parse(readFileSync(output, 'utf8')).runs[0].results ?? [];
        expect(findings.map((f) => f.ruleId)).toContain('SARIF2003'); // "provide version control provenance": always a note
        expect(findings.filter((f) => f.level !== 'note').map((f) => `${f.level} ${f.ruleId} ${f.message.arguments?.join(' ')}`)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

// ---------------------------------------------------------------- GitHub

describe('github', () => {
  it('writes one workflow command per finding, escaping data and properties', () => {
    expect(formatGithub(syntheticReports(), synthetic).split('\n')).toEqual([
      '::error file=svc%2C a/My Dockerfile,line=1,col=6,endLine=1,endColumn=32,title=xlint(fake-error)::bad "--platform", 50%25 of 100: <done> & more%0D%0Anext line',
      '::warning file=svc%2C a/My Dockerfile,line=2,col=19,endLine=2,endColumn=23,title=xlint(fake-warning)::runs "make" emulated',
      // Columns only for a single line: GitHub rejects them otherwise.
      '::notice file=svc%2C a/My Dockerfile,line=1,endLine=2,title=xlint(fake-info)::spans two lines',
      '::warning file=svc%2C a/My Dockerfile,line=2,col=19,endLine=2,endColumn=23,title=xlint(fake-warning)::runs "make" emulated',
      '::error file=missing/Dockerfile,title=xlint::no such file or directory',
      '::error file=/elsewhere/Dockerfile,line=1,col=1,endLine=1,endColumn=5,title=xlint(invalid-dockerfile)::FROM requires an image',
      '',
    ]);
  });

  it('escapes a colon in a property', () => {
    const report: FileReport = { filePath: 'C:d/Dockerfile', source: 'FROM a\n', fixedCount: 0, diagnostics: [diagnostic('FROM a\n', 'fake-info', 'info', 'x', 0, 4)] };
    expect(formatGithub([report], synthetic)).toBe('::notice file=C%3Ad/Dockerfile,line=1,col=1,endLine=1,endColumn=5,title=xlint(fake-info)::x\n');
  });

  it('prints nothing for clean files', () => {
    expect(formatGithub([{ filePath: 'Dockerfile', source: '', fixedCount: 0, diagnostics: [] }], synthetic)).toBe('');
  });

  it('covers the examples, one line per finding', () => {
    const reports = exampleReports();
    const lines = formatGithub(reports, real).trimEnd().split('\n').filter(Boolean);
    expect(lines).toHaveLength(reports.reduce((n, r) => n + r.diagnostics.length, 0));
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) file=examples\/[\w.-]+,line=\d+,(col=\d+,)?endLine=\d+,(endColumn=\d+,)?title=xlint\([a-z-]+\)::[^\n]+$/);
  });
});

// ---------------------------------------------------------------- Checkstyle

describe('checkstyle', () => {
  it('parses as XML and carries each finding with its source and unescaped message', () => {
    const xml = formatCheckstyle(syntheticReports(), synthetic);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
    const doc = parseXml(xml);
    expect(doc.name).toBe('checkstyle');
    const files = childrenNamed(doc, 'file');
    expect(files.map((f) => f.attributes.name)).toEqual(['svc, a/My Dockerfile', 'clean/Dockerfile', 'missing/Dockerfile', '/elsewhere/Dockerfile']);
    expect(childrenNamed(files[0], 'error').map((e) => e.attributes)).toEqual([
      { line: '1', column: '6', severity: 'error', message: NASTY, source: 'xlint.fake-error' },
      { line: '2', column: '19', severity: 'warning', message: 'runs "make" emulated', source: 'xlint.fake-warning' },
      { line: '1', column: '33', severity: 'info', message: 'spans two lines', source: 'xlint.fake-info' },
      { line: '2', column: '19', severity: 'warning', message: 'runs "make" emulated', source: 'xlint.fake-warning' },
    ]);
    expect(files[1].children).toEqual([]);
    expect(childrenNamed(files[2], 'error').map((e) => e.attributes)).toEqual([{ line: '0', severity: 'error', message: 'no such file or directory', source: 'xlint' }]);
    expect(childrenNamed(files[3], 'error')[0].attributes.source).toBe('xlint.invalid-dockerfile');
  });

  it('replaces characters XML cannot carry', () => {
    const message = 'nul\u0000 bell\u0007 lone\ud800 pair😀 tab\t';
    const report: FileReport = { filePath: 'Dockerfile', source: 'FROM a\n', fixedCount: 0, diagnostics: [diagnostic('FROM a\n', 'fake-info', 'info', message, 0, 4)] };
    const doc = parseXml(formatCheckstyle([report], synthetic));
    expect(doc.children[0].children[0].attributes.message).toBe('nul\ufffd bell\ufffd lone\ufffd pair😀 tab\t');
  });

  it('parses for the examples', () => {
    const reports = exampleReports();
    const doc = parseXml(formatCheckstyle(reports, real));
    expect(childrenNamed(doc, 'file')).toHaveLength(reports.length);
    const errors = childrenNamed(doc, 'file').flatMap((f) => childrenNamed(f, 'error'));
    expect(errors.map((e) => e.attributes.message)).toEqual(reports.flatMap((r) => r.diagnostics.map((d) => d.message)));
  });
});

// ---------------------------------------------------------------- JUnit

describe('junit', () => {
  it('has a suite per file, a failing case per finding, a passing case for a clean file, an error for an unreadable one', () => {
    const doc = parseXml(formatJunit(syntheticReports(), synthetic));
    expect(doc.name).toBe('testsuites');
    expect(doc.attributes).toEqual({ name: 'xlint', tests: '7', failures: '5', errors: '1' });
    const suites = childrenNamed(doc, 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.errors])).toEqual([
      ['svc, a/My Dockerfile', '4', '4', '0'],
      ['clean/Dockerfile', '1', '0', '0'],
      ['missing/Dockerfile', '1', '0', '1'],
      ['/elsewhere/Dockerfile', '1', '1', '0'],
    ]);
    const cases = childrenNamed(suites[0], 'testcase');
    const [first] = cases;
    // Named by rule and message, not position (test histories follow a finding whose line moves); a repeat gets a rank.
    expect(cases.map((c) => c.attributes.name)).toEqual([`fake-error: ${NASTY}`, 'fake-warning: runs "make" emulated', 'fake-info: spans two lines', 'fake-warning: runs "make" emulated (2)']);
    for (const c of cases) expect(c.attributes.name).not.toMatch(/\d+:\d+/);
    expect(first.attributes.classname).toBe('svc, a/My Dockerfile');
    const failure = childrenNamed(first, 'failure')[0];
    expect(failure.attributes).toEqual({ type: 'error', message: `1:6: ${NASTY}` });
    expect(failure.text).toBe(`error at 1:6: ${NASTY} (fake-error)`);
    const shifted = childrenNamed(childrenNamed(parseXml(formatJunit(syntheticReports('# a comment\n\n'), synthetic)), 'testsuite')[0], 'testcase');
    expect(shifted.map((c) => c.attributes.name)).toEqual(cases.map((c) => c.attributes.name));
    const passing = childrenNamed(suites[1], 'testcase');
    expect(passing).toHaveLength(1);
    expect(passing[0].children).toEqual([]);
    const unreadable = childrenNamed(suites[2], 'testcase');
    expect(childrenNamed(unreadable[0], 'error')[0].attributes).toEqual({ message: 'no such file or directory' });
  });

  it('parses for the examples, counting every finding', () => {
    const reports = exampleReports();
    const doc = parseXml(formatJunit(reports, real));
    const findings = reports.reduce((n, r) => n + r.diagnostics.length, 0);
    expect(Number(doc.attributes.failures)).toBe(findings);
    expect(childrenNamed(doc, 'testsuite')).toHaveLength(reports.length);
  });
});

// ---------------------------------------------------------------- GitLab

describe('gitlab', () => {
  const parse = (text: string) => JSON.parse(text) as CodeQualityIssue[];

  it('has every required key, maps severities, and points at the first line', () => {
    const issues = parse(formatGitlab(syntheticReports(), synthetic));
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity']);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(issue.severity);
    }
    expect(issues.map((i) => [i.check_name, i.severity, i.location.path, i.location.lines.begin, i.location.lines.end])).toEqual([
      ['fake-error', 'major', 'svc, a/My Dockerfile', 1, 1],
      ['fake-warning', 'minor', 'svc, a/My Dockerfile', 2, 2],
      ['fake-info', 'info', 'svc, a/My Dockerfile', 1, 2],
      ['fake-warning', 'minor', 'svc, a/My Dockerfile', 2, 2],
      ['xlint', 'major', 'missing/Dockerfile', 1, 1],
      [INVALID_DOCKERFILE, 'major', '/elsewhere/Dockerfile', 1, 1],
    ]);
    expect(issues[0].description).toBe(NASTY);
  });

  it('gives unique fingerprints, the same on every run and after lines move', () => {
    const first = parse(formatGitlab(syntheticReports(), synthetic));
    const again = parse(formatGitlab(syntheticReports(), synthetic));
    const shifted = parse(formatGitlab(syntheticReports('# a comment\n\n'), synthetic));
    expect(shifted[0].location.lines.begin).toBe(3);
    const prints = first.map((i) => i.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
    expect(again.map((i) => i.fingerprint)).toEqual(prints);
    expect(shifted.map((i) => i.fingerprint)).toEqual(prints);
  });

  it('gives unique, stable fingerprints for the examples', () => {
    const prints = parse(formatGitlab(exampleReports(), real)).map((i) => i.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
    expect(parse(formatGitlab(exampleReports(), real)).map((i) => i.fingerprint)).toEqual(prints);
  });
});

describe('formatters', () => {
  it('one registry holds every --format, stylish first (the default)', () => {
    expect(formatNames).toEqual(['stylish', 'concise', 'json', 'sarif', 'github', 'checkstyle', 'gitlab', 'junit']);
    for (const name of formatNames) expect(formatters[name]([], real).length).toBeGreaterThanOrEqual(0);
    expect(formatters.sarif).toBe(formatSarif);
    expect(formatters.stylish).toBe(formatStylish);
  });

  it('only the formats listed as reading the source print from it (--cache skips reading files for the others)', () => {
    const reports = exampleReports();
    const withoutSource = reports.map((r) => ({ ...r, source: '' }));
    for (const name of formatNames) {
      const same = formatters[name](withoutSource, real) === formatters[name](reports, real);
      expect({ name, readsSource: !same }).toEqual({ name, readsSource: FORMATS_READING_SOURCE.has(name) });
    }
  });
});

// ---------------------------------------------------------------- JSON, concise, stylish

describe('json', () => {
  it('gives each finding its rule doc URL and each fix its edits as ranges with their new text', () => {
    const [file, clean, missing] = JSON.parse(formatJson(syntheticReports(), synthetic));
    expect(clean).toEqual({ filePath: 'clean/Dockerfile', diagnostics: [] });
    expect(missing).toEqual({ filePath: 'missing/Dockerfile', error: 'no such file or directory', diagnostics: [] });
    const [flag, make, multiline] = file.diagnostics;
    expect(flag).toEqual({
      ruleId: 'fake-error',
      severity: 'error',
      message: NASTY,
      line: 1,
      column: 6,
      endLine: 1,
      endColumn: 32,
      url: 'https://github.com/xlint-dev/xlint/blob/v1.2.3/docs/rules/fake-error.md',
      fix: { title: 'Remove --platform=$TARGETPLATFORM', safety: 'safe', edits: [{ line: 1, column: 6, endLine: 1, endColumn: 33, text: '' }] },
    });
    // Sorted by position; columns in UTF-16 units, as the findings' are (after the emoji: 19).
    expect(make.fix.edits).toEqual([
      { line: 2, column: 1, endLine: 2, endColumn: 1, text: 'ARG TARGETARCH\n' },
      { line: 2, column: 19, endLine: 2, endColumn: 23, text: 'xx-make' },
    ]);
    expect(multiline.fix).toBeNull();
    const invalid = JSON.parse(formatJson(syntheticReports(), synthetic))[3].diagnostics[0];
    expect(invalid.url).toBe('https://github.com/xlint-dev/xlint/blob/v1.2.3/docs/rules/invalid-dockerfile.md');
  });

  it('edits count lines of the text without its BOM, as the findings do', () => {
    const source = '\ufeffFROM --platform=$TARGETPLATFORM alpine\n';
    const report: FileReport = {
      filePath: 'Dockerfile',
      source,
      fixedCount: 0,
      diagnostics: [diagnostic(source.slice(1), 'fake-info', 'info', 'x', 5, 31, { title: 't', safety: 'safe', edits: [{ start: 5, end: 32, text: '' }] })],
    };
    expect(JSON.parse(formatJson([report], synthetic))[0].diagnostics[0].fix.edits).toEqual([{ line: 1, column: 6, endLine: 1, endColumn: 33, text: '' }]);
  });
});

describe('a fix shared by many findings (one edit per arch URL of a RUN) is written once', () => {
  // hardcoded-arch gives every URL of a RUN one Fix; written per finding, 10,000 URLs meant
  // 10,000 x 10,001 edits: the JSON and SARIF formatters ran out of memory (fuzz fixture over-bound-shared-fix).
  const source = 'FROM alpine\nRUN curl http://e/amd64 http://e/amd64 http://e/amd64\n';
  const starts = [...source.matchAll(/amd64/g)].map((m) => m.index!);
  const shared: Fix = { title: 'Use $TARGETARCH', safety: 'unsafe', edits: starts.map((s) => ({ start: s, end: s + 5, text: '$TARGETARCH' })) };
  const report: FileReport = { filePath: 'Dockerfile', source, fixedCount: 0, diagnostics: starts.map((s) => diagnostic(source, 'fake-warning', 'warning', 'amd64', s, s + 5, shared)) };

  it('json: on the first finding; the others point at it with sharedWith', () => {
    const [first, second, third] = JSON.parse(formatJson([report], synthetic))[0].diagnostics;
    expect(first.fix.edits).toHaveLength(3);
    expect(second.fix).toEqual({ title: 'Use $TARGETARCH', safety: 'unsafe', edits: [], sharedWith: 0 });
    expect(third.fix.sharedWith).toBe(0);
  });

  it('sarif: on the first result only, and the fingerprints stay those of each finding', () => {
    const results = JSON.parse(formatSarif([report], synthetic)).runs[0].results;
    expect(results.map((r: { fixes?: unknown[] }) => r.fixes?.length ?? 0)).toEqual([1, 0, 0]);
    expect(new Set(results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY])).size).toBe(3);
  });
});

describe('concise', () => {
  it('prints path:line:col: severity [rule] message, one line per finding, messages on one line', () => {
    expect(formatConcise(syntheticReports(), synthetic).split('\n')).toEqual([
      'svc, a/My Dockerfile:1:6: error [fake-error] bad "--platform", 50% of 100: <done> & more next line',
      'svc, a/My Dockerfile:2:19: warning [fake-warning] runs "make" emulated',
      'svc, a/My Dockerfile:1:33: info [fake-info] spans two lines',
      'svc, a/My Dockerfile:2:19: warning [fake-warning] runs "make" emulated',
      '../elsewhere/Dockerfile:1:1: error [invalid-dockerfile] FROM requires an image',
      '',
    ]);
  });
});

describe('stylish', () => {
  it('colours only when the context says so', () => {
    const plain = formatStylish(syntheticReports(), synthetic);
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain).toContain('✖ 5 problems (2 errors, 2 warnings, 1 info)');
    const coloured = formatStylish(syntheticReports(), { ...synthetic, color: true });
    expect(coloured).toMatch(/\u001b\[31merror\u001b\[39m/);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});
