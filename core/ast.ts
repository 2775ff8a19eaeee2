/**
 * dockerfile-ast recomputes most getters on every call (getFlags re-reads the arguments, which
 * re-scan the text). Its nodes never change after parsing, so the model memoizes the getters it
 * and the rules use, once per instruction: the difference between 1× and 3× the parse time.
 */
import type { Instruction } from 'dockerfile-ast';

const MEMOIZED = [
  'getRange',
  'getInstructionRange',
  'getKeyword',
  'getInstruction',
  'getArguments',
  'getArgumentsRange',
  'getArgumentsContent',
  'getRawArgumentsContent',
  'getFlags',
  'getVariables',
  'getJSONStrings',
  'getClosingBracket',
  'getHeredocs',
  'getImage',
  'getImageRange',
  'getImageName',
  'getBuildStage',
  'getBuildStageRange',
] as const;

/** `text` is the instruction's source: flags and heredocs are skipped without a scan when absent. */
export function memoizeInstruction(instruction: Instruction, text: string): void {
  const target = instruction as unknown as Record<string, unknown>;
  if (target.__memoized) return;
  target.__memoized = true;
  if (!text.includes('--')) target.getFlags = () => [];
  if (!text.includes('<<')) target.getHeredocs = () => [];
  for (const name of MEMOIZED) {
    if (target[name] !== (Object.getPrototypeOf(instruction) as Record<string, unknown>)[name] && (name === 'getFlags' || name === 'getHeredocs')) continue;
    const original = target[name];
    if (typeof original !== 'function') continue;
    let computed = false;
    let value: unknown;
    target[name] = () => {
      if (!computed) {
        value = (original as () => unknown).call(instruction);
        computed = true;
      }
      return value;
    };
  }
}
