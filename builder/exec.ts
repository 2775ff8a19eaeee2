/** Spawning the docker CLI: line-by-line output, stdin text, a bounded tail kept for error messages. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  /** The last lines of stderr. */
  stderrTail: string[];
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError: string | null;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Each stderr line as it arrives (BuildKit writes progress there). */
  onStderrLine?: (line: string) => void;
  /** Past this the whole process group is killed: docker and anything it started. */
  timeoutMs?: number;
  /** How many stderr lines to keep. */
  tail?: number;
}

/** The exit code of a run that timed out (as timeout(1) reports it). */
export const TIMED_OUT = 124;
/** How long to wait for the pipes after killing the group (a child that left the group may hold them). */
const PIPE_GRACE_MS = 2_000;
/** stdout kept for parsing; a probe's answer is a few KiB. */
const MAX_STDOUT_CHARS = 4 * 1024 * 1024;

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const tailSize = options.tail ?? 60;
    const tail: string[] = [];
    let stdout = '';
    let partial = '';
    let settled = false;
    // Argument arrays only, never a shell: nothing in a Dockerfile, a config or an argument is parsed
    // as a command line. A timed run gets a process group of its own, so the timeout can kill all of it.
    const detached = options.timeoutMs !== undefined;
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached, shell: false });
    if (detached) groups.track(child);
    let guard: NodeJS.Timeout | null = null;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          line(`timed out after ${Math.round(options.timeoutMs! / 1000)} s; killed ${command} and every process it started`);
          killGroup(child, 'SIGKILL');
          guard = setTimeout(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            finish({ code: TIMED_OUT, stdout, stderrTail: tail, spawnError: null });
          }, PIPE_GRACE_MS);
        }, options.timeoutMs)
      : null;
    const line = (text: string) => {
      tail.push(text);
      if (tail.length > tailSize) tail.shift();
      options.onStderrLine?.(text);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_STDOUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl >= 0) {
        line(partial.slice(0, nl).replace(/\r$/, ''));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
    });
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (guard) clearTimeout(guard);
      groups.forget(child);
      resolve(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => finish({ code: 127, stdout, stderrTail: tail, spawnError: `${command}: ${error.code === 'ENOENT' ? 'not found' : error.message}` }));
    child.on('close', (code, signal) => {
      if (partial) line(partial);
      finish({ code: guard ? TIMED_OUT : (code ?? (signal ? 128 : 1)), stdout, stderrTail: tail, spawnError: null });
    });
    child.stdin.on('error', () => {
      // the program exited before reading its input; its exit code tells why
    });
    child.stdin.end(options.input ?? '');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Detached children are outside the terminal's process group, so Ctrl-C does not reach them:
 * while any runs, a termination signal to xlint is passed on to their groups, then xlint dies of
 * it as it would have.
 */
const groups = new (class {
  private readonly live = new Set<ChildProcess>();
  private readonly signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  private readonly onSignal = (signal: NodeJS.Signals) => {
    for (const child of this.live) killGroup(child, signal);
    this.unlisten();
    process.kill(process.pid, signal);
  };

  track(child: ChildProcess): void {
    if (this.live.size === 0) for (const s of this.signals) process.on(s, this.onSignal);
    this.live.add(child);
  }

  forget(child: ChildProcess): void {
    if (this.live.delete(child) && this.live.size === 0) this.unlisten();
  }

  private unlisten(): void {
    for (const s of this.signals) process.off(s, this.onSignal);
  }
})();
