/**
 * `--format concise`: one line per finding, `path:line:col: severity [rule] message`, as Ruff's
 * concise output and hadolint's tty output print them; easy to grep, and editors jump to each line.
 */
import type { FileReport } from '../report';
import type { FormatContext } from './common';

export function formatConcise(reports: FileReport[], _context: FormatContext): string {
  const out: string[] = [];
  for (const report of reports) {
    for (const d of report.diagnostics) {
      // A message is one line here, whatever it holds.
      const message = d.message.replace(/\r?\n|\r/g, ' ');
      out.push(`${report.filePath}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.ruleId}] ${message}\n`);
    }
  }
  return out.join('');
}
