/**
 * `--format gitlab`: a GitLab Code Quality report (a subset of Code Climate's issue format), shown on
 * merge requests. GitLab compares reports by fingerprint, so a finding keeps its fingerprint when
 * lines above it move: it hashes the path, rule, message and the finding's rank among identical
 * ones in the file, never the line number.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../core/rule';
import type { FileReport } from '../report';
import { displayPath, lastLine, type FormatContext } from './common';

type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitlabSeverity;
  location: { path: string; lines: { begin: number; end: number } };
}

const SEVERITY: Record<Severity, GitlabSeverity> = { error: 'major', warning: 'minor', info: 'info' };

export function formatGitlab(reports: FileReport[], context: FormatContext): string {
  const issues: CodeQualityIssue[] = [];
  for (const report of reports) {
    const path = displayPath(report.filePath, context.cwd);
    const seen = new Map<string, number>();
    const issue = (checkName: string, description: string, severity: GitlabSeverity, begin: number, end: number): CodeQualityIssue => {
      const key = JSON.stringify([path, checkName, description]);
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      const fingerprint = createHash('md5').update(JSON.stringify([path, checkName, description, occurrence])).digest('hex');
      return { description, check_name: checkName, fingerprint, severity, location: { path, lines: { begin, end } } };
    };
    if (report.error) issues.push(issue('xlint', report.error, 'major', 1, 1));
    for (const d of report.diagnostics) {
      issues.push(issue(d.ruleId, d.message, SEVERITY[d.severity], d.range.start.line + 1, lastLine(d.range)));
    }
  }
  return JSON.stringify(issues, null, 2) + '\n';
}
