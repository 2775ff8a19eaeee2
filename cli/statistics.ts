/**
 * `--statistics`: instead of each finding, how many each rule gave, by severity, and how many of them
 * `--fix` would fix (safe fixes; `--unsafe-fixes` counts the unsafe ones too). Text, or a JSON object
 * with `--format json`.
 */
import type { Severity } from '../core/rule';
import { ruleDocUrl } from '../rules/docs';
import type { FileReport } from './report';

export interface RuleStatistics {
  count: number;
  severities: Partial<Record<Severity, number>>;
  fixable: number;
  url: string;
}

export interface Statistics {
  total: number;
  fixable: number;
  /** By rule id, the most frequent first (then by id). */
  rules: Record<string, RuleStatistics>;
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

export function statistics(reports: FileReport[], options: { unsafeFixes?: boolean; version?: string }): Statistics {
  const fixes = options.unsafeFixes ? ['safe', 'unsafe'] : ['safe'];
  const byRule = new Map<string, RuleStatistics>();
  let total = 0;
  let fixable = 0;
  for (const report of reports) {
    for (const d of report.diagnostics) {
      let entry = byRule.get(d.ruleId);
      if (!entry) byRule.set(d.ruleId, (entry = { count: 0, severities: {}, fixable: 0, url: ruleDocUrl(d.ruleId, options.version) }));
      entry.count++;
      entry.severities[d.severity] = (entry.severities[d.severity] ?? 0) + 1;
      total++;
      if (d.fix && fixes.includes(d.fix.safety)) {
        entry.fixable++;
        fixable++;
      }
    }
  }
  const sorted = [...byRule].sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b));
  return { total, fixable, rules: Object.fromEntries(sorted) };
}

export function formatStatisticsJson(stats: Statistics): string {
  return JSON.stringify(stats, null, 2) + '\n';
}

/** `  3  error    undeclared-platform-arg  2 fixable`: count, severities, rule, fixable count. */
export function formatStatisticsText(stats: Statistics): string {
  const entries = Object.entries(stats.rules);
  if (entries.length === 0) return '';
  const severityText = (s: RuleStatistics) =>
    SEVERITIES.filter((k) => s.severities[k])
      .map((k) => (Object.keys(s.severities).length === 1 ? k : `${k} ${s.severities[k]}`))
      .join(', ');
  const countWidth = Math.max(...entries.map(([, s]) => String(s.count).length));
  const severityWidth = Math.max(...entries.map(([, s]) => severityText(s).length));
  const idWidth = Math.max(...entries.map(([id]) => id.length));
  const lines = entries.map(([id, s]) => `${String(s.count).padStart(countWidth)}  ${severityText(s).padEnd(severityWidth)}  ${s.fixable > 0 ? `${id.padEnd(idWidth)}  ${s.fixable} fixable` : id}`);
  lines.push(`Found ${stats.total} finding${stats.total === 1 ? '' : 's'}${stats.fixable > 0 ? ` (${stats.fixable} fixable with \`xlint --fix\`)` : ''}.`);
  return lines.join('\n') + '\n';
}
