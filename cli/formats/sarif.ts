/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. One run; the driver
 * lists every rule with its generated doc as help; paths are relative to `%SRCROOT%` (the cwd).
 */
import { createHash, type Hash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INVALID_DOCKERFILE, MODEL_LIMIT } from '../../core/lint';
import type { Diagnostic, Fix, Rule, Severity } from '../../core/rule';
import { renderRuleHelp, ruleDocUrl } from '../../rules/docs';
import type { FileReport } from '../report';
import { relativePath, type FormatContext } from './common';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/xlint-dev/xlint';
const SRCROOT = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note';

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export function formatSarif(reports: FileReport[], context: FormatContext): string {
  const version = context.toolVersion;
  const descriptors = [
    ...context.rules.map((rule) => ruleDescriptor(rule, version)),
    { ...INVALID_DOCKERFILE_DESCRIPTOR, helpUri: ruleDocUrl(INVALID_DOCKERFILE, version) },
    { ...MODEL_LIMIT_DESCRIPTOR, helpUri: ruleDocUrl(MODEL_LIMIT, version) },
  ];
  const ruleIndex = new Map(descriptors.map((d, i) => [d.id, i]));
  const results: object[] = [];
  const notifications: object[] = [];
  for (const report of reports) {
    const artifactLocation = artifactLocationOf(report.filePath, context.cwd);
    if (report.error) {
      notifications.push({ level: 'error', message: { text: report.error }, locations: [{ physicalLocation: { artifactLocation } }] });
    }
    const prints = fingerprints(report);
    // A fix shared by several findings goes on the first of them only: once per finding, 10,000
    // findings sharing a fix of 10,001 edits ran out of memory (and a viewer would apply it repeatedly).
    const written = new Set<Fix>();
    report.diagnostics.forEach((d, i) => {
      const fix = d.fix && !written.has(d.fix) ? d.fix : null;
      if (fix) written.add(fix);
      results.push(result(d, fix, artifactLocation, ruleIndex.get(d.ruleId), prints[i]));
    });
  }
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'xlint', version: context.toolVersion, informationUri: INFORMATION_URI, rules: descriptors } },
        invocations: [
          {
            executionSuccessful: notifications.length === 0,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(context.cwd) } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function result(d: Diagnostic, fix: Fix | null, artifactLocation: ArtifactLocation, index: number | undefined, fingerprint: string): object {
  const edits = fix ? [...fix.edits].sort((a, b) => a.start - b.start) : [];
  return {
    ruleId: d.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: level(d.severity),
    message: { text: d.message },
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    locations: [
      {
        physicalLocation: {
          artifactLocation,
          region: {
            startLine: d.range.start.line + 1,
            startColumn: d.range.start.character + 1,
            endLine: d.range.end.line + 1,
            endColumn: d.range.end.character + 1,
          },
        },
      },
    ],
    ...(fix && edits.length > 0
      ? {
          fixes: [
            {
              description: { text: fix.title },
              artifactChanges: [
                {
                  artifactLocation,
                  // Offsets count UTF-16 units of the text without its BOM, as SARIF's do.
                  replacements: edits.map((e) => ({
                    deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
                    ...(e.text !== '' ? { insertedContent: { text: e.text } } : {}),
                  })),
                },
              ],
              properties: { safety: fix.safety },
            },
          ],
        }
      : {}),
  };
}

/**
 * Versioned as SARIF asks: a viewer compares only fingerprints under the same key. What it hashes
 * (rule, the instruction's text with whitespace and continuations normalized, the rank among
 * identical ones in the file) survives lines added above, re-indentation and re-wrapping.
 */
export const FINGERPRINT_KEY = 'xlint/instruction/v1';

/** One fingerprint per diagnostic of the report, in order. */
export function fingerprints(report: FileReport): string[] {
  const lines = report.source.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
  const escape = /^(?:\s*#[^\n]*\n)*?\s*#\s*escape\s*=\s*`/i.test(report.source.replace(/^\ufeff/, '').slice(0, 1000)) ? '`' : '\\';
  const continues = (line: number) => line >= 0 && line < lines.length && lines[line].trimEnd().endsWith(escape);
  // Per instruction span its normalized text, and per rule and text the hash of everything but the
  // rank: 10,000 findings on one 150 KB line normalized and hashed that line 10,000 times (75 s).
  // The values are unchanged: sha256 of JSON.stringify([ruleId, instruction, occurrence]).
  const texts = new Map<string, string>();
  const seen = new Map<string, Map<string, { count: number; prefix: Hash }>>();
  return report.diagnostics.map((d) => {
    let first = d.range.start.line;
    while (continues(first - 1)) first--;
    let last = Math.max(d.range.start.line, d.range.end.character === 0 && d.range.end.line > d.range.start.line ? d.range.end.line - 1 : d.range.end.line);
    while (continues(last) && last + 1 < lines.length) last++;
    const span = `${first}:${last}`;
    let instruction = texts.get(span);
    if (instruction === undefined) {
      instruction = lines
        .slice(first, last + 1)
        .map((line) => {
          const trimmed = line.trim();
          return trimmed.endsWith(escape) ? trimmed.slice(0, -1) : trimmed;
        })
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      texts.set(span, instruction);
    }
    let byText = seen.get(d.ruleId);
    if (!byText) seen.set(d.ruleId, (byText = new Map()));
    let entry = byText.get(instruction);
    if (!entry) byText.set(instruction, (entry = { count: 0, prefix: createHash('sha256').update(JSON.stringify([d.ruleId, instruction]).slice(0, -1) + ',') }));
    const occurrence = entry.count++;
    return entry.prefix.copy().update(`${occurrence}]`).digest('hex').slice(0, 32);
  });
}

function ruleDescriptor(rule: Rule, version: string) {
  const { meta } = rule;
  const doc = renderRuleHelp(rule);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.description },
    fullDescription: { text: meta.docs.what },
    help: { text: doc, markdown: doc },
    helpUri: ruleDocUrl(meta.id, version),
    defaultConfiguration: { level: level(meta.severity) },
  };
}

/** Not a rule but reported like one: the Dockerfile did not parse. */
const INVALID_DOCKERFILE_DESCRIPTOR = {
  id: INVALID_DOCKERFILE,
  name: pascalCase(INVALID_DOCKERFILE),
  shortDescription: { text: 'Write a Dockerfile that parses' },
  fullDescription: { text: 'The file could not be read as a Dockerfile, so no rule could check it.' },
  help: {
    text: 'Fix the syntax error at the reported position; `docker build` would reject the file too.',
    markdown: 'Fix the syntax error at the reported position; `docker build` would reject the file too.',
  },
  defaultConfiguration: { level: 'error' as Level },
};

/** Not a rule either: the file passed a bound of the model, and the rules stayed silent on what it left unknown. */
const MODEL_LIMIT_DESCRIPTOR = {
  id: MODEL_LIMIT,
  name: pascalCase(MODEL_LIMIT),
  shortDescription: { text: 'Keep the Dockerfile within what xlint models fully' },
  fullDescription: { text: 'Part of the file passed a documented bound (nesting depth, file-flow trace size), so xlint did not check it.' },
  help: {
    text: 'The message names what was not read. Findings elsewhere in the file are unaffected.',
    markdown: 'The message names what was not read. Findings elsewhere in the file are unaffected.',
  },
  defaultConfiguration: { level: 'note' as Level },
};

function level(severity: Severity): Level {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** SARIF's friendly rule name is a Pascal-case identifier: `redundant-target-platform` → `RedundantTargetPlatform`. */
function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function artifactLocationOf(filePath: string, cwd: string): ArtifactLocation {
  const rel = relativePath(filePath, cwd);
  if (rel === null) return { uri: pathToFileURL(resolve(cwd, filePath)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}
