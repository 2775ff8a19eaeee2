/** `xlint [paths]`: lint, `--fix`, `--diff`. */
import { createTwoFilesPatch } from 'diff';
import { fixText } from '../core/fix';
import { INVALID_DOCKERFILE, lint, type LintOptions } from '../core/lint';
import { rules } from '../rules/index';
import { formatJson } from './formats/json';
import { formatStylish } from './formats/stylish';
import { discover, InputError, readDockerfile, writeFileAtomic } from './inputs';
import { summarize, type FileReport } from './report';

export interface LintCommandOptions {
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  platform: string[];
  buildPlatform: string;
  target?: string;
  format: string;
  color: boolean;
  quiet?: boolean;
  exitZero?: boolean;
}

export async function runLint(patterns: string[], options: LintCommandOptions): Promise<number> {
  const cwd = process.cwd();
  const { files, errors } = discover(patterns, cwd);
  const reports: FileReport[] = errors.map((e) => failed(e.path, e.message));
  const engine: LintOptions = { rules, buildPlatform: options.buildPlatform, targetPlatforms: options.platform, target: options.target };
  const diffs: string[] = [];

  for (const file of files) {
    let text: string;
    try {
      text = readDockerfile(file);
    } catch (error) {
      reports.push(failed(file, (error as Error).message));
      continue;
    }
    let report: FileReport;
    if (options.fix || options.diff) {
      const fixed = fixText(text, { ...engine, unsafe: options.unsafeFixes });
      report = { filePath: file, diagnostics: fixed.result.diagnostics, source: fixed.output, fixedCount: fixed.applied.length };
      if (fixed.changed && options.diff) diffs.push(createTwoFilesPatch(`a/${file}`, `b/${file}`, text, fixed.output, undefined, undefined, { context: 3 }));
      else if (fixed.changed) {
        try {
          writeFileAtomic(file, fixed.output);
        } catch (error) {
          reports.push(failed(file, (error as InputError).message));
          continue;
        }
      }
      if (!fixed.converged) process.stderr.write(`xlint: ${file}: fixes did not settle after ${fixed.passes} passes; some were left out\n`);
    } else {
      const result = lint(text, engine);
      report = { filePath: file, diagnostics: result.diagnostics, source: text, fixedCount: 0 };
    }
    if (options.quiet) report.diagnostics = report.diagnostics.filter((d) => d.severity === 'error');
    reports.push(report);
  }

  for (const r of reports) if (r.error) process.stderr.write(`xlint: ${r.filePath}: ${r.error}\n`);
  const summary = summarize(reports);
  if (options.diff) process.stdout.write(diffs.join(''));
  else if (options.format === 'json') process.stdout.write(formatJson(reports));
  else process.stdout.write(formatStylish(reports, summary, { color: options.color && !!process.stdout.isTTY, unsafeFixes: !!options.unsafeFixes }));

  const invalid = reports.some((r) => r.diagnostics.some((d) => d.ruleId === INVALID_DOCKERFILE));
  if (summary.failedFiles > 0 || invalid) return 2;
  if (options.exitZero) return 0;
  return summary.errors + summary.warnings + summary.infos > 0 ? 1 : 0;
}

function failed(filePath: string, error: string): FileReport {
  return { filePath, diagnostics: [], source: '', error, fixedCount: 0 };
}
