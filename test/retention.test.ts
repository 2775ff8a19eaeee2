/**
 * An analysis must leave nothing alive once its result is dropped, not even until the next full
 * collection. Caches keyed by the model in WeakMaps did: V8's minor collections keep a WeakMap's
 * values alive, so each analysis survived them, was copied and then promoted, and those collections
 * became most of an edit's time in the language server (core/derived.ts). Measured here as the new
 * space still in use after a minor collection, with the result dropped and, for scale, kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { lint } from '../core/lint';
import { rules } from '../rules/index';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
const newSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
const EXAMPLES = join(__dirname, '..', 'examples');
// Each small enough that its analysis fits in the new space: no collection runs during it.
const examples = readdirSync(EXAMPLES).filter((name) => name.endsWith('.Dockerfile'));

/** Where a kept result lives until it is measured. */
const held: unknown[] = [];

/** Bytes of the new space in use after a minor collection that follows one analysis. */
function survivingBytes(text: string, keep: boolean): number {
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  const before = newSpaceUsed();
  analyse(text, keep);
  gc({ type: 'minor' });
  const after = newSpaceUsed();
  held.length = 0;
  return after - before;
}

function analyse(text: string, keep: boolean): void {
  const result = lint(text, { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });
  if (keep) held.push(result);
}

describe('an analysis', () => {
  it.each(examples)('of %s leaves nothing alive through a minor collection once its result is dropped', (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    // Several rounds, the smallest counted: the optimizing compiler may hold a result a little longer.
    const dropped = Math.min(...Array.from({ length: 6 }, () => survivingBytes(text, false)));
    // The scale, the largest counted: when V8 has shrunk the new space (the whole suite loaded), an
    // analysis may not fit in it, and what a collection during it moved is promoted by the next.
    const retained = Math.max(...Array.from({ length: 3 }, () => survivingBytes(text, true)));
    expect(retained).toBeGreaterThan(10_000);
    expect(dropped).toBeLessThan(retained / 4);
  });
});
