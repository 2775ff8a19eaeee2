/**
 * Lint workers for large trees. Each worker thread loads the CLI bundle once and runs the loop below
 * (the bundle exports it) on batches of files the main thread read; the main thread keeps the order,
 * the cache, the writes and the report.
 *
 * Off by default: on the 2-core machine this was built on, workers cost more CPU than they save
 * (bench/run.mjs, "parallel": each loads and warms up its own copy of the engine, and every text and
 * finding is copied between threads), so one thread was faster at 100, 1,000 and 10,000 files.
 * `XLINT_WORKERS=N` asks for N workers where more cores are free.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { analyse, type Analysis, type AnalysisRequest } from './analyse';

/** Files per message: large enough that messaging is noise, small enough to balance the workers. */
const BATCH = 32;
const MAX_WORKERS = 8;

/** How many workers a run of `files` analyses should use (0: analyse on this thread). */
export function workersFor(files: number): number {
  const asked = process.env.XLINT_WORKERS;
  // Workers load the bundle this code runs from; from sources (tests of the engine) there is none.
  if (asked === undefined || !/^\d+$/.test(asked) || !__filename.endsWith('.js')) return 0;
  return Math.min(Number(asked), MAX_WORKERS, Math.ceil(files / BATCH));
}

type Reply = { id: number; results: Analysis[] } | { id: number; error: string };

export class LintWorkers {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;
  /** Workers not failed: when none is left, batches run on this thread. */
  private live: number;

  constructor(count: number) {
    // Started by code, not by the bundle's path: the bundle has no side effects when loaded, so a
    // command run never loads node:worker_threads to ask whether it is a worker.
    const entry = `require(${JSON.stringify(__filename)}).startLintWorker()`;
    for (let i = 0; i < count; i++) this.idle.push(new Worker(entry, { eval: true }));
    this.live = count;
  }

  /** Analyses every request, in order; a batch whose worker failed is analysed on this thread. */
  async run(requests: AnalysisRequest[]): Promise<Analysis[]> {
    const results: Analysis[] = new Array(requests.length);
    const batches: Promise<void>[] = [];
    for (let start = 0; start < requests.length; start += BATCH) {
      const batch = requests.slice(start, start + BATCH);
      batches.push(
        this.analyseBatch(batch).then((analyses) => {
          for (let i = 0; i < analyses.length; i++) results[start + i] = analyses[i];
        }),
      );
    }
    await Promise.all(batches);
    return results;
  }

  close(): void {
    for (const worker of this.idle) void worker.terminate();
    this.idle.length = 0;
  }

  private async analyseBatch(batch: AnalysisRequest[]): Promise<Analysis[]> {
    const worker = await this.take();
    if (!worker) return batch.map(analyse);
    const id = this.nextId++;
    try {
      const analyses = await new Promise<Analysis[]>((resolve, reject) => {
        const onMessage = (reply: Reply) => {
          if (reply.id !== id) return;
          cleanup();
          if ('error' in reply) reject(new Error(reply.error));
          else resolve(reply.results);
        };
        const onError = (error: Error) => {
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage({ id, requests: batch });
      });
      this.give(worker);
      return analyses;
    } catch (error) {
      // A worker that failed is not given back; its batch runs here (an engine error there is one here too, reported as such).
      process.stderr.write(`xlint: warning: a lint worker failed (${(error as Error).message.split('\n')[0]}); its files are analysed on the main thread\n`);
      void worker.terminate();
      this.give(null);
      return batch.map(analyse);
    }
  }

  private take(): Promise<Worker | null> {
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    if (this.live === 0) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(() => resolve(this.idle.pop() ?? null)));
  }

  private give(worker: Worker | null): void {
    if (worker) this.idle.push(worker);
    else this.live--;
    this.waiting.shift()?.();
  }
}

/** The loop of a lint worker thread. */
export function startLintWorker(): void {
  parentPort!.on('message', ({ id, requests }: { id: number; requests: AnalysisRequest[] }) => {
    try {
      parentPort!.postMessage({ id, results: requests.map(analyse) });
    } catch (error) {
      parentPort!.postMessage({ id, error: (error as Error).stack ?? String(error) });
    }
  });
}
