/**
 * `--format json`: one array, one object per file; other tools parse it, so the shape only grows.
 * Each finding carries its rule's documentation URL (as released with this version) and its fix's
 * edits: 1-based line and UTF-16 column ranges in the reported text, and the text that replaces each.
 * A fix shared by several findings (one edit per arch URL of a RUN, for all of them) is written
 * once, on the first of them; the others get `"edits": []` and `"sharedWith"`, that finding's index
 * in `diagnostics`: written per finding, 10,000 findings sharing 10,001 edits ran out of memory.
 */
import { rangeOf, sourceText, type SourceText } from '../../core/document';
import type { Diagnostic, Fix } from '../../core/rule';
import { ruleDocUrl } from '../../rules/docs';
import type { FileReport } from '../report';
import type { FormatContext } from './common';

export function formatJson(reports: FileReport[], context: FormatContext): string {
  return (
    JSON.stringify(
      reports.map((r) => {
        let source: SourceText | null = null;
        const text = () => (source ??= sourceText(r.source));
        const firstWith = new Map<Fix, number>();
        const fixOf = (d: Diagnostic, index: number) => {
          if (!d.fix) return null;
          const first = firstWith.get(d.fix);
          if (first !== undefined) return { title: d.fix.title, safety: d.fix.safety, edits: [], sharedWith: first };
          firstWith.set(d.fix, index);
          return { title: d.fix.title, safety: d.fix.safety, edits: edits(d, text()) };
        };
        return {
          filePath: r.filePath,
          ...(r.error ? { error: r.error } : {}),
          diagnostics: r.diagnostics.map((d, index) => ({
            ruleId: d.ruleId,
            severity: d.severity,
            message: d.message,
            line: d.range.start.line + 1,
            column: d.range.start.character + 1,
            endLine: d.range.end.line + 1,
            endColumn: d.range.end.character + 1,
            url: ruleDocUrl(d.ruleId, context.toolVersion),
            fix: fixOf(d, index),
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
