/**
 * `--format github`: GitHub Actions workflow commands, which the runner turns into annotations on the
 * pull request: `::error file=Dockerfile,line=3,col=6,endLine=3,endColumn=31,title=xlint(rule)::message`.
 */
import type { Diagnostic } from '../../core/rule';
import type { FileReport } from '../report';
import { displayPath, lastLine, type FormatContext } from './common';

export function formatGithub(reports: FileReport[], context: FormatContext): string {
  const out: string[] = [];
  for (const report of reports) {
    const file = displayPath(report.filePath, context.cwd);
    if (report.error) out.push(command('error', { file, title: 'xlint' }, report.error));
    for (const d of report.diagnostics) out.push(command(kind(d), { file, ...position(d), title: `xlint(${d.ruleId})` }, d.message));
  }
  return out.map((line) => `${line}\n`).join('');
}

function kind(d: Diagnostic): 'error' | 'warning' | 'notice' {
  return d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
}

/** 1-based; GitHub takes columns only for an annotation on a single line. */
function position(d: Diagnostic): Record<string, number> {
  const line = d.range.start.line + 1;
  const endLine = lastLine(d.range);
  if (d.range.end.line !== d.range.start.line) return { line, endLine };
  return { line, col: d.range.start.character + 1, endLine, endColumn: d.range.end.character + 1 };
}

function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name} ${props}::${escapeData(message)}`;
}

/** As `@actions/core` escapes a command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** As `@actions/core` escapes a command's property values: also `:` and `,`, which delimit them. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
