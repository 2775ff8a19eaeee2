/** Spawning the docker CLI: line-by-line output, stdin text, a bounded tail kept for error messages. */
import { spawn } from 'node:child_process';

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
  timeoutMs?: number;
  /** How many stderr lines to keep. */
  tail?: number;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const tailSize = options.tail ?? 60;
    const tail: string[] = [];
    let stdout = '';
    let partial = '';
    let settled = false;
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs) : null;
    const line = (text: string) => {
      tail.push(text);
      if (tail.length > tailSize) tail.shift();
      options.onStderrLine?.(text);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 4 * 1024 * 1024) stdout += chunk;
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
      resolve(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => finish({ code: 127, stdout, stderrTail: tail, spawnError: `${command}: ${error.code === 'ENOENT' ? 'not found' : error.message}` }));
    child.on('close', (code, signal) => {
      if (partial) line(partial);
      finish({ code: code ?? (signal ? 128 : 1), stdout, stderrTail: tail, spawnError: null });
    });
    child.stdin.on('error', () => {
      // the program exited before reading its input; its exit code tells why
    });
    child.stdin.end(options.input ?? '');
  });
}
