/** `xlint rules` and `xlint explain <rule>`. */
import { renderRuleHelp, ruleDocUrl } from '../rules/docs';
import { rules } from '../rules/index';
import { EXIT } from './exit-codes';
import { ruleForId } from './rule-ids';

export function runRules(format: 'text' | 'json'): number {
  if (format === 'json') {
    const list = rules.map((r) => ({
      id: r.meta.id,
      severity: r.meta.severity,
      fixes: r.meta.fixes,
      description: r.meta.description,
      docs: ruleDocUrl(r.meta.id),
      ...(r.meta.docs.mirrors ? { mirrors: r.meta.docs.mirrors } : {}),
    }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return EXIT.ok;
  }
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  for (const r of rules) {
    const fix = r.meta.fixes.length > 0 ? `fix: ${r.meta.fixes.join('/')}` : 'no fix';
    process.stdout.write(`${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${fix.padEnd(24)}  ${r.meta.description}\n`);
  }
  return EXIT.ok;
}

/** A rule's documentation; the id may be ours or that of a BuildKit check or hadolint rule it mirrors (`DL3029`). */
export function runExplainRule(id: string): number {
  const rule = ruleForId(id);
  if (!rule) {
    process.stderr.write(`xlint: no rule "${id}" (nor a BuildKit check or hadolint rule that one mirrors); \`xlint rules\` lists them\n`);
    return EXIT.usage;
  }
  process.stdout.write(renderRuleHelp(rule));
  return EXIT.ok;
}
