/** `xlint [paths]`: lint, `--fix`, `--diff`, `--stdin`. Translates files and flags into engine calls. */
import { createTwoFilesPatch } from 'diff';
import { dirname, resolve } from 'node:path';
import { fixText } from '../core/fix';
import { INVALID_DOCKERFILE, lint, type LintOptions, type LintResult } from '../core/lint';
import type { Diagnostic, Severity } from '../core/rule';
import { rules } from '../rules/index';
import { readBuildContext } from './context';
import { findConfig, ignoringPattern, isIgnored, loadConfig, ruleSettings, type LoadedConfig } from './config';
import { FixWriter } from './fix-writer';
import { formatJson } from './formats/json';
import { formatStylish } from './formats/stylish';
import { decodeDockerfile, discover, readDockerfile, readStdin } from './inputs';
import { summarize, type FileReport } from './report';

export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export interface LintCommandOptions {
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  platform?: string[];
  buildPlatform: string;
  /** True when --build-platform was given: it then beats the config file. */
  buildPlatformGiven?: boolean;
  target?: string;
  format: string;
  color: boolean;
  quiet?: boolean;
  severity?: Severity;
  exitZero?: boolean;
  maxWarnings?: number;
  failureThreshold?: Severity;
  config?: string;
  stdin?: boolean;
  stdinFilename?: string;
  reportUnusedIgnores?: boolean;
  /** Formatters beyond stylish and json, by name. */
  formatters?: Record<string, (reports: FileReport[]) => string>;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export async function runLint(patterns: string[], options: LintCommandOptions): Promise<number> {
  const cwd = process.cwd();
  const explicitConfig = options.config ? loadConfig(resolve(options.config)) : null;
  const configFor = (file: string): LoadedConfig | null => explicitConfig ?? findConfig(dirname(resolve(cwd, file)));
  const engineFor = (file: string): LintOptions => {
    const loaded = configFor(file);
    const config = loaded?.config ?? {};
    return {
      rules,
      ...ruleSettings(config),
      buildPlatform: options.buildPlatformGiven ? options.buildPlatform : (config.buildPlatform ?? options.buildPlatform),
      targetPlatforms: options.platform ?? config.platforms ?? DEFAULT_PLATFORMS,
      target: options.target,
    };
  };

  const reports: FileReport[] = [];
  const diffs: string[] = [];
  let fixedStdin: string | null = null;

  if (options.stdin) {
    const name = options.stdinFilename ?? '<stdin>';
    let text: string;
    try {
      text = decodeDockerfile(name, await readStdin());
    } catch (error) {
      reports.push(failed(name, (error as Error).message));
      return finish(reports, diffs, options);
    }
    const report = lintOne(name, text, engineFor(options.stdinFilename ?? 'Dockerfile'), options, diffs);
    if (options.fix && !options.diff) fixedStdin = report.source;
    reports.push(report);
  } else {
    const { files, named, errors, warnings, roots } = discover(patterns, cwd);
    for (const warning of warnings) process.stderr.write(`xlint: warning: ${warning}\n`);
    reports.push(...errors.map((e) => failed(e.path, e.message)));
    const writer = new FixWriter(roots);
    for (const file of files) {
      const loaded = configFor(file);
      if (loaded && isIgnored(loaded.path, loaded.config, resolve(cwd, file))) {
        // As ESLint does: a file named on the command line is not skipped without a word.
        if (named.has(file)) process.stderr.write(`xlint: warning: ${file}: file ignored because of a matching ignore pattern "${ignoringPattern(loaded, resolve(cwd, file))}" in ${loaded.path}\n`);
        continue;
      }
      let text: string;
      try {
        text = readDockerfile(file);
      } catch (error) {
        reports.push(failed(file, (error as Error).message));
        continue;
      }
      const report = lintOne(file, text, engineFor(file), options, diffs);
      if (options.fix && !options.diff && report.source !== text && !report.error) {
        try {
          writer.write(file, text, report.source);
        } catch (error) {
          reports.push(failed(file, (error as Error).message));
          continue;
        }
      }
      reports.push(report);
    }
  }
  if (fixedStdin !== null) {
    // Like `ruff check --fix -`: the fixed text on stdout, the findings on stderr.
    process.stdout.write(fixedStdin);
    return finish(reports, diffs, options, process.stderr);
  }
  return finish(reports, diffs, options);
}

function lintOne(file: string, text: string, given: LintOptions, options: LintCommandOptions, diffs: string[]): FileReport {
  // The build context is read only for what needs it (.NET builds), so a large tree walks no extra folders.
  const engine = /\bdotnet\b/i.test(text) ? { ...given, context: readBuildContext(file) } : given;
  let result: LintResult;
  let source = text;
  let fixedCount = 0;
  if (options.fix || options.diff) {
    const fixed = fixText(text, { ...engine, unsafe: options.unsafeFixes });
    result = fixed.result;
    source = fixed.output;
    fixedCount = fixed.applied.length;
    if (fixed.changed && options.diff) diffs.push(createTwoFilesPatch(`a/${file}`, `b/${file}`, text, fixed.output, undefined, undefined, { context: 3 }));
    if (!fixed.converged) process.stderr.write(`xlint: ${file}: fixes did not settle after ${fixed.passes} passes; the rest are left as findings\n`);
  } else {
    result = lint(text, engine);
  }
  let diagnostics = result.diagnostics;
  if (options.reportUnusedIgnores) diagnostics = [...diagnostics, ...unusedIgnores(result)].sort((a, b) => a.start - b.start);
  const lowest = options.quiet ? 'error' : options.severity;
  if (lowest) diagnostics = diagnostics.filter((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[lowest]);
  return { filePath: file, diagnostics, source, fixedCount };
}

/** Suppressions that suppressed nothing, for ids that are ours (other tools' ids are theirs to judge). */
/** Every id a suppression may name for one of our rules (lower-cased) → the rule's id. */
const OUR_IDS = new Map(
  rules.flatMap((rule) =>
    [rule.meta.id, rule.meta.docs.mirrors?.buildkit, rule.meta.docs.mirrors?.hadolint].filter((n): n is string => !!n).map((n) => [n.toLowerCase(), rule.meta.id] as const),
  ),
);

function unusedIgnores(result: LintResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  const source = result.model.source;
  for (const s of result.suppressions) {
    for (const id of s.ids) {
      if (s.used.has(id) || !OUR_IDS.has(id.toLowerCase())) continue;
      const start = source.lineStarts[s.range.start.line] + s.range.start.character;
      out.push({
        ruleId: 'unused-ignore',
        severity: 'warning',
        message: `unused suppression: "${id}" (${OUR_IDS.get(id.toLowerCase())}) reported nothing here`,
        range: s.range,
        start,
        end: start + (s.range.end.character - s.range.start.character),
        fix: null,
      });
    }
  }
  return out;
}

function finish(reports: FileReport[], diffs: string[], options: LintCommandOptions, out: NodeJS.WritableStream = process.stdout): number {
  for (const r of reports) if (r.error) process.stderr.write(`xlint: ${r.filePath}: ${r.error}\n`);
  const summary = summarize(reports);
  const formatter = options.formatters?.[options.format];
  if (options.diff) out.write(diffs.join(''));
  else if (formatter) out.write(formatter(reports));
  else if (options.format === 'json') out.write(formatJson(reports));
  else out.write(formatStylish(reports, summary, { color: options.color && !!(out as NodeJS.WriteStream).isTTY, unsafeFixes: !!options.unsafeFixes }));

  const invalid = reports.some((r) => r.diagnostics.some((d) => d.ruleId === INVALID_DOCKERFILE));
  if (summary.failedFiles > 0 || invalid) return 2;
  if (options.exitZero) return 0;
  // As in Ruff (and gofmt -d): a diff means the files are not as they should be.
  if (options.diff && diffs.length > 0) return 1;
  // With --max-warnings, warnings fail only past that count (as in ESLint).
  const threshold = SEVERITY_RANK[options.failureThreshold ?? 'warning'];
  const counts = (d: Diagnostic) => SEVERITY_RANK[d.severity] >= threshold && !(options.maxWarnings !== undefined && d.severity === 'warning');
  if (reports.some((r) => r.diagnostics.some(counts))) return 1;
  if (options.maxWarnings !== undefined && summary.warnings > options.maxWarnings) {
    process.stderr.write(`xlint: too many warnings (${summary.warnings}; --max-warnings is ${options.maxWarnings})\n`);
    return 1;
  }
  return 0;
}

function failed(filePath: string, error: string): FileReport {
  return { filePath, diagnostics: [], source: '', error, fixedCount: 0 };
}
