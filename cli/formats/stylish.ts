/** The default output: grouped by file, colours only on a TTY, a summary line, a hint for unsafe fixes. */
import { summarize, type FileReport } from '../report';
import type { FormatContext } from './common';

export function formatStylish(reports: FileReport[], context: FormatContext): string {
  const summary = summarize(reports);
  const options = { color: !!context.color, unsafeFixes: !!context.unsafeFixes };
  const paint = (code: number) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[39m` : text);
  const red = paint(31);
  const yellow = paint(33);
  const blue = paint(34);
  const dim = (text: string) => (options.color ? `\u001b[2m${text}\u001b[22m` : text);
  const bold = (text: string) => (options.color ? `\u001b[1m${text}\u001b[22m` : text);
  const out: string[] = [];
  for (const report of reports) {
    if (report.error || report.diagnostics.length === 0) continue;
    out.push(bold(report.filePath));
    for (const d of report.diagnostics) {
      const where = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      const severity = d.severity === 'error' ? red('error') : d.severity === 'warning' ? yellow('warning') : blue('info');
      const fix = d.fix ? dim(d.fix.safety === 'safe' ? ' [fixable]' : d.fix.safety === 'unsafe' ? ' [unsafe fix]' : ' [suggestion]') : '';
      out.push(`  ${dim(where.padEnd(7))} ${severity.padEnd(options.color ? 17 : 7)}  ${d.message}  ${dim(d.ruleId)}${fix}`);
    }
    out.push('');
  }
  const problems = summary.errors + summary.warnings + summary.infos;
  if (problems > 0) {
    const line = `✖ ${problems} problem${problems === 1 ? '' : 's'} (${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}${summary.infos ? `, ${summary.infos} info` : ''})`;
    out.push(summary.errors > 0 ? red(bold(line)) : yellow(bold(line)));
    if (summary.fixable > 0) out.push(`  ${summary.fixable} fixable with \`xlint --fix\`.`);
    if (summary.unsafeFixable > 0 && !options.unsafeFixes) {
      out.push(`  ${summary.unsafeFixable} more fixable with \`xlint --fix --unsafe-fixes\` (review them: they may change what is built).`);
    }
    out.push('');
  }
  return out.join('\n');
}
