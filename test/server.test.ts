/**
 * The language server over stdio, as an editor sees it: `node dist/xlint.js lsp --stdio` spoken to
 * with JSON-RPC. Needs `npm run build` (the test script runs it first). Polls, never sleeps.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, DocumentDiagnosticReport, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { fixText } from '../core/fix';
import { rules } from '../rules/index';
import { ruleDocUrl } from '../rules/docs';
import { applyEdits, CLI, LspSession, lspSessions, TEST_SETTINGS, waitFor } from './lsp/client';
import { df } from './rule-tester';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

const UNDECLARED = df`
  FROM --platform=$BUILDPLATFORM golang:1.22 AS build
  WORKDIR /src
  COPY . .
  ARG TARGETOS
  RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

  FROM alpine:3.20
  COPY --from=build /out/app /app
`;
/** `$TARGETARCH` on line 4 (0-based). */
const TARGETARCH_AT = { line: 4, character: UNDECLARED.split('\n')[4].indexOf('$TARGETARCH') };

/** Emulated for linux/arm64 on an amd64 builder; clean when linux/amd64 is the only target. */
const EMULATED = df`
  FROM golang:1.22 AS build
  WORKDIR /src
  COPY . .
  RUN CGO_ENABLED=0 go build -o /out/app .

  FROM alpine:3.20
  COPY --from=build /out/app /app
`;


const start = lspSessions();

const ranges = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);

describe('initialize', () => {
  it('advertises hover, code actions, fix-all and push diagnostics to a push client', async () => {
    const s = await start();
    const caps = s.initializeResult.capabilities;
    expect(caps.hoverProvider).toBe(true);
    expect(caps.codeActionProvider).toMatchObject({ codeActionKinds: ['quickfix', 'source.fixAll.xlint'] });
    expect(caps.executeCommandProvider?.commands).toContain('xlint.server.fixAll');
    expect(caps.diagnosticProvider).toBeUndefined();
    expect(s.initializeResult.serverInfo?.name).toBe('xlint');
  });

  it('advertises pull diagnostics to a client that supports them', async () => {
    const s = await start({ pull: true });
    expect(s.initializeResult.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: false, workspaceDiagnostics: false });
  });

  it('registers a watcher for config files when the client allows it', async () => {
    const s = await start({ watchedFiles: true });
    const registration = await waitFor(() => s.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles'));
    expect(JSON.stringify(registration.registerOptions)).toContain('.xlintrc.json');
  });
});

describe('push diagnostics', () => {
  it('publishes rule id, doc link, severity and the exact range on open', async () => {
    const s = await start();
    await s.open('file:///w/Dockerfile', UNDECLARED);
    const diagnostics = await s.pushedFor('file:///w/Dockerfile', 1);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'undeclared-platform-arg',
      // Pinned to the version the server was built as (the CLI's JSON and SARIF link the same page).
      codeDescription: { href: ruleDocUrl('undeclared-platform-arg', PACKAGE_VERSION) },
      severity: 1,
      source: 'xlint',
      range: { start: TARGETARCH_AT, end: { line: 4, character: TARGETARCH_AT.character + '$TARGETARCH'.length } },
    });
    expect(diagnostics[0].message).toContain('TARGETARCH');
  });

  it('lints only the last of quick edits (debounced) and clears on close', async () => {
    const s = await start();
    const uri = 'file:///w/quick.Dockerfile';
    await s.open(uri, 'FROM alpine\n');
    await s.pushedFor(uri, 1);
    await s.change(uri, EMULATED.slice(0, 20));
    await s.change(uri, EMULATED.slice(0, 60));
    const last = await s.change(uri, EMULATED);
    expect(ranges(await s.pushedFor(uri, last))).toEqual(['emulated-build-stage@0:5']);
    expect(s.published.get(uri)!.map((p) => p.version)).toEqual([1, last]);
    await s.notify('textDocument/didClose', { textDocument: { uri } });
    await waitFor(() => s.published.get(uri)!.length === 3 && s.latest(uri)!.length === 0, 5000, 'cleared diagnostics');
  });

  it('reports a malformed Dockerfile under invalid-dockerfile, without a doc link', async () => {
    const s = await start();
    await s.open('file:///w/bad.Dockerfile', 'RUN echo hi\n');
    const diagnostics = await s.pushedFor('file:///w/bad.Dockerfile', 1);
    expect(diagnostics.map((d) => d.code)).toContain('invalid-dockerfile');
    expect(diagnostics.find((d) => d.code === 'invalid-dockerfile')!.codeDescription).toBeUndefined();
  });
});

describe('pull diagnostics', () => {
  it('answers textDocument/diagnostic with a full report, then "unchanged" for the same version', async () => {
    const s = await start({ pull: true });
    const uri = 'file:///w/pull/Dockerfile';
    await s.open(uri, UNDECLARED);
    const first = await s.request<DocumentDiagnosticReport & { resultId: string; items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
    expect(first.kind).toBe('full');
    expect(ranges(first.items)).toEqual([`undeclared-platform-arg@4:${TARGETARCH_AT.character}`]);
    const again = await s.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    expect(again.kind).toBe('unchanged');
    await s.change(uri, EMULATED);
    const changed = await s.request<{ kind: string; items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    expect(changed.kind).toBe('full');
    expect(ranges(changed.items)).toEqual(['emulated-build-stage@0:5']);
    expect(s.published.size).toBe(0);
  });
});

describe('code actions', () => {
  async function actionsAt(s: LspSession, uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return s.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } });
  }

  it('offers the safe quick fix as preferred; applying it clears the diagnostic', async () => {
    const s = await start();
    const uri = 'file:///w/fix/Dockerfile';
    await s.open(uri, UNDECLARED);
    const diagnostics = await s.pushedFor(uri, 1);
    const actions = await actionsAt(s, uri, diagnostics, ['quickfix']);
    const fix = actions.find((a) => a.isPreferred)!;
    expect(fix).toMatchObject({ kind: 'quickfix', diagnostics: [{ code: 'undeclared-platform-arg' }] });
    expect(fix.title).not.toMatch(/unsafe|suggestion/i);
    await s.edit(uri, fix.edit!.changes![uri]);
    expect(s.text(uri)).toContain('ARG TARGETOS TARGETARCH');
    expect(await s.pushedFor(uri, 2)).toEqual([]);
  });

  it('offers "Ignore <rule> here" as a comment above the instruction, which silences it', async () => {
    const s = await start();
    const uri = 'file:///w/ignore/Dockerfile';
    await s.open(uri, UNDECLARED);
    const diagnostics = await s.pushedFor(uri, 1);
    const ignore = (await actionsAt(s, uri, diagnostics)).find((a) => a.title === 'Ignore undeclared-platform-arg here')!;
    expect(ignore.isPreferred).toBe(false);
    const text = await s.edit(uri, ignore.edit!.changes![uri]);
    expect(text.split('\n')[4]).toBe('# xlint ignore=undeclared-platform-arg');
    expect(await s.pushedFor(uri, 2)).toEqual([]);
  });

  it('offers source.fixAll.xlint: every safe fix at once, as the CLI --fix does', async () => {
    const s = await start();
    const uri = 'file:///w/all/Dockerfile';
    const text = UNDECLARED + '\n' + EMULATED.replace('AS build', 'AS build2').replace('--from=build', '--from=build2');
    await s.open(uri, text);
    await s.pushedFor(uri, 1);
    const actions = await actionsAt(s, uri, [], ['source.fixAll']);
    expect(actions.map((a) => a.kind)).toEqual(['source.fixAll.xlint']);
    const expected = fixText(text, { rules, buildPlatform: 'linux/amd64', targetPlatforms: TEST_SETTINGS.platforms }).output;
    expect(expected).not.toBe(text);
    expect(applyEdits(text, actions[0].edit!.changes![uri])).toBe(expected);
    // Quick fixes are not source actions.
    expect((await actionsAt(s, uri, [], ['source.fixAll.xlint'])).every((a) => a.kind === 'source.fixAll.xlint')).toBe(true);
  });

  it('runs fix-all as a command that asks the client to apply the edit', async () => {
    const s = await start();
    const uri = 'file:///w/cmd/Dockerfile';
    await s.open(uri, UNDECLARED);
    await s.pushedFor(uri, 1);
    const result = await s.request<{ applied: boolean }>('workspace/executeCommand', { command: 'xlint.server.fixAll', arguments: [uri] });
    expect(result.applied).toBe(true);
    const change = s.applied[0].documentChanges![0] as { textDocument: { version: number }; edits: TextEdit[] };
    expect(change.textDocument.version).toBe(1);
    expect(applyEdits(UNDECLARED, change.edits)).toContain('ARG TARGETOS TARGETARCH');
  });
});

describe('hover', () => {
  const markdown = (hover: Hover | null) => (hover?.contents as MarkupContent).value;

  it('on a FROM: the platform in words and, per target, whether RUN steps are emulated', async () => {
    const s = await start();
    const uri = 'file:///w/hover/Dockerfile';
    await s.open(uri, EMULATED);
    const hover = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    const text = markdown(hover);
    expect(text).toContain('Runs on the target platform');
    expect(text).toMatch(/\| linux\/amd64 \| linux\/amd64 \| native \|/);
    expect(text).toMatch(/\| linux\/arm64 \| linux\/arm64 \| \*\*emulated\*\*/);
    expect(hover!.range!.start).toEqual({ line: 0, character: 0 });
    const pinned = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri: 'file:///w/hover/Dockerfile' }, position: { line: 5, character: 2 } });
    expect(markdown(pinned)).toContain('the output stage');
  });

  it('on $TARGETARCH: its value per target, or why it is empty', async () => {
    const s = await start();
    const uri = 'file:///w/hover2/Dockerfile';
    await s.open(uri, UNDECLARED);
    const empty = markdown(await s.request('textDocument/hover', { textDocument: { uri }, position: { ...TARGETARCH_AT, character: TARGETARCH_AT.character + 3 } }));
    expect(empty).toContain('| linux/arm64 | *(empty)* |');
    expect(empty).toContain('not declared in the stage');
    const declared = markdown(await s.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: UNDECLARED.split('\n')[4].indexOf('$TARGETOS') + 1 } }));
    expect(declared).toContain('| linux/amd64 | `linux` |');
    const builder = markdown(await s.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 20 } }));
    expect(builder).toContain('| linux/arm64 | `linux/amd64` |');
  });
});

describe('settings', () => {
  it('per document from workspace/configuration; a change refreshes pull diagnostics', async () => {
    let settings: Record<string, unknown> = { ...TEST_SETTINGS };
    const s = await start({ pull: true, configuration: (scopeUri) => (scopeUri?.includes('/other/') ? { ...TEST_SETTINGS, platforms: ['linux/amd64'] } : settings) });
    const a = 'file:///w/one/Dockerfile';
    const b = 'file:///w/other/Dockerfile';
    await s.open(a, EMULATED);
    await s.open(b, EMULATED);
    const pullItems = async (uri: string) => (await s.request<{ items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } })).items;
    expect(ranges(await pullItems(a))).toEqual(['emulated-build-stage@0:5']);
    expect(await pullItems(b)).toEqual([]); // that folder builds linux/amd64 only: nothing is emulated
    settings = { ...TEST_SETTINGS, platforms: ['linux/amd64'] };
    await s.notify('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => s.refreshes === 1, 5000, 'a diagnostic refresh');
    expect(await pullItems(a)).toEqual([]);
    settings = { ...TEST_SETTINGS, rules: { 'emulated-build-stage': 'info' } };
    await s.notify('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => s.refreshes === 2);
    expect((await pullItems(a)).map((d) => d.severity)).toEqual([3]);
    settings = { ...TEST_SETTINGS, enable: false };
    await s.notify('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => s.refreshes === 3);
    expect(await pullItems(a)).toEqual([]);
  });

  it('from didChangeConfiguration for a client without workspace/configuration, re-publishing', async () => {
    // No workspace/configuration capability: the settings come with initialize and didChangeConfiguration.
    const s = await start({ configuration: undefined, initializationOptions: { settings: TEST_SETTINGS } });
    const uri = 'file:///w/push-settings/Dockerfile';
    await s.open(uri, EMULATED);
    expect(ranges(await s.pushedFor(uri, 1))).toEqual(['emulated-build-stage@0:5']);
    await s.notify('workspace/didChangeConfiguration', { settings: { xlint: { ...TEST_SETTINGS, platforms: ['linux/amd64'] } } });
    await waitFor(() => s.published.get(uri)!.length === 2, 5000, 'a second publish');
    expect(s.latest(uri)).toEqual([]);
  });

  describe('config files', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'xlint-lsp-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the nearest .xlintrc.json and re-reads it when the client reports a change', async () => {
      writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/amd64'] }));
      const s = await start({ configuration: () => ({ buildPlatform: 'linux/amd64' }) });
      const uri = pathToFileURL(join(dir, 'sub', 'Dockerfile')).href;
      await s.open(uri, EMULATED);
      expect(await s.pushedFor(uri, 1)).toEqual([]);
      writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'] }));
      await s.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, '.xlintrc.json')).href, type: 2 }] });
      await waitFor(() => s.latest(uri)?.length === 1, 5000, 'diagnostics under the new config');
      expect(ranges(s.latest(uri)!)).toEqual(['emulated-build-stage@0:5']);
    });

    it("honours the config file's ignore list, as the CLI does", async () => {
      writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ ignore: ['legacy/'] }));
      const s = await start();
      const ignored = pathToFileURL(join(dir, 'legacy', 'Dockerfile')).href;
      const linted = pathToFileURL(join(dir, 'app', 'Dockerfile')).href;
      await s.open(ignored, EMULATED);
      await s.open(linted, EMULATED);
      expect(await s.pushedFor(ignored, 1)).toEqual([]);
      expect(ranges(await s.pushedFor(linted, 1))).toEqual(['emulated-build-stage@0:5']);
    });

    it('warns about an invalid config file and lints with the defaults', async () => {
      writeFileSync(join(dir, '.xlintrc.json'), JSON.stringify({ platfroms: ['linux/amd64'] }));
      const s = await start();
      const uri = pathToFileURL(join(dir, 'Dockerfile')).href;
      await s.open(uri, EMULATED);
      expect(ranges(await s.pushedFor(uri, 1))).toEqual(['emulated-build-stage@0:5']);
      await waitFor(() => s.logs.some((l) => l.startsWith('show:') && l.includes('platfroms')), 5000, 'a warning naming the bad key');
    });
  });
});

describe('explain-build request', () => {
  it('returns the build model of the open text', async () => {
    const s = await start();
    const uri = 'file:///w/explain/Dockerfile';
    await s.open(uri, EMULATED);
    const { text } = await s.request<{ text: string }>('xlint/explainBuild', { uri });
    expect(text).toContain('Stage 0 "build"');
    expect(text).toContain('emulated');
  });
});

describe('build-graph request', () => {
  it('returns the stage graph of the open text as SVG, Mermaid and DOT', async () => {
    const s = await start();
    const uri = 'file:///w/graph/Dockerfile';
    await s.open(uri, EMULATED);
    const graph = await s.request<{ svg: string; mermaid: string; dot: string }>('xlint/buildGraph', { uri });
    expect(graph.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(graph.svg).toContain('>build (stage 0)</tspan>');
    expect(graph.svg).toContain('emulated on linux/arm64');
    expect(graph.mermaid).toMatch(/^flowchart LR\n/);
    expect(graph.dot).toMatch(/^digraph build \{/);
    await expect(s.request('xlint/buildGraph', { uri: 'file:///w/graph/not-open' })).rejects.toThrow(/not open/);
  });
});

describe('packaging', () => {
  it('keeps the server out of the CLI bundle: `xlint` alone never loads vscode-languageserver', () => {
    const cli = readFileSync(CLI, 'utf8');
    const server = readFileSync(join(CLI, '..', 'server.js'), 'utf8');
    // Strings only those libraries hold (the bundles' module paths are minified away).
    for (const mark of ['textDocument/publishDiagnostics', 'Content-Length']) {
      expect(server).toContain(mark);
      expect(cli).not.toContain(mark);
    }
  });
});

describe('lifecycle', () => {
  it('shuts down and exits with 0', async () => {
    const s = await start();
    expect(await s.stop()).toBe(0);
  });

  it('speaks node IPC too (--node-ipc)', async () => {
    const { fork } = await import('node:child_process');
    const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = await import('vscode-jsonrpc/node');
    const child = fork(CLI, ['lsp', '--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest<{ capabilities: { hoverProvider?: boolean } }>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      expect(result.capabilities.hoverProvider).toBe(true);
      await connection.sendRequest('shutdown');
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await connection.sendNotification('exit');
      expect(await exited).toBe(0);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    }
  });
});
