/**
 * A real LSP client: Debian's Neovim (0.7, headless) runs test/e2e/neovim.lua against
 * `xlint lsp --stdio`: it receives the diagnostics of a Dockerfile, requests a code action,
 * applies it, saves, and the diagnostic clears.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithParts, EDITOR_FIXTURE as DOCKERFILE, onPath, ROOT } from './real-parts';

const CLI = join(ROOT, 'dist', 'xlint.js');

describeWithParts('neovim (real LSP client)', onPath('nvim') ? [] : ['nvim (apt-get install neovim)'], () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xlint-nvim-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the diagnostic, applies the quick fix, and the diagnostic clears', async () => {
    const file = join(dir, 'Dockerfile');
    const resultPath = join(dir, 'result.json');
    writeFileSync(file, DOCKERFILE);
    const started = Date.now();
    const child = spawn('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-c', `luafile ${join(__dirname, 'neovim.lua')}`], {
      env: { ...process.env, XLINT_CLI: CLI, XLINT_FILE: file, XLINT_RESULT: resultPath, HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    let result: { steps: string[]; error?: string; before?: { code: string; lnum: number; col: number }[]; actions?: { title: string; isPreferred: boolean }[]; applied?: string };
    try {
      result = JSON.parse(readFileSync(resultPath, 'utf8'));
    } catch {
      throw new Error(`nvim exited with ${code} and wrote no result (did the script fail to load?):\n${output}`);
    }
    expect(result.error, `steps reached: ${result.steps.join(' → ')}\n${output}`).toBeUndefined();
    expect(result.steps).toEqual(['attached', 'diagnostics', 'code actions', 'applied', 'cleared']);
    expect(result.before).toEqual([expect.objectContaining({ code: 'undeclared-platform-arg', lnum: 4, col: DOCKERFILE.split('\n')[4].indexOf('$TARGETARCH') })]);
    expect(result.actions!.map((a) => a.title)).toContain('Ignore undeclared-platform-arg here');
    expect(readFileSync(file, 'utf8')).toContain('ARG TARGETOS TARGETARCH\n');
    console.log(`neovim e2e: ${Date.now() - started} ms (applied "${result.applied}")`);
  }, 60_000);
});
