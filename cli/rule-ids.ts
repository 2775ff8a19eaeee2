/** The ids the command line accepts for a rule: its own, and those of the BuildKit check and hadolint rule it mirrors. */
import type { Rule } from '../core/rule';
import { rules } from '../rules/index';

/** The other tools' ids a rule mirrors (the suppressions honoured for it). */
export function mirroredIds(rule: Rule): string[] {
  const { mirrors } = rule.meta.docs;
  return [mirrors?.buildkit, mirrors?.hadolint].filter((n): n is string => !!n);
}

/** Every id (lower-cased) → the rule; built once. */
const BY_ID = new Map<string, Rule>(rules.flatMap((rule) => [rule.meta.id, ...mirroredIds(rule)].map((id) => [id.toLowerCase(), rule] as const)));

/** The rule an id names: ours (`constant-platform`) or a mirrored one (`DL3029`, `FromPlatformFlagConstDisallowed`), any case. */
export function ruleForId(id: string): Rule | undefined {
  return BY_ID.get(id.trim().toLowerCase());
}
