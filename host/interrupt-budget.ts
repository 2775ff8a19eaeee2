/**
 * How much bytecode a function runs before V8 considers optimizing it: 8× V8's default (67,584).
 * Most runs are short (a pre-commit hook, a CI job over a few dozen files); with the default, V8
 * optimizes early, on feedback the next files change, and spends one of two cores compiling.
 * Measured here (best of 5, the budgets interleaved, 2 cores): the 295 real files of the benchmark
 * 805 → 640 ms (2× the default: 660, 16×: 649); 1,000 generated files 1,307 → 1,147 ms; one small
 * file the same (199 → 198 ms); 10,000 files 5.1 → 5.2 s (16×: 5.5 s). The language server needs
 * it too: with the default, the moby-sized file's p95 per edit was 28-35 ms against 19-28
 * (bench/lsp.mjs, interleaved), V8 compiling on the cores the analyses need.
 *
 * It is raised once a run is known to be long (a lint of several files, the language server):
 * node:v8, which sets it, costs a one-file run 4 ms to load.
 */
export const DEFAULT_INTERRUPT_BUDGET = 67_584;
export const LONG_RUN_INTERRUPT_BUDGET = 8 * DEFAULT_INTERRUPT_BUDGET;

export function setInterruptBudget(budget: number): void {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString(`--interrupt-budget=${budget}`);
}
