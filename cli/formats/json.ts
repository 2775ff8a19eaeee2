/** `--format json`: one array, one object per file; other tools parse it, so the shape is stable. */
import type { FileReport } from '../report';

export function formatJson(reports: FileReport[]): string {
  return (
    JSON.stringify(
      reports.map((r) => ({
        filePath: r.filePath,
        ...(r.error ? { error: r.error } : {}),
        diagnostics: r.diagnostics.map((d) => ({
          ruleId: d.ruleId,
          severity: d.severity,
          message: d.message,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
          fix: d.fix ? { title: d.fix.title, safety: d.fix.safety } : null,
        })),
      })),
      null,
      2,
    ) + '\n'
  );
}
