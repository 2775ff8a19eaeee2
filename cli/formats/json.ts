/**
 * `--format json`: one array, one object per file; other tools parse it, so the shape only grows.
 * Each finding carries its rule's documentation URL (as released with this version) and its fix's
 * edits: 1-based line and UTF-16 column ranges in the reported text, and the text that replaces each.
 */
import { rangeOf, sourceText, type SourceText } from '../../core/document';
import type { Diagnostic } from '../../core/rule';
import { ruleDocUrl } from '../../rules/docs';
import type { FileReport } from '../report';
import type { FormatContext } from './common';

export function formatJson(reports: FileReport[], context: FormatContext): string {
  return (
    JSON.stringify(
      reports.map((r) => {
        let source: SourceText | null = null;
        const text = () => (source ??= sourceText(r.source));
        return {
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
            url: ruleDocUrl(d.ruleId, context.toolVersion),
            fix: d.fix ? { title: d.fix.title, safety: d.fix.safety, edits: edits(d, text()) } : null,
          })),
        };
      }),
      null,
      2,
    ) + '\n'
  );
}

function edits(d: Diagnostic, source: SourceText) {
  return [...d.fix!.edits]
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((e) => {
      const range = rangeOf(source, e.start, e.end);
      return {
        line: range.start.line + 1,
        column: range.start.character + 1,
        endLine: range.end.line + 1,
        endColumn: range.end.character + 1,
        text: e.text,
      };
    });
}
