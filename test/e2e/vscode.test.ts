/**
 * A real VS Code: the packaged .vsix installed into code-server, driven in headless Debian Chromium
 * with playwright-core, as a person would: open the Dockerfile from the Explorer, see xlint's
 * finding in the Problems panel, apply the quick fix, save, and the file on disk is rewritten; run
 * "xlint: Show build graph" from the command palette and read the stages in its webview; and, with
 * a stand-in for Docker DX (its extension id, `docker.docker`, reporting BuildKit's
 * FromPlatformFlagConstDisallowed as Docker DX does) installed, see that finding once, not twice.
 * Screenshots go to test-artifacts/. Everything it starts, it stops.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lint } from '../../core/lint';
import { rules } from '../../rules/index';
import { describeWithParts, EDITOR_FIXTURE as DOCKERFILE, inPrefix, ROOT } from './real-parts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SETTINGS = { buildPlatform: 'linux/amd64', platforms: ['linux/amd64', 'linux/arm64'] };
/**
 * A second Dockerfile: constant-platform (which mirrors BuildKit's FromPlatformFlagConstDisallowed,
 * reported by the Docker DX stand-in too) and undeclared-platform-arg (no BuildKit check: shell-form RUN).
 */
const DX_DOCKERFILE = [
  'FROM --platform=linux/amd64 golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /out/app .',
  '',
  'FROM alpine:3.20 AS final',
  'COPY --from=build /out/app /app',
  '',
].join('\n');
/** What Docker DX says for FromPlatformFlagConstDisallowed (BuildKit's message). */
const DX_MESSAGE = 'FROM --platform flag should not use a constant value';

const codeServer = inPrefix('node_modules/code-server/out/node/entry.js');
const playwrightCore = inPrefix('node_modules/playwright-core');
let chromiumPresent = false;
try {
  chromiumPresent = readFileSync(CHROMIUM).length > 0;
} catch {
  chromiumPresent = false;
}
const missing = [
  ...(codeServer ? [] : ['code-server (npm, in .tmp/editors)']),
  ...(playwrightCore ? [] : ['playwright-core (npm, in .tmp/editors)']),
  ...(chromiumPresent ? [] : ['chromium (apt-get install chromium)']),
];

/* eslint-disable @typescript-eslint/no-explicit-any -- playwright-core lives outside the project's dependencies. */
type Page = any;
type Browser = any;

describeWithParts('VS Code (code-server + Chromium)', missing, () => {
  let work = '';
  let workspace = '';
  let dockerfile = '';
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let serverLog = '';
  let url = '';
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await run();
    } finally {
      timings[name] = Date.now() - started;
    }
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xlint-vscode-'));
    workspace = join(work, 'project');
    dockerfile = join(workspace, 'Dockerfile');
    const userData = join(work, 'user-data');
    const extensions = join(work, 'extensions');
    mkdirSync(workspace, { recursive: true });
    mkdirSync(join(userData, 'User'), { recursive: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(dockerfile, DOCKERFILE);
    writeFileSync(join(workspace, 'Dockerfile.dx'), DX_DOCKERFILE);
    writeFileSync(
      join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.ignoreRecommendations': true,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'window.commandCenter': false,
        'chat.commandCenter.enabled': false,
        'xlint.platforms': SETTINGS.platforms,
        'xlint.buildPlatform': SETTINGS.buildPlatform,
      }),
    );
    const vsix = await time('package .vsix', async () => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-vsix.mjs')], { cwd: ROOT, stdio: 'pipe' });
      return join(ROOT, 'dist-vsix', readdirSync(join(ROOT, 'dist-vsix')).find((f) => /^xlint-.*\.vsix$/.test(f))!);
    });
    const base = [codeServer!, '--config', join(work, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
    await time('install .vsix', async () => {
      const out = execFileSync(process.execPath, [...base, '--install-extension', vsix, '--force'], { encoding: 'utf8', stdio: 'pipe' });
      expect(out).toMatch(/successfully installed/i);
    });
    await time('install Docker DX stand-in', async () => {
      const out = execFileSync(process.execPath, [...base, '--install-extension', packDockerDXStandIn(work), '--force'], { encoding: 'utf8', stdio: 'pipe' });
      expect(out).toMatch(/successfully installed/i);
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    server = spawn(
      process.execPath,
      [...base, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: work } },
    );
    server.stdout!.on('data', (chunk) => (serverLog += chunk));
    server.stderr!.on('data', (chunk) => (serverLog += chunk));
    await time('code-server up', () => poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false)) || undefined, 60_000, 'code-server to listen'));
    const { chromium } = require(playwrightCore!) as { chromium: { launch(options: object): Promise<Browser> } };
    browser = await time('chromium up', () =>
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          server!.kill('SIGKILL');
          resolve(undefined);
        }, 5000);
        server!.on('exit', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    console.log(`VS Code e2e timings (ms): ${JSON.stringify(timings)}`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows the finding in the Problems panel; the quick fix rewrites the file on disk', async () => {
    const [expected] = lint(DOCKERFILE, { rules, ...SETTINGS, targetPlatforms: SETTINGS.platforms }).diagnostics;
    expect(expected.ruleId).toBe('undeclared-platform-arg');
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await time('workbench', async () => {
        await page.goto(url);
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      });
      await time('open from Explorer', () => openFromExplorer(page, /^Dockerfile$/));
      const markers = page.locator('.markers-panel');
      await time('Problems shows the finding', async () => {
        await showProblems(page);
        await markers.locator('.monaco-list-row', { hasText: expected.ruleId }).waitFor({ timeout: 60_000 });
      });
      const row = markers.locator('.monaco-list-row', { hasText: 'TARGETARCH' }).first();
      expect(await row.textContent()).toContain(expected.message.slice(0, 40));
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-problems.png') });

      await time('apply quick fix', async () => {
        await row.dblclick(); // the editor, focused, with the finding selected
        await page.locator('.monaco-editor.focused').waitFor({ timeout: 30_000 });
        // Under load the editor can take Ctrl+. before the selection reaches the finding and answer
        // "no code actions"; it never asks again by itself, so close the widget and ask again.
        const item = page.locator('.action-widget .monaco-list-row', { hasText: expected.fix!.title });
        let asked = 0;
        await poll(
          async () => {
            if (asked++ > 0) await page.keyboard.press('Escape');
            await page.keyboard.press('Control+.');
            return (await item.first().waitFor({ timeout: 7_500 }).then(() => true).catch(() => false)) || undefined;
          },
          45_000,
          `the quick fix "${expected.fix!.title}" in the Ctrl+. menu`,
        );
        await page.screenshot({ path: join(ARTIFACTS, 'vscode-quickfix.png') });
        // The menu takes keys (a pointer block covers it while it settles): walk to the fix, press Enter.
        const titles: string[] = await page.locator('.action-widget .monaco-list-row').allTextContents();
        const index = titles.findIndex((t) => t.includes(expected.fix!.title));
        const focused: string = (await page.locator('.action-widget .monaco-list-row.focused').textContent()) ?? '';
        const from = titles.findIndex((t) => t === focused);
        for (let i = from; i < index; i++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.locator('.monaco-editor .view-lines', { hasText: 'ARG TARGETOS TARGETARCH' }).waitFor({ timeout: 30_000 });
        await page.keyboard.press('Control+S');
        await poll(async () => readFileSync(dockerfile, 'utf8').includes('ARG TARGETOS TARGETARCH\n') || undefined, 30_000, 'the fixed file on disk');
      });
      await time('Problems clears', () => markers.locator('.monaco-list-row', { hasText: expected.ruleId }).waitFor({ state: 'detached', timeout: 30_000 }));
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-fixed.png') });
      expect(readFileSync(dockerfile, 'utf8')).toBe(DOCKERFILE.replace('ARG TARGETOS\n', 'ARG TARGETOS TARGETARCH\n'));
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-failure.png') }).catch(() => undefined);
      throw new Error(`${(error as Error).message}\n--- code-server log (tail) ---\n${serverLog.slice(-4000)}`);
    } finally {
      await page.close().catch(() => undefined);
    }
  }, 240_000);

  it('next to Docker DX (a stand-in with its id), a finding of a mirrored BuildKit check shows once; "Show build graph" draws every stage', async () => {
    const expected = lint(DX_DOCKERFILE, { rules, ...SETTINGS, targetPlatforms: SETTINGS.platforms }).diagnostics.map((d) => d.ruleId);
    expect(expected).toContain('constant-platform');
    expect(expected).toContain('undeclared-platform-arg');
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await time('open Dockerfile.dx', () => openFromExplorer(page, /^Dockerfile\.dx$/));
      const markers = page.locator('.markers-panel');
      await time('Problems: xlint and the stand-in, once each', async () => {
        await showProblems(page);
        // xlint has linted the file (its other finding is there) and Docker DX's finding is there...
        await markers.locator('.monaco-list-row', { hasText: 'undeclared-platform-arg' }).waitFor({ timeout: 60_000 });
        await markers.locator('.monaco-list-row', { hasText: DX_MESSAGE }).waitFor({ timeout: 30_000 });
      });
      // ...and xlint's copy of it is not: it came in the same publish as undeclared-platform-arg.
      expect(await markers.locator('.monaco-list-row', { hasText: 'constant-platform' }).count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-docker-dx.png') });

      await time('Show build graph', async () => {
        await page.locator('.monaco-editor .view-lines', { hasText: 'GOARCH=$TARGETARCH' }).click();
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 30_000 });
        await input.fill('>xlint: Show build graph');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show build graph' }).first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        // The webview: an iframe holding the content's iframe; it runs no script and loads nothing.
        const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
        await view.locator('svg text', { hasText: 'build (stage 0)' }).waitFor({ timeout: 60_000 });
        const texts: string[] = await view.locator('svg text').allTextContents();
        for (const stage of ['build (stage 0)', 'final (stage 1)']) expect(texts.join('\n')).toContain(stage);
        expect(texts.join('\n')).toContain('golang:1.22');
        expect(await view.locator('h1').textContent()).toBe('Build graph: Dockerfile.dx');
        await page.screenshot({ path: join(ARTIFACTS, 'vscode-build-graph.png') });
      });

      await time('deferToDockerDX off: xlint reports it too', async () => {
        mkdirSync(join(workspace, '.vscode'), { recursive: true });
        writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'xlint.deferToDockerDX': false }));
        await markers.locator('.monaco-list-row', { hasText: 'constant-platform' }).first().waitFor({ timeout: 60_000 });
        await markers.locator('.monaco-list-row', { hasText: DX_MESSAGE }).first().waitFor({ timeout: 30_000 });
      });
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-failure-docker-dx.png') }).catch(() => undefined);
      throw new Error(`${(error as Error).message}\n--- code-server log (tail) ---\n${serverLog.slice(-4000)}`);
    } finally {
      rmSync(join(workspace, '.vscode'), { recursive: true, force: true });
      await page.close().catch(() => undefined);
    }
  }, 240_000);
});

/**
 * A stand-in for Docker DX, whose marketplace is out of reach here: an extension with its id
 * (`docker.docker`) that, like Docker DX, activates on Dockerfiles and reports BuildKit's
 * FromPlatformFlagConstDisallowed on `FROM --platform=<constant>`. Packed with vsce; returns the .vsix.
 */
/** Opens a file of the workspace from the Explorer, as a person would, and waits for its text (both fixtures hold this line). */
async function openFromExplorer(page: Page, name: RegExp): Promise<void> {
  const item = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name });
  await item.waitFor({ timeout: 60_000 });
  await item.click();
  await page.locator('.monaco-editor .view-lines', { hasText: 'GOARCH=$TARGETARCH' }).waitFor({ timeout: 30_000 });
}

/** Opens the Problems panel (Ctrl+Shift+M). */
async function showProblems(page: Page): Promise<void> {
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ timeout: 30_000 });
}

function packDockerDXStandIn(work: string): string {
  const dir = join(work, 'docker-dx-stand-in');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'docker',
      publisher: 'docker',
      displayName: 'Docker DX (xlint test stand-in)',
      description: 'Has Docker DX\'s id and reports one BuildKit check, for xlint\'s tests.',
      version: '0.0.1',
      engines: { vscode: '^1.91.0' },
      main: './extension.js',
      activationEvents: ['onLanguage:dockerfile'],
    }),
  );
  writeFileSync(join(dir, 'README.md'), '# Docker DX stand-in\n\nFor xlint\'s end-to-end tests only.\n');
  writeFileSync(
    join(dir, 'extension.js'),
    `const vscode = require('vscode');
exports.activate = (context) => {
  const collection = vscode.languages.createDiagnosticCollection('docker-language-server');
  const check = (document) => {
    if (document.languageId !== 'dockerfile') return;
    const found = [];
    for (let line = 0; line < document.lineCount; line++) {
      const text = document.lineAt(line).text;
      const m = /^FROM\\s+--platform=([a-z0-9]+\\/[a-z0-9]+)/i.exec(text);
      if (!m) continue;
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, text.length), ${JSON.stringify(DX_MESSAGE)} + ' (FromPlatformFlagConstDisallowed)', vscode.DiagnosticSeverity.Warning);
      d.source = 'docker-language-server';
      d.code = 'FromPlatformFlagConstDisallowed';
      found.push(d);
    }
    collection.set(document.uri, found);
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(collection, vscode.workspace.onDidOpenTextDocument(check), vscode.workspace.onDidChangeTextDocument((e) => check(e.document)));
};
exports.deactivate = () => {};
`,
  );
  const vsix = join(work, 'docker-dx-stand-in.vsix');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: dir,
    stdio: 'pipe',
  });
  return vsix;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function poll<T>(probe: () => Promise<T | undefined>, timeout: number, what: string): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
