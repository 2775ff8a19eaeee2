/**
 * `npm run fuzz`: a long seeded fuzzing campaign over the corpus and examples/ (docs/fuzzing.md).
 *
 *   npm run fuzz -- [--seed N] [--count N] [--cli N] [--from I] [--out DIR] [--no-minimize]
 *   npm run fuzz -- --seed N --replay I     # rebuild input I of campaign N, write it, run it once
 *
 * The engine runs in a worker thread with the CLI's stack size (1 MiB, so a stack overflow the
 * CLI would hit happens here too), watched by this thread: an engine call still running 2 s past
 * its bound is over the bound for certain; the worker is killed and replaced, and the campaign
 * goes on with the next input (so a hang costs its bound, not hours). Then a
 * sample of the inputs runs through the built CLI (dist/xlint.js) as a file, on stdin, and with
 * `--stdin --fix`. Crashes are minimized and written to --out with their stacks.
 * Exit code: 0 when there were no crashes, hangs, runs over the bound or CLI failures; 1 otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fixText } from '../core/fix';
import { rules } from '../rules/index';
import {
  boundMs,
  cliText,
  decode,
  ENGINE_OPS,
  generateInput,
  judgeCli,
  loadSeeds,
  minimize,
  OPTION_VARIANTS,
  runCli,
  runEngine,
  signature,
  type CliMode,
  type EngineOp,
  type EngineRun,
  type SeedFile,
} from '../test/fuzz/fuzzer';

const REPO = process.cwd();
/** How long past its bound an engine call may run before the watchdog kills it (message latency, GC). */
const KILL_SLACK_MS = 2000;
const STACK_MB = 1;

type Job =
  | { mode: 'campaign'; seed: number; from: number; to: number }
  | { mode: 'minimize'; text: string; variant: number; signature: string; budgetMs: number };

type Message =
  | { type: 'op'; index: number; op: EngineOp; bytes: number }
  | { type: 'done'; index: number; bytes: number; runs: EngineRun[]; mutations: string[]; seedFile: string; variant: number }
  | { type: 'minimized'; text: string };

// ---------------------------------------------------------------------------------------------
// Worker: runs inputs, reports each before and after.

function workerMain(job: Job): void {
  const post = (m: Message) => parentPort!.postMessage(m);
  if (job.mode === 'minimize') {
    const fails = (text: string) => runEngine(text, job.variant).some((r) => r.error !== null && signature(r.error) === job.signature);
    post({ type: 'minimized', text: minimize(job.text, fails, job.budgetMs) });
    return;
  }
  const seeds = loadSeeds(REPO).files;
  for (let index = job.from; index < job.to; index++) {
    const input = generateInput(seeds, job.seed, index);
    const runs = runEngine(decode(input.bytes), input.variant, (op) => post({ type: 'op', index, op, bytes: input.bytes.length }));
    post({ type: 'done', index, bytes: input.bytes.length, runs, mutations: input.mutations, seedFile: input.seed, variant: input.variant });
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread

interface Args {
  seed: number;
  count: number;
  cli: number;
  from: number;
  out: string;
  replay: number | null;
  minimize: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seed: 1, count: 100_000, cli: 1000, from: 0, out: '', replay: null, minimize: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} needs a non-negative integer`);
      return v;
    };
    if (flag === '--seed') args.seed = int();
    else if (flag === '--count') args.count = int();
    else if (flag === '--cli') args.cli = int();
    else if (flag === '--from') args.from = int();
    else if (flag === '--out') args.out = value();
    else if (flag === '--replay') args.replay = int();
    else if (flag === '--no-minimize') args.minimize = false;
    else throw new Error(`unknown option ${flag} (see the comment at the top of scripts/fuzz.ts)`);
  }
  args.out = resolve(args.out || join('.tmp', `fuzz-seed-${args.seed}`));
  return args;
}

interface Crash {
  signature: string;
  stack: string;
  count: number;
  /** The smallest input that showed it. */
  index: number;
  bytes: number;
  op: string;
  mutations: string[];
  variant: number;
}

interface Slow {
  index: number;
  op: string;
  ms: number;
  /** Killed by the watchdog rather than finished. */
  killed: boolean;
  bound: number;
  bytes: number;
  mutations: string[];
}

interface Stats {
  inputs: number;
  bytes: number;
  crashes: Map<string, Crash>;
  crashInputs: number;
  overBound: Slow[];
  notConverged: number;
  /** The first inputs whose fixes did not settle (a fix offered that can never be applied). */
  notConvergedInputs: string[];
  /** Inputs the model reports errors for (a fix leaves those alone), and inputs a fix changed. */
  withModelErrors: number;
  fixChanged: number;
  /** Per op: [ms, bytes] of every run. */
  times: Record<string, [number, number][]>;
  worst: { ratio: number; index: number; op: string; ms: number; bytes: number } | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

function runCampaign(args: Args, seeds: SeedFile[]): Promise<Stats> {
  const stats: Stats = {
    inputs: 0, bytes: 0, crashes: new Map(), crashInputs: 0, overBound: [], notConverged: 0, notConvergedInputs: [], withModelErrors: 0, fixChanged: 0,
    times: Object.fromEntries(ENGINE_OPS.map((op) => [op, []])), worst: null,
  };
  const end = args.from + args.count;
  const started = performance.now();
  let lastProgress = started;
  const progress = (done: number) => {
    const now = performance.now();
    if (now - lastProgress < 15_000) return;
    lastProgress = now;
    console.log(`  ${done}/${args.count} inputs, ${fmt(now - started)}: ${stats.crashInputs} crashing (${stats.crashes.size} distinct), ${stats.overBound.length} over the bound`);
  };
  return new Promise((resolvePromise, reject) => {
    const spawn = (from: number) => {
      if (from >= end) return resolvePromise(stats);
      const worker = new Worker(__filename, { workerData: { mode: 'campaign', seed: args.seed, from, to: end } satisfies Job, resourceLimits: { stackSizeMb: STACK_MB } });
      let current = { index: from, bytes: 0, op: 'lint' as EngineOp, since: performance.now() };
      let timer: NodeJS.Timeout | null = null;
      let finished = false;
      const stop = (next: number) => {
        finished = true;
        if (timer) clearTimeout(timer);
        void worker.terminate().then(() => spawn(next));
      };
      worker.on('message', (m: Message) => {
        if (m.type === 'op') {
          current = { index: m.index, bytes: m.bytes, op: m.op, since: performance.now() };
          const bound = boundMs(m.bytes);
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => {
            const ms = performance.now() - current.since;
            const input = generateInput(seeds, args.seed, current.index);
            stats.overBound.push({ index: current.index, op: current.op, ms, killed: true, bound, bytes: current.bytes, mutations: input.mutations });
            stats.inputs++;
            stats.bytes += current.bytes;
            writeFileSync(join(args.out, `over-bound-${current.index}.Dockerfile`), input.bytes);
            console.log(`  OVER THE BOUND input ${current.index} ${current.op}: killed after ${fmt(ms)} (bound ${fmt(bound)}; ${current.bytes} bytes, ${input.mutations.join(' + ')})`);
            progress(current.index + 1 - args.from);
            stop(current.index + 1);
          }, bound + KILL_SLACK_MS);
          return;
        }
        if (m.type !== 'done') return;
        if (timer) clearTimeout(timer);
        timer = null;
        record(stats, args, seeds, m);
        progress(m.index + 1 - args.from);
        if (m.index === end - 1) stop(end);
      });
      worker.on('error', (error) => {
        if (finished) return;
        // The worker itself died (out of memory, ...): count the input it was on as a crash and go on.
        const input = generateInput(seeds, args.seed, current.index);
        const stack = error.stack ?? String(error);
        addCrash(stats, { signature: `worker died: ${signature(stack)}`, stack, count: 1, index: current.index, bytes: current.bytes, op: current.op, mutations: input.mutations, variant: input.variant });
        stats.inputs++;
        stats.crashInputs++;
        console.log(`  WORKER DIED on input ${current.index} ${current.op}: ${stack.split('\n')[0]}`);
        stop(current.index + 1);
      });
      worker.on('exit', (code) => {
        if (!finished && code !== 0) reject(new Error(`fuzz worker exited with ${code}`));
      });
    };
    spawn(args.from);
  });
}

function addCrash(stats: Stats, crash: Crash): void {
  const known = stats.crashes.get(crash.signature);
  if (!known) stats.crashes.set(crash.signature, crash);
  else {
    known.count++;
    if (crash.bytes < known.bytes) Object.assign(known, { ...crash, count: known.count });
  }
}

function record(stats: Stats, args: Args, seeds: SeedFile[], m: Extract<Message, { type: 'done' }>): void {
  stats.inputs++;
  stats.bytes += m.bytes;
  const bound = boundMs(m.bytes);
  let crashed = false;
  for (const run of m.runs) {
    stats.times[run.op].push([run.ms, m.bytes]);
    if (run.converged === false) {
      stats.notConverged++;
      if (stats.notConvergedInputs.length < 10) {
        stats.notConvergedInputs.push(`input ${m.index} ${run.op} (${m.bytes} bytes, ${m.mutations.join(' + ')})`);
        writeFileSync(join(args.out, `not-settled-${m.index}-${run.op}.Dockerfile`), generateInput(seeds, args.seed, m.index).bytes);
      }
    }
    if (run.modelErrors) stats.withModelErrors++;
    if (run.op === 'fix' && run.changed) stats.fixChanged++;
    const ratio = run.ms / bound;
    if (!stats.worst || ratio > stats.worst.ratio) stats.worst = { ratio, index: m.index, op: run.op, ms: run.ms, bytes: m.bytes };
    if (run.ms > bound) {
      stats.overBound.push({ index: m.index, op: run.op, ms: run.ms, killed: false, bound, bytes: m.bytes, mutations: m.mutations });
      writeFileSync(join(args.out, `over-bound-${m.index}.Dockerfile`), generateInput(seeds, args.seed, m.index).bytes);
      console.log(`  OVER THE BOUND input ${m.index} ${run.op}: ${fmt(run.ms)} > ${fmt(bound)} (${m.bytes} bytes, ${m.mutations.join(' + ')})`);
    }
    if (run.error) {
      crashed = true;
      const sig = signature(run.error);
      if (!stats.crashes.has(sig)) console.log(`  CRASH input ${m.index} ${run.op} (${m.bytes} bytes, ${m.mutations.join(' + ')}): ${sig}`);
      addCrash(stats, { signature: sig, stack: run.error, count: 1, index: m.index, bytes: m.bytes, op: run.op, mutations: m.mutations, variant: m.variant });
    }
  }
  if (crashed) stats.crashInputs++;
}

function minimizeInWorker(text: string, variant: number, sig: string, budgetMs: number): Promise<string> {
  return new Promise((resolvePromise) => {
    const worker = new Worker(__filename, { workerData: { mode: 'minimize', text, variant, signature: sig, budgetMs } satisfies Job, resourceLimits: { stackSizeMb: STACK_MB } });
    // One engine run may outlast the budget (a 2 MiB input): give it the bound on top, then keep what we have.
    const timer = setTimeout(() => void worker.terminate().then(() => resolvePromise(text)), budgetMs + 4 * boundMs(text.length) + 10_000);
    worker.on('message', (m: Message) => {
      if (m.type !== 'minimized') return;
      clearTimeout(timer);
      void worker.terminate().then(() => resolvePromise(m.text));
    });
    worker.on('error', () => {
      clearTimeout(timer);
      resolvePromise(text);
    });
  });
}

interface CliStats {
  inputs: number;
  runs: number;
  byMode: Record<CliMode, number>;
  failures: { index: number; mode: CliMode; problem: string; bytes: number }[];
  overBound: { index: number; mode: CliMode; ms: number; bound: number; bytes: number }[];
  times: number[];
  exitCodes: Record<string, number>;
}

function runCliSample(args: Args, seeds: SeedFile[]): CliStats {
  const cliPath = join(REPO, 'dist', 'xlint.js');
  const stats: CliStats = { inputs: 0, runs: 0, byMode: { file: 0, stdin: 0, 'stdin-fix': 0, diff: 0, 'diff-unsafe': 0 }, failures: [], overBound: [], times: [], exitCodes: {} };
  if (args.cli === 0) return stats;
  const cwd = mkdtempSync(join(tmpdir(), 'xlint-fuzz-cli-'));
  const started = performance.now();
  let lastProgress = started;
  try {
    for (let k = 0; k < args.cli; k++) {
      const index = args.from + Math.floor((k * args.count) / args.cli);
      const input = generateInput(seeds, args.seed, index);
      stats.inputs++;
      const modes: CliMode[] = ['file', 'stdin'];
      if (k % 2 === 0) modes.push('stdin-fix');
      for (const mode of modes) {
        const unsafe = mode === 'stdin-fix' && k % 4 === 0;
        const run = runCli(cliPath, input.bytes, mode, cwd, unsafe);
        stats.runs++;
        stats.byMode[mode]++;
        stats.times.push(run.ms);
        stats.exitCodes[String(run.status ?? run.signal)] = (stats.exitCodes[String(run.status ?? run.signal)] ?? 0) + 1;
        const bound = boundMs(input.bytes.length);
        let expected: string | undefined;
        const text = mode === 'stdin-fix' ? cliText(input.bytes) : null;
        // The CLI's default build on this machine is variant 0 (amd64 builder, amd64 + arm64): its fixed text must be the
        // engine's. Computed here, on this thread, only when the CLI itself finished within the bound (no watchdog here).
        if (text !== null && !run.timedOut && run.ms <= bound && process.arch === 'x64') {
          try {
            expected = fixText(text, { ...OPTION_VARIANTS[0], rules, unsafe }).output;
          } catch {
            expected = undefined;
          }
        }
        const problem = judgeCli(run, expected);
        if (run.ms > bound) {
          stats.overBound.push({ index, mode, ms: run.ms, bound, bytes: input.bytes.length });
          console.log(`  CLI OVER THE BOUND input ${index} ${mode}: ${fmt(run.ms)} > ${fmt(bound)} (${input.bytes.length} bytes)`);
        }
        if (problem) {
          stats.failures.push({ index, mode, problem, bytes: input.bytes.length });
          writeFileSync(join(args.out, `cli-${index}-${mode}.Dockerfile`), input.bytes);
          writeFileSync(join(args.out, `cli-${index}-${mode}.txt`), `${problem}\n\nmutations: ${input.mutations.join(' + ')}\n\nstdout:\n${run.stdout.slice(0, 20_000)}\n\nstderr:\n${run.stderr.slice(0, 20_000)}\n`);
          console.log(`  CLI FAILURE input ${index} ${mode}: ${problem}`);
        }
      }
      const now = performance.now();
      if (now - lastProgress > 15_000) {
        lastProgress = now;
        console.log(`  CLI: ${k + 1}/${args.cli} inputs, ${stats.runs} runs, ${fmt(now - started)}: ${stats.failures.length} failures, ${stats.overBound.length} over the bound`);
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return stats;
}

function timingLines(stats: Stats): string[] {
  const lines: string[] = [];
  for (const op of ENGINE_OPS) {
    const runs = stats.times[op];
    const ms = runs.map(([t]) => t).sort((a, b) => a - b);
    const total = ms.reduce((a, b) => a + b, 0);
    const big = runs.filter(([, bytes]) => bytes >= 256 * 1024).map(([t, bytes]) => t / (bytes / 1024)).sort((a, b) => a - b);
    lines.push(
      `  ${op.padEnd(10)} ${String(runs.length).padStart(7)} runs: median ${fmt(percentile(ms, 0.5))}, p99 ${fmt(percentile(ms, 0.99))}, max ${fmt(ms[ms.length - 1] ?? 0)}, total ${fmt(total)}` +
        (big.length ? `; inputs >= 256 KiB (${big.length}): median ${percentile(big, 0.5).toFixed(1)} ms/KiB, max ${(big[big.length - 1] ?? 0).toFixed(1)} ms/KiB` : ''),
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const loaded = loadSeeds(REPO);
  if (!loaded.corpus.dir) {
    console.warn(`\n${'!'.repeat(100)}\n!! xlint fuzz: NO CORPUS; looked in ${loaded.corpus.looked.join(', ')}\n!! fuzzing the ${loaded.examples} examples only\n${'!'.repeat(100)}\n`);
    if (loaded.corpus.fromEnv) process.exit(2);
  }
  const seeds = loaded.files;
  if (seeds.length === 0) throw new Error('no seed files (no corpus and no examples/)');

  if (args.replay !== null) {
    // One input, written out, then run like any other (in the worker, killed at its bound).
    const input = generateInput(seeds, args.seed, args.replay);
    const file = join(args.out, `replay-${args.replay}.Dockerfile`);
    writeFileSync(file, input.bytes);
    console.log(`input ${args.replay} of seed ${args.seed}: ${input.bytes.length} bytes from ${input.seed}, ${input.mutations.join(' + ')}, options ${JSON.stringify(OPTION_VARIANTS[input.variant])}\nwritten to ${file}`);
    Object.assign(args, { from: args.replay, count: 1, cli: 0 });
  }
  console.log(`xlint fuzz: seed ${args.seed}, inputs ${args.from}..${args.from + args.count - 1}, ${args.cli} through the CLI; ${loaded.corpus.count} corpus files (${loaded.corpus.dir ?? 'none'}) + ${loaded.examples} examples; output in ${args.out}`);
  const started = performance.now();
  const stats = await runCampaign(args, seeds);
  const engineMs = performance.now() - started;

  // A run over the bound must happen again: re-run each such input alone (another worker, the same
  // watchdog); one that then keeps to its bound was slowed by the machine (a loaded CI box), not by its input.
  const overIndexes = [...new Set(stats.overBound.map((s) => s.index))];
  if (overIndexes.length > 0) console.log(`confirming ${overIndexes.length} input(s) over the bound by running each again...`);
  const unconfirmed: Slow[] = [];
  for (const index of overIndexes) {
    const again = await runCampaign({ ...args, from: index, count: 1 }, seeds);
    if (again.overBound.length === 0) {
      unconfirmed.push(...stats.overBound.filter((s) => s.index === index));
      stats.overBound = stats.overBound.filter((s) => s.index !== index);
      console.log(`  input ${index}: within the bound the second time (${again.times.lint[0]?.[0].toFixed(0)} ms lint): counted as machine noise`);
    }
  }

  const minimized: string[] = [];
  let n = 0;
  for (const crash of stats.crashes.values()) {
    n++;
    const original = decode(generateInput(seeds, args.seed, crash.index).bytes);
    const text = args.minimize && !crash.signature.startsWith('worker died') ? await minimizeInWorker(original, crash.variant, crash.signature, 120_000) : original;
    writeFileSync(join(args.out, `crash-${n}.Dockerfile`), text);
    writeFileSync(
      join(args.out, `crash-${n}.txt`),
      `${crash.signature}\n\n${crash.count} inputs; smallest: input ${crash.index} of seed ${args.seed} (${crash.bytes} bytes, ${crash.mutations.join(' + ')}), ${crash.op}, options ${JSON.stringify(OPTION_VARIANTS[crash.variant])}\nminimized: ${text.length} chars\n\n${crash.stack}\n`,
    );
    minimized.push(`  crash-${n}: ${crash.count} inputs, minimized ${crash.bytes} -> ${text.length} bytes: ${crash.signature}`);
  }

  const cliStarted = performance.now();
  const cli = runCliSample(args, seeds);
  const cliMs = performance.now() - cliStarted;
  const cliTimes = [...cli.times].sort((a, b) => a - b);

  const summary = [
    '',
    `xlint fuzz, seed ${args.seed}: ${stats.inputs} inputs in-process (${(stats.bytes / 1024 / 1024).toFixed(1)} MiB) in ${fmt(engineMs)}`,
    `  crashes: ${stats.crashInputs} inputs, ${stats.crashes.size} distinct`,
    ...minimized,
    `  runs over the bound (2 s + 50 ms/KiB per call): ${stats.overBound.length} (${stats.overBound.filter((s) => s.killed).length} killed by the watchdog)`,
    ...stats.overBound.slice(0, 40).map((s) => `    input ${s.index} ${s.op}: ${s.killed ? 'killed after ' : ''}${fmt(s.ms)} > ${fmt(s.bound)} (${s.bytes} bytes, ${s.mutations.join(' + ')})`),
    `  over the bound once but not when run again (machine load, not counted): ${unconfirmed.length}`,
    ...unconfirmed.map((s) => `    input ${s.index} ${s.op}: ${fmt(s.ms)} > ${fmt(s.bound)}`),
    `  inputs with model errors (left alone by --fix): ${stats.withModelErrors}; inputs the safe fix changed: ${stats.fixChanged}`,
    `  fixes that did not settle (a fix offered that the engine cannot apply): ${stats.notConverged}`,
    ...stats.notConvergedInputs.map((s) => `    ${s}`),
    `  closest to the bound: ${stats.worst ? `input ${stats.worst.index} ${stats.worst.op}, ${fmt(stats.worst.ms)} for ${stats.worst.bytes} bytes (${(stats.worst.ratio * 100).toFixed(1)} % of its bound)` : '-'}`,
    ...timingLines(stats),
    `CLI: ${cli.runs} runs on ${cli.inputs} inputs (file ${cli.byMode.file}, --stdin ${cli.byMode.stdin}, --stdin --fix ${cli.byMode['stdin-fix']}) in ${fmt(cliMs)}; exit codes ${JSON.stringify(cli.exitCodes)}`,
    `  failures (exit code, stack trace, bad JSON, unclear error, --fix output differing from the engine): ${cli.failures.length}`,
    ...cli.failures.slice(0, 20).map((f) => `    input ${f.index} ${f.mode} (${f.bytes} bytes): ${f.problem}`),
    `  runs over the bound: ${cli.overBound.length}; time per run: median ${fmt(percentile(cliTimes, 0.5))}, p99 ${fmt(percentile(cliTimes, 0.99))}, max ${fmt(cliTimes[cliTimes.length - 1] ?? 0)}`,
  ];
  console.log(summary.join('\n'));
  writeFileSync(join(args.out, 'summary.txt'), summary.join('\n') + '\n');
  const bad = stats.crashInputs + stats.overBound.length + cli.failures.length + cli.overBound.length;
  process.exitCode = bad > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((error: Error) => {
    console.error(`xlint fuzz: ${error.stack ?? error}`);
    process.exitCode = 2;
  });
} else {
  workerMain(workerData as Job);
}
