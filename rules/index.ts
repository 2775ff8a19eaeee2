/** Every rule, in catalog order. Adding a rule: one file here, one table in test/rules, `npm run docs`. */
import type { Rule } from '../core/rule';
import constantPlatform from './constant-platform';
import finalStageOnBuildplatform from './final-stage-on-buildplatform';
import ineffectivePlatformFlag from './ineffective-platform-flag';
import redundantTargetPlatform from './redundant-target-platform';
import shadowedPlatformArg from './shadowed-platform-arg';
import undeclaredPlatformArg from './undeclared-platform-arg';
import undefinedArgInFrom from './undefined-arg-in-from';

export const rules: readonly Rule[] = [
  undeclaredPlatformArg,
  shadowedPlatformArg,
  finalStageOnBuildplatform,
  ineffectivePlatformFlag,
  redundantTargetPlatform,
  constantPlatform,
  undefinedArgInFrom,
];

export function findRule(id: string): Rule | undefined {
  return rules.find((r) => r.meta.id === id);
}
