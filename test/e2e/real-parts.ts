/**
 * End-to-end suites need real parts (pre-commit, docker, neovim, code-server). Without them a suite
 * is skipped with a loud warning; with XLINT_E2E=1 (CI) a missing part fails the run.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export const E2E_REQUIRED = process.env.XLINT_E2E === '1';

export function missingCommands(commands: string[]): string[] {
  return commands.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
}

/** describe() when every command exists; else a loud skip, or a failing test under XLINT_E2E=1. */
export function describeWithRealParts(name: string, commands: string[], body: () => void): void {
  const missing = missingCommands(commands);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const message = `${name}: missing ${missing.join(', ')} — this end-to-end suite did not run`;
  if (E2E_REQUIRED) {
    describe(name, () => {
      it('has its real parts installed', () => {
        throw new Error(`${message} (XLINT_E2E=1 makes it mandatory; run the setup in scripts/test-all.sh)`);
      });
    });
  } else {
    console.warn(`\n⚠️  SKIPPED ${message}. Set XLINT_E2E=1 to make it mandatory.\n`);
    describe.skip(name, body);
  }
}
