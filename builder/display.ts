/**
 * The progress display on stderr while building: on a terminal, one live line per platform
 * (elapsed time and the step it is on); otherwise a line per started step, so CI logs stay short.
 */
import type { BuildEvents } from './driver';
import { parseStepName, type Step } from './progress';

export interface DisplayOptions {
  stream: NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean; columns?: number };
  /** Prefix for every line, e.g. `original` / `fixed` in `--compare`. */
  label?: string;
  quiet?: boolean;
}

interface Row {
  platform: string;
  started: number;
  ended: number | null;
  ok: boolean | null;
  current: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class ProgressDisplay implements BuildEvents {
  private readonly rows: Row[] = [];
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;
  private readonly seen = new Set<string>();
  private closed = false;

  constructor(private readonly options: DisplayOptions) {
    this.tty = !!options.stream.isTTY && !options.quiet;
  }

  private prefix(): string {
    return this.options.label ? `${this.options.label} ` : '';
  }

  onPlatformStart(platform: string): void {
    this.rows.push({ platform, started: Date.now(), ended: null, ok: null, current: 'starting' });
    if (this.options.quiet) return;
    if (this.tty) {
      this.timer ??= setInterval(() => this.draw(), 120);
      this.timer.unref?.();
      this.draw();
    } else this.options.stream.write(`xlint verify: ${this.prefix()}${platform}: building\n`);
  }

  onStep(platform: string | null, step: Step): void {
    const name = parseStepName(step.name);
    const stepPlatform = platform ?? name?.crossTo ?? name?.platform ?? null;
    const rows = stepPlatform ? this.rows.filter((r) => r.platform === stepPlatform) : this.rows.filter((r) => r.ended === null);
    const text = step.name.replace(/\s+/g, ' ');
    for (const row of rows) if (row.ended === null) row.current = text;
    if (this.options.quiet || this.tty) return;
    const key = `${platform ?? ''} ${step.id}`;
    if (!name || this.seen.has(key)) return;
    this.seen.add(key);
    this.options.stream.write(`xlint verify: ${this.prefix()}${platform ? `${platform}: ` : ''}${text.length > 120 ? text.slice(0, 117) + '...' : text}\n`);
  }

  onPlatformEnd(platform: string, ok: boolean, durationMs: number | null): void {
    const row = this.rows.find((r) => r.platform === platform && r.ended === null);
    if (row) {
      row.ended = Date.now();
      row.ok = ok;
      if (durationMs !== null) row.started = row.ended - durationMs;
    }
    if (this.options.quiet) return;
    if (this.tty) this.draw();
    else this.options.stream.write(`xlint verify: ${this.prefix()}${platform}: ${ok ? 'built' : 'FAILED'} in ${((durationMs ?? 0) / 1000).toFixed(1)}s\n`);
  }

  /** Stops the live display, leaving the final lines. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.tty && this.rows.length > 0) this.draw();
  }

  private draw(): void {
    const width = Math.max(40, (this.options.stream.columns || 100) - 1);
    this.frame = (this.frame + 1) % FRAMES.length;
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const row of this.rows) {
      const elapsed = (((row.ended ?? Date.now()) - row.started) / 1000).toFixed(1).padStart(6);
      const mark = row.ok === null ? FRAMES[this.frame] : row.ok ? '✓' : '✗';
      const detail = row.ok === null ? row.current : row.ok ? 'done' : 'failed';
      out += `\x1b[2K${`${mark} ${this.prefix()}${row.platform} ${elapsed}s  ${detail}`.slice(0, width)}\n`;
    }
    this.drawn = this.rows.length;
    this.options.stream.write(out);
  }
}
