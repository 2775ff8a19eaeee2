/** Every rule, in catalog order. Adding a rule: one file here, one table in test/rules, `npm run docs`. */
import type { Rule } from '../core/rule';
import archProbeInBuildStage from './arch-probe-in-build-stage';
import baseImagePlatform from './base-image-platform';
import constantPlatform from './constant-platform';
import emulatedBuildStage from './emulated-build-stage';
import finalStageOnBuildplatform from './final-stage-on-buildplatform';
import hardcodedArch from './hardcoded-arch';
import ineffectivePlatformFlag from './ineffective-platform-flag';
import redundantTargetPlatform from './redundant-target-platform';
import shadowedPlatformArg from './shadowed-platform-arg';
import targetImageInBuildStage from './target-image-in-build-stage';
import undeclaredPlatformArg from './undeclared-platform-arg';
import undefinedArgInFrom from './undefined-arg-in-from';
import wrongArchArtifact from './wrong-arch-artifact';

export const rules: readonly Rule[] = [
  emulatedBuildStage,
  wrongArchArtifact,
  undeclaredPlatformArg,
  shadowedPlatformArg,
  finalStageOnBuildplatform,
  ineffectivePlatformFlag,
  hardcodedArch,
  targetImageInBuildStage,
  archProbeInBuildStage,
  redundantTargetPlatform,
  constantPlatform,
  undefinedArgInFrom,
  baseImagePlatform,
];

export function findRule(id: string): Rule | undefined {
  return rules.find((r) => r.meta.id === id);
}
