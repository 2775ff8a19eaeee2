/**
 * `--format junit`: JUnit XML for CI test tabs. A test suite per file; each finding is a failed test
 * case, a clean file one passing case, and a file that could not be read one case in error. A case
 * is named by rule and message, never by position, so CI test histories follow a finding when lines
 * move; the position is in its failure message.
 */
import type { FileReport } from '../report';
import { displayPath, escapeXml, type FormatContext } from './common';

export function formatJunit(reports: FileReport[], context: FormatContext): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const report of reports) {
    const path = escapeXml(displayPath(report.filePath, context.cwd));
    const cases: string[] = [];
    if (report.error) {
      cases.push(`    <testcase classname="${path}" name="read ${path}">`);
      cases.push(`      <error message="${escapeXml(report.error)}"/>`);
      cases.push('    </testcase>');
    }
    const named = new Map<string, number>();
    for (const d of report.diagnostics) {
      const where = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      // The same finding twice in a file: a rank keeps the names apart (CI tools merge equal names).
      let name = `${d.ruleId}: ${d.message}`;
      const rank = (named.get(name) ?? 0) + 1;
      named.set(name, rank);
      if (rank > 1) name += ` (${rank})`;
      cases.push(`    <testcase classname="${path}" name="${escapeXml(name)}">`);
      cases.push(`      <failure type="${d.severity}" message="${escapeXml(`${where}: ${d.message}`)}">${escapeXml(`${d.severity} at ${where}: ${d.message} (${d.ruleId})`)}</failure>`);
      cases.push('    </testcase>');
    }
    if (!report.error && report.diagnostics.length === 0) cases.push(`    <testcase classname="${path}" name="xlint"/>`);
    const suiteFailures = report.diagnostics.length;
    const suiteErrors = report.error ? 1 : 0;
    const suiteTests = Math.max(1, suiteFailures + suiteErrors);
    tests += suiteTests;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(`  <testsuite name="${path}" tests="${suiteTests}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0">`, ...cases, '  </testsuite>');
  }
  return (
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="xlint" tests="${tests}" failures="${failures}" errors="${errors}">`,
      ...suites,
      '</testsuites>',
    ].join('\n') + '\n'
  );
}
