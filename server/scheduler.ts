/**
 * When the server does work nobody asked for: diagnostics pushed once typing pauses (a timer per
 * document, the last edit wins), and memory given back once the server is idle after much work.
 */
import { collectGarbage } from './memory';

/**
 * Runs one job per document after a delay; scheduling it again replaces the pending one. No delay
 * runs it once the messages already received are handled (setImmediate: a zero timeout waits 1 ms).
 */
export class Debouncer {
  /** How to call off each pending job. */
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly run: (uri: string) => void) {}

  schedule(uri: string, delayMs: number): void {
    this.cancel(uri);
    const fire = () => {
      this.pending.delete(uri);
      this.run(uri);
    };
    if (delayMs > 0) {
      const timer = setTimeout(fire, delayMs);
      this.pending.set(uri, () => clearTimeout(timer));
    } else {
      const immediate = setImmediate(fire);
      this.pending.set(uri, () => clearImmediate(immediate));
    }
  }

  cancel(uri: string): void {
    this.pending.get(uri)?.();
    this.pending.delete(uri);
  }

  dispose(): void {
    for (const callOff of this.pending.values()) callOff();
    this.pending.clear();
  }
}

/**
 * After this much work since the last collection (the characters of every text opened, changed or
 * closed, and 64 Ki more per such event: each change is an analysis, and its garbage)...
 */
const COLLECT_AFTER = 16 * 1024 * 1024;
const COLLECT_PER_EVENT = 64 * 1024;
/** ...and this long without a change, the server and its worker collect their garbage... */
const COLLECT_WHEN_IDLE_MS = 1000;
/** ...and, this much later and still idle, collect again, which shrinks the heaps (see noteWork). */
const SHRINK_WHEN_IDLE_MS = 5500;

/**
 * After much work (a huge document, many documents, a long session of edits), once idle for a
 * second: collect the garbage, in this thread and the worker (after the jobs queued before).
 * Still idle five seconds later: collect once more. V8 shrinks its young generation (grown to
 * 32 MB under load) only in a collection that sees a low allocation rate over the last five
 * seconds; without this pass the server stayed ~24 MB larger after a burst than before it.
 * Any new work puts both off; the work is counted until the second pass is done.
 */
export class IdleCollector {
  private work = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Collects in the analysis worker, `times` times (as memory.ts does here). */
    private readonly collectWorker: (times: number) => void,
    private readonly log: (message: string) => void,
  ) {}

  noteWork(chars: number): void {
    this.work += chars + COLLECT_PER_EVENT;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.work < COLLECT_AFTER) return;
    this.timer = setTimeout(() => {
      const before = process.memoryUsage.rss();
      this.collectWorker(2);
      const collected = collectGarbage(2);
      this.log(`idle after ${mib(this.work)} MiB of work: garbage collected${collected ? '' : ' (by the worker only)'}, RSS ${mib(before)} → ${mib(process.memoryUsage.rss())} MiB`);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.work = 0;
        const before = process.memoryUsage.rss();
        this.collectWorker(1);
        collectGarbage(1);
        this.log(`still idle: heaps shrunk, RSS ${mib(before)} → ${mib(process.memoryUsage.rss())} MiB`);
      }, SHRINK_WHEN_IDLE_MS);
      this.timer.unref();
    }, COLLECT_WHEN_IDLE_MS);
    this.timer.unref();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}

/** The promise's outcome, or `late()`'s (its value, or what it throws) if the promise takes longer than `ms`. */
export function within<T, L>(promise: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  return new Promise<T | L>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
