/** Every rule, in catalog order. Adding a rule: one file here, one table in test/rules, `npm run docs`. */
import type { Rule } from '../core/rule';
import redundantTargetPlatform from './redundant-target-platform';

export const rules: readonly Rule[] = [
  redundantTargetPlatform,
];

export function findRule(id: string): Rule | undefined {
  return rules.find((r) => r.meta.id === id);
}
