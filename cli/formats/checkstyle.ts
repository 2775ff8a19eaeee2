/** `--format checkstyle`: Checkstyle's XML report, which Jenkins, SonarQube and reviewdog read. */
import type { FileReport } from '../report';
import { displayPath, escapeXml, type FormatContext } from './common';

export function formatCheckstyle(reports: FileReport[], context: FormatContext): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', '<checkstyle version="4.3">'];
  for (const report of reports) {
    out.push(`  <file name="${escapeXml(displayPath(report.filePath, context.cwd))}">`);
    // Checkstyle's own logger writes line 0 and no column for a problem with the whole file.
    if (report.error) out.push(`    <error line="0" severity="error" message="${escapeXml(report.error)}" source="xlint"/>`);
    for (const d of report.diagnostics) {
      const attributes = [
        `line="${d.range.start.line + 1}"`,
        `column="${d.range.start.character + 1}"`,
        `severity="${d.severity}"`,
        `message="${escapeXml(d.message)}"`,
        `source="${escapeXml(`xlint.${d.ruleId}`)}"`,
      ];
      out.push(`    <error ${attributes.join(' ')}/>`);
    }
    out.push('  </file>');
  }
  out.push('</checkstyle>');
  return out.join('\n') + '\n';
}
