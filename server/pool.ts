/**
 * Runs analyses off the server thread, one at a time, each within a time budget. The engine is
 * synchronous and cannot be interrupted from inside, so the analysis runs in a worker thread:
 * past its budget the worker is terminated (the job answers "timeout") and a fresh one takes the
 * next job; the connection, hovers and every other document are never blocked by it. A job that a
 * newer one supersedes (a newer text of the same document) is dropped while it waits, and stopped
 * if it has already run for a while. Without a usable worker (it cannot start) jobs run in-process,
 * unbounded, and the server says so in its log.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { runJob, type JobKind, type JobMessage, type JobRequest, type JobValues, type WorkerMessage } from './worker';

export type JobResult<T> =
  | { status: 'done'; value: T; ms: number }
  /** The engine threw (a bug, or input it cannot handle: a stack overflow). */
  | { status: 'failed'; name: string; message: string; stack?: string }
  /** Stopped at its budget. */
  | { status: 'timeout'; ms: number }
  /** Superseded by a newer job for the same key, or the pool was closed. */
  | { status: 'cancelled' }
  /** The worker died under it (out of memory, ...). */
  | { status: 'crashed'; message: string };

/** 0: someone waits for it (a request); 1: normal; 2: its document ran out of time before. */
export type Priority = 0 | 1 | 2;

export interface Ticket<T> {
  promise: Promise<JobResult<T>>;
  /** Someone is waiting for this job: run it before the others (no effect once it runs). */
  prioritize(): void;
}

export interface PoolOptions {
  /** The script the worker runs (the server bundle); null runs jobs in-process. */
  script: string | null;
  /** The data the worker script is started with, to know it is the analysis worker. */
  workerData?: unknown;
  budgetMs(request: JobRequest): number;
  /** A superseded job that has run this long is stopped rather than finished. */
  staleKillMs: number;
  log(message: string): void;
  resourceLimits?: ResourceLimits;
}

interface Job {
  id: number;
  request: JobRequest;
  key: string | undefined;
  priority: Priority;
  resolve(result: JobResult<unknown>): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
}

interface Running {
  job: Job;
  thread: Thread | null;
  startedAt: number;
  timers: NodeJS.Timeout[];
  /** Superseded: it is stopped once it has run `staleKillMs`. */
  stale: boolean;
}

/** Worker starts that fail in a row before the pool gives up on workers. */
const MAX_FAILED_STARTS = 3;

export class AnalysisPool {
  private readonly queue: Job[] = [];
  private running: Running | null = null;
  private thread: Thread | null = null;
  private failedStarts = 0;
  private inProcess: boolean;
  private disposed = false;
  private nextId = 1;
  /** What the pool has done, for the log and the tests. */
  readonly counts = { jobs: 0, timeouts: 0, cancelled: 0, killed: 0, crashes: 0, workers: 0 };

  private started = false;
  private markStarted!: () => void;
  /** Resolves once the first worker is ready (or the pool runs jobs in-process). */
  readonly firstReady = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(private readonly options: PoolOptions) {
    this.inProcess = options.script === null;
    if (this.inProcess) this.setStarted();
  }

  /** Whether a worker has been ready once (the pool is past its cold start). */
  get isStarted(): boolean {
    return this.started;
  }

  private setStarted(): void {
    this.started = true;
    this.markStarted();
  }

  /** Starts the worker ahead of the first job (it takes ~100–200 ms to boot). */
  warm(): void {
    if (!this.inProcess && !this.thread && !this.disposed) this.spawn();
  }

  /**
   * Queues a job. With a `key`, the job supersedes the earlier ones with that key: those still
   * waiting answer "cancelled" at once, a running one is stopped if it has run `staleKillMs`.
   */
  submit<K extends JobKind>(request: JobRequest & { kind: K }, options: { key?: string; priority?: Priority } = {}): Ticket<JobValues[K]> {
    let resolve!: (result: JobResult<unknown>) => void;
    const promise = new Promise<JobResult<unknown>>((r) => (resolve = r));
    const job: Job = { id: this.nextId++, request, key: options.key, priority: options.priority ?? 1, resolve };
    if (this.disposed) {
      resolve({ status: 'cancelled' });
      return { promise: promise as Promise<JobResult<JobValues[K]>>, prioritize() {} };
    }
    if (job.key !== undefined) this.supersede(job.key);
    this.counts.jobs++;
    this.queue.push(job);
    this.pump();
    return {
      promise: promise as Promise<JobResult<JobValues[K]>>,
      prioritize: () => {
        job.priority = 0;
      },
    };
  }

  /** Drops the jobs with this key: waiting ones at once, a running one once it has run `staleKillMs`. */
  cancel(key: string): void {
    this.supersede(key);
  }

  /** Asks the worker to give back the memory it no longer uses (when it is idle: it runs after the jobs). */
  collectGarbage(times: number): void {
    if (this.thread?.ready) this.thread.worker.postMessage({ collectGarbage: times });
  }

  /** Tells the worker a document is closed: what it keeps for the document's next analysis goes. */
  forget(uri: string): void {
    if (this.thread?.ready) this.thread.worker.postMessage({ forget: uri });
  }

  dispose(): void {
    this.disposed = true;
    if (!this.started) this.setStarted();
    for (const job of this.queue.splice(0)) job.resolve({ status: 'cancelled' });
    if (this.running) this.finish(this.running, { status: 'cancelled' });
    if (this.thread) this.stop(this.thread);
  }

  private supersede(key: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].key !== key) continue;
      const [job] = this.queue.splice(i, 1);
      this.counts.cancelled++;
      job.resolve({ status: 'cancelled' });
    }
    const running = this.running;
    if (running?.job.key !== key || !running.thread || running.stale) return;
    running.stale = true;
    const delay = Math.max(0, this.options.staleKillMs - (performance.now() - running.startedAt));
    running.timers.push(
      setTimeout(() => {
        if (this.running !== running) return;
        this.options.log(`stopped a superseded analysis of ${running.job.request.uri} after ${Math.round(performance.now() - running.startedAt)} ms`);
        this.counts.killed++;
        this.stop(running.thread!);
        this.finish(running, { status: 'cancelled' });
      }, delay),
    );
  }

  private pump(): void {
    if (this.running || this.disposed || this.queue.length === 0) return;
    if (!this.inProcess) {
      if (!this.thread) this.spawn();
      if (!this.thread?.ready) return; // its "ready" message pumps again
    }
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) if (this.queue[i].priority < this.queue[best].priority) best = i;
    const [job] = this.queue.splice(best, 1);
    const running: Running = { job, thread: this.inProcess ? null : this.thread, startedAt: performance.now(), timers: [], stale: false };
    this.running = running;
    if (!running.thread) {
      // No worker: run it on this thread, after the messages already received.
      setImmediate(() => {
        if (this.running !== running) return;
        let result: JobResult<unknown>;
        try {
          result = { status: 'done', value: runJob(job.request), ms: performance.now() - running.startedAt };
        } catch (error) {
          result = failure(error);
        }
        this.finish(running, result);
      });
      return;
    }
    const thread = running.thread;
    const budget = this.options.budgetMs(job.request);
    running.timers.push(
      setTimeout(() => {
        if (this.running !== running) return;
        this.counts.timeouts++;
        this.options.log(`stopped the analysis of ${job.request.uri} (${job.request.kind}) at its budget of ${budget} ms`);
        this.stop(thread);
        this.finish(running, { status: 'timeout', ms: budget });
      }, budget),
    );
    thread.worker.postMessage({ id: job.id, ...job.request } satisfies JobMessage);
  }

  private finish(running: Running, result: JobResult<unknown>): void {
    for (const timer of running.timers) clearTimeout(timer);
    if (this.running === running) this.running = null;
    running.job.resolve(result);
    this.pump();
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.options.script!, {
        workerData: this.options.workerData,
        resourceLimits: this.options.resourceLimits,
        // Never the server's stdout: over stdio that is the protocol stream.
        stdout: true,
        stderr: true,
      });
    } catch (error) {
      this.giveUp(`cannot start the analysis worker (${(error as Error).message})`);
      return;
    }
    this.counts.workers++;
    worker.unref();
    const thread: Thread = { worker, ready: false };
    this.thread = thread;
    const relay = (chunk: Buffer) => this.options.log(`analysis worker: ${String(chunk).trimEnd()}`);
    worker.stdout.on('data', relay);
    worker.stderr.on('data', relay);
    worker.on('message', (message: WorkerMessage) => this.onMessage(thread, message));
    worker.on('error', (error) => this.onExit(thread, `${error.name}: ${error.message}`));
    worker.on('exit', (code) => this.onExit(thread, `exited with code ${code}`));
  }

  private onMessage(thread: Thread, message: WorkerMessage): void {
    if (this.thread !== thread) return; // a worker already stopped
    if ('ready' in message) {
      thread.ready = true;
      this.failedStarts = 0;
      if (!this.started) this.setStarted();
      this.pump();
      return;
    }
    const running = this.running;
    if (!running || running.thread !== thread || running.job.id !== message.id) return;
    const ms = performance.now() - running.startedAt;
    this.finish(running, 'error' in message ? { status: 'failed', ...message.error } : { status: 'done', value: message.value, ms });
  }

  private onExit(thread: Thread, why: string): void {
    if (this.thread !== thread) return; // stopped on purpose, or already handled ('error' then 'exit')
    this.thread = null;
    this.counts.crashes++;
    this.options.log(`the analysis worker stopped: ${why}`);
    if (!thread.ready && ++this.failedStarts >= MAX_FAILED_STARTS) this.giveUp(`the analysis worker does not start (${why})`);
    const running = this.running;
    if (running && running.thread === thread) this.finish(running, { status: 'crashed', message: why });
    else this.pump();
  }

  private giveUp(why: string): void {
    this.inProcess = true;
    if (!this.started) this.setStarted();
    this.options.log(`${why}: analysing on the server thread from now on, without a time budget`);
    this.pump();
  }

  private stop(thread: Thread): void {
    if (this.thread === thread) this.thread = null;
    void thread.worker.terminate().catch(() => undefined);
  }
}

function failure(error: unknown): JobResult<never> {
  const e = error instanceof Error ? error : new Error(String(error));
  return { status: 'failed', name: e.name, message: e.message, stack: e.stack };
}
