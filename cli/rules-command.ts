/** `xlint rules` and `xlint explain <rule>`. */
import { renderRuleDoc, ruleDocUrl } from '../rules/docs';
import { findRule, rules } from '../rules/index';

export function runRules(format: 'text' | 'json'): number {
  if (format === 'json') {
    const list = rules.map((r) => ({ id: r.meta.id, severity: r.meta.severity, fixes: r.meta.fixes, description: r.meta.description, docs: ruleDocUrl(r.meta.id) }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  for (const r of rules) {
    const fix = r.meta.fixes.length > 0 ? `fix: ${r.meta.fixes.join('/')}` : 'no fix';
    process.stdout.write(`${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${fix.padEnd(24)}  ${r.meta.description}\n`);
  }
  return 0;
}

export function runExplainRule(id: string): number {
  const rule = findRule(id);
  if (!rule) {
    process.stderr.write(`xlint: no rule "${id}"; \`xlint rules\` lists them\n`);
    return 2;
  }
  process.stdout.write(renderRuleDoc(rule));
  return 0;
}
