/**
 * End-to-end suites need real programs (neovim, code-server, chromium). They never skip quietly:
 * with XLINT_E2E=1 (CI) a missing part fails the suite; without it the suite is skipped with a
 * loud warning that names what is missing and how to install it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export const ROOT = join(__dirname, '..', '..');
export const EDITORS_PREFIX = process.env.XLINT_EDITORS_PREFIX ?? join(ROOT, '.tmp', 'editors');
export const REQUIRED = process.env.XLINT_E2E === '1';

/** What the editor suites open: one fixable finding (undeclared-platform-arg: `$TARGETARCH`). */
export const EDITOR_FIXTURE = [
  'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'ARG TARGETOS',
  'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
  '',
  'FROM alpine:3.20',
  'COPY --from=build /out/app /app',
  '',
].join('\n');

export function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function inPrefix(relative: string): string | null {
  const path = join(EDITORS_PREFIX, relative);
  return existsSync(path) ? path : null;
}

/** `describe` when every part is there; otherwise a failing (XLINT_E2E=1) or loudly skipped suite. */
export function describeWithParts(name: string, missing: string[], body: () => void): void {
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const message = `${name}: missing ${missing.join(', ')} — 'npm run test:all' installs every real part`;
  if (REQUIRED) {
    describe(name, () => {
      it('has its real parts installed (XLINT_E2E=1)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED END-TO-END SUITE ${message}\n!! (set XLINT_E2E=1 to make this a failure)\n${'!'.repeat(100)}\n`);
  describe.skip(`${name} (SKIPPED: missing ${missing.join(', ')})`, body);
}
