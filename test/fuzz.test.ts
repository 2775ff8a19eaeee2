/**
 * The fuzzer in CI (issue 11 item 4; docs/fuzzing.md): a short fixed-seed campaign over the corpus
 * (../shared/corpus/files) and examples/, through the engine in-process and a sample through the
 * built CLI, asserting zero crashes and zero runs over the bound; then every regression fixture in
 * test/fixtures/fuzz/ (the smallest failing inputs found, minimized) replayed.
 *
 * Without the corpus the campaign runs on examples/ alone, with a loud warning; with $XLINT_CORPUS
 * set, a missing corpus is a failure. The CLI part needs `npm run build` (dist/xlint.js).
 *
 * XLINT_FUZZ_SEED (default 42), XLINT_FUZZ_COUNT (default 500) and XLINT_FUZZ_CLI (default 6)
 * change the campaign; `npm run fuzz` is the long one.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixText } from '../core/fix';
import { lint } from '../core/lint';
import { rules } from '../rules/index';
import {
  boundMs,
  cliSlowdown,
  decode,
  fixtureText,
  generateInput,
  judgeCli,
  loadSeeds,
  OPTION_VARIANTS,
  runCli,
  runEngine,
  type CliMode,
  type Fixture,
} from './fuzz/fuzzer';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'xlint.js');
const FIXTURES = join(__dirname, 'fixtures', 'fuzz');
const SEED = Number(process.env.XLINT_FUZZ_SEED ?? 42);
const COUNT = Number(process.env.XLINT_FUZZ_COUNT ?? 500);
const CLI_COUNT = Number(process.env.XLINT_FUZZ_CLI ?? 6);

const seeds = loadSeeds(ROOT);
if (!seeds.corpus.dir) {
  console.warn(
    `\n${'!'.repeat(100)}\n!! FUZZING WITHOUT THE CORPUS: no shared/corpus/files found; looked in ${seeds.corpus.looked.join(', ')}\n` +
      `!! the campaign runs on the ${seeds.examples} examples only (set XLINT_CORPUS=/path/to/corpus to use it, and to make a missing corpus a failure)\n${'!'.repeat(100)}\n`,
  );
}

let cwd = '';
/** CLI bounds are scaled by how slow the machine runs the CLI now (cliSlowdown); engine bounds are not. */
let slowdown = 1;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'xlint-fuzz-test-'));
  if (existsSync(CLI)) slowdown = cliSlowdown(CLI, cwd);
  if (slowdown > 1.5) console.log(`fuzz: the CLI runs ${slowdown.toFixed(1)}× slower than on a quiet machine; its bounds are scaled by that`);
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function requireCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

describe(`fuzzing (seed ${SEED}, ${COUNT} inputs, ${seeds.corpus.count} corpus files + ${seeds.examples} examples)`, () => {
  it.runIf(seeds.corpus.fromEnv)('finds the corpus that $XLINT_CORPUS names', () => {
    expect(seeds.corpus.dir, `XLINT_CORPUS=${process.env.XLINT_CORPUS}: no files/ there`).not.toBeNull();
  });

  it(`${COUNT} mutated inputs through lint, fix and unsafe fix: no crash, none over the bound`, { timeout: 120_000 }, () => {
    const crashes: string[] = [];
    const slow: string[] = [];
    for (let index = 0; index < COUNT; index++) {
      const input = generateInput(seeds.files, SEED, index);
      const bound = boundMs(input.bytes.length);
      let runs = runEngine(decode(input.bytes), input.variant);
      // Over the bound must happen twice: once may be the machine (CI boxes run other jobs).
      if (runs.some((r) => r.ms > bound)) runs = runEngine(decode(input.bytes), input.variant);
      for (const run of runs) {
        const where = `input ${index} (${input.bytes.length} bytes, ${input.seed}: ${input.mutations.join(' + ')}) ${run.op}`;
        if (run.error) crashes.push(`${where}:\n${run.error}`);
        if (run.ms > bound) slow.push(`${where}: ${run.ms.toFixed(0)} ms > ${bound.toFixed(0)} ms, twice`);
      }
    }
    const replay = `replay one with: npm run fuzz -- --seed ${SEED} --replay INDEX`;
    expect(crashes, `${crashes.length} crashes (${replay}):\n${crashes.slice(0, 5).join('\n\n')}`).toEqual([]);
    expect(slow, `${slow.length} runs over the bound (${replay}):\n${slow.join('\n')}`).toEqual([]);
  });

  it(`${CLI_COUNT} of them through the CLI (file, --stdin, --stdin --fix): exit 0/1/2, JSON or a one-line error, never a stack trace`, { timeout: 600_000 }, () => {
    requireCli();
    const problems: string[] = [];
    for (let k = 0; k < CLI_COUNT; k++) {
      const index = Math.floor((k * COUNT) / CLI_COUNT);
      const input = generateInput(seeds.files, SEED, index);
      for (const mode of ['file', 'stdin', 'stdin-fix'] as CliMode[]) {
        const bound = boundMs(input.bytes.length) * slowdown;
        let run = runCli(CLI, input.bytes, mode, cwd);
        if (run.ms > bound) run = runCli(CLI, input.bytes, mode, cwd);
        const problem = judgeCli(run) ?? (run.ms > bound ? `${run.ms.toFixed(0)} ms, over the bound, twice` : null);
        if (problem) problems.push(`input ${index} ${mode} (${input.mutations.join(' + ')}): ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Regression fixtures: every input that once crashed, hung or misled the engine.

const SLOW = process.env.XLINT_FUZZ_SLOW === '1';
const fixtures = (existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort() : []).map((file) => ({
  file,
  fixture: JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture,
}));
const open = fixtures.filter((f) => f.fixture.open).map((f) => f.file);
const skipped = fixtures.filter((f) => f.fixture.slow && !SLOW).map((f) => f.file);
if (open.length > 0 || skipped.length > 0) {
  console.warn(
    `\n${'!'.repeat(100)}\n` +
      (open.length ? `!! ${open.length} fuzz fixture(s) record OPEN bugs, expected to fail until fixed (then delete their "open" field):\n!!   ${open.join('\n!!   ')}\n` : '') +
      (skipped.length ? `!! ${skipped.length} slow fuzz fixture(s) SKIPPED (XLINT_FUZZ_SLOW=1 replays them):\n!!   ${skipped.join('\n!!   ')}\n` : '') +
      `${'!'.repeat(100)}\n`,
  );
}

describe('fuzz regression fixtures (test/fixtures/fuzz)', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const { file, fixture } of fixtures) {
    const text = fixtureText(fixture);
    const variant = fixture.variant ?? 0;
    const options = { ...OPTION_VARIANTS[variant], rules };
    const bound = boundMs(Buffer.byteLength(text));
    const kind = fixture.open?.kind;
    const label = `${file}${kind ? ` (OPEN: ${kind})` : ''}: ${fixture.description}`;
    const skip = !!fixture.slow && !SLOW;

    // In-process: no throw, the fixes settle and are idempotent. An open crash or slow run is left
    // to the CLI replay (this thread's stack is not the CLI's, and a slow run would take its full time).
    const engine = skip || kind === 'crash' || kind === 'over-bound' ? it.skip : it;
    engine(`${label} [engine]`, { timeout: 60_000 + 4 * bound }, () => {
      const found = lint(text, options).diagnostics.map((d) => d.ruleId).sort();
      if (fixture.expectRules && kind === 'wrong-result') expect(found, `the open bug looks fixed (lint reports ${JSON.stringify(found)}): delete the "open" field of ${file}`).not.toEqual(fixture.expectRules);
      else if (fixture.expectRules) expect(found).toEqual(fixture.expectRules);
      if (kind === 'wrong-result') return;
      const settled = [false, true].map((unsafe) => {
        const first = fixText(text, { ...options, unsafe });
        if (first.converged) expect(fixText(first.output, { ...options, unsafe }).output, `not idempotent (unsafe: ${unsafe})`).toBe(first.output);
        return first.converged;
      });
      if (kind === 'not-settled') expect(settled, `the open bug looks fixed (the fixes settle): delete the "open" field of ${file}`).toContain(false);
      else expect(settled, 'fixes did not settle (safe, unsafe)').toEqual([true, true]);
    });

    // Through the CLI, as users run it (its stack, killed at the bound): lint, --diff and --diff
    // --unsafe-fixes. An open crash or slow run: in the mode that shows it, still failing that way.
    const expectFailure = kind === 'crash' || kind === 'over-bound';
    const cli = skip || variant !== 0 ? it.skip : it;
    cli(`${label} [CLI]`, { timeout: 120_000 + 12 * bound }, () => {
      requireCli();
      const bytes = Buffer.from(text);
      const bound = boundMs(bytes.length) * slowdown;
      const modes: CliMode[] = expectFailure && fixture.open?.mode ? [fixture.open.mode] : ['file', 'diff', 'diff-unsafe'];
      for (const mode of modes) {
        const run = runCli(CLI, bytes, mode, cwd, false, bound);
        const problem = judgeCli(run);
        if (kind === 'crash') {
          expect(problem ?? '', `the open crash looks fixed (xlint ${mode} ran cleanly): delete the "open" field of ${file}`).toMatch(/stack trace|exit code|killed by/);
        } else if (kind === 'over-bound') {
          expect(run.timedOut || run.ms > bound, `the open slow run looks fixed (xlint ${mode}: ${run.ms.toFixed(0)} ms, bound ${bound.toFixed(0)} ms): delete the "open" field of ${file}`).toBe(true);
        } else {
          expect(problem, `xlint (${mode}): ${problem}`).toBeNull();
          expect(run.ms, `xlint (${mode}) took ${run.ms.toFixed(0)} ms, over the bound`).toBeLessThanOrEqual(bound);
        }
      }
    });
  }
});
