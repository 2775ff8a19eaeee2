import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../builder/display';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, write: (t: string) => (writes.push(t), true) } };
}
const step = (id: string, name: string) => ({ id, name, startedMs: 0, completedMs: null, seconds: null, cached: false, error: null });

describe('the progress display', () => {
  it('writes one line per Dockerfile step when stderr is not a terminal', () => {
    const { writes, stream: s } = stream(false);
    const d = new ProgressDisplay({ stream: s });
    d.onPlatformStart('linux/arm64');
    d.onStep('linux/arm64', step('1', '[internal] load build definition from Dockerfile'));
    d.onStep('linux/arm64', step('5', '[build 3/4] RUN go build .'));
    d.onStep('linux/arm64', step('5', '[build 3/4] RUN go build .'));
    d.onPlatformEnd('linux/arm64', true, 12_345);
    d.close();
    expect(writes.join('')).toBe('xlint verify: linux/arm64: building\nxlint verify: linux/arm64: [build 3/4] RUN go build .\nxlint verify: linux/arm64: built in 12.3s\n');
  });

  it('redraws one line per platform on a terminal, and routes buildx steps by their platform', () => {
    const { writes, stream: s } = stream(true);
    const d = new ProgressDisplay({ stream: s, label: 'fixed' });
    d.onPlatformStart('linux/amd64');
    d.onPlatformStart('linux/arm64');
    d.onStep(null, step('a', '[linux/arm64 build 3/4] RUN make'));
    d.onPlatformEnd('linux/amd64', true, 1000);
    d.close();
    const last = writes.at(-1)!;
    expect(last.startsWith('\x1b[2A')).toBe(true);
    expect(last).toContain('✓ fixed linux/amd64    1.0s  done');
    expect(last).toMatch(/fixed linux\/arm64 +[\d.]+s  \[linux\/arm64 build 3\/4\] RUN make/);
  });

  it('is silent with --quiet', () => {
    const { writes, stream: s } = stream(true);
    const d = new ProgressDisplay({ stream: s, quiet: true });
    d.onPlatformStart('linux/amd64');
    d.onPlatformEnd('linux/amd64', true, 1);
    d.close();
    expect(writes).toEqual([]);
  });
});
