/**
 * The language server: wires an LSP connection to the language service. Handlers only fetch the
 * document and its settings, then delegate; this file owns the state (caches, timers) and I/O
 * (config files, the client's settings).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_NAMES, isIgnored, parseConfig, type Config } from '../rules/config';
import { formatExplainText } from '../core/explain-text';
import { explainBuild } from '../core/explain';
import { analyze, codeActions, diagnostics, fixAllEdits, FIX_ALL_KIND, hover, type Analysis } from './service';
import { effectiveSettings, readEditorSettings, settingsKey, type EditorSettings, type EffectiveSettings } from './settings';

export const FIX_ALL_COMMAND = 'xlint.server.fixAll';
/** Custom request: the build model of a document as text (`xlint explain-build`). */
export const EXPLAIN_BUILD_REQUEST = 'xlint/explainBuild';

export interface ServerOptions {
  /** Push mode only: how long to wait after a keystroke before linting (pull clients pace themselves). */
  debounceMs?: number;
  version?: string;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 50;
  const documents = new TextDocuments(TextDocument);
  let capabilities: ClientCapabilities = {};
  let pull = false;
  let askForSettings = false;
  /** Settings for clients that cannot answer workspace/configuration: pushed with didChangeConfiguration. */
  let globalSettings: unknown = undefined;
  /** Bumped whenever settings or config files change: part of every pull diagnostic's resultId. */
  let generation = 0;
  const settingsCache = new Map<string, Promise<EffectiveSettings>>();
  const configCache = new Map<string, { path?: string; config: Config | null; error?: string }>();
  const analyses = new Map<string, { version: number; key: string; analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();
  const reported = new Set<string>();

  const log = (message: string) => connection.console.log(`[xlint] ${message}`);
  const warnOnce = (message: string) => {
    if (reported.has(message)) return;
    reported.add(message);
    connection.console.warn(`[xlint] ${message}`);
    void connection.window.showWarningMessage(`xlint: ${message}`);
  };

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    pull = !!capabilities.textDocument?.diagnostic;
    askForSettings = !!capabilities.workspace?.configuration;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    globalSettings = init?.settings;
    log(`starting: ${pull ? 'pull' : 'push'} diagnostics, settings ${askForSettings ? 'per folder' : 'global'}`);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
        ...(pull ? { diagnosticProvider: { identifier: 'xlint', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: 'xlint', version: options.version },
    };
  });

  connection.onInitialized(() => {
    if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/{${CONFIG_NAMES.join(',')}}` }],
      });
    }
  });

  // Settings: the client's `xlint` section for the document's folder, over the nearest config file.
  function settingsFor(uri: string): Promise<EffectiveSettings> {
    let cached = settingsCache.get(uri);
    if (!cached) {
      cached = (async () => {
        let raw = globalSettings;
        if (askForSettings) {
          try {
            raw = await connection.workspace.getConfiguration({ scopeUri: uri, section: 'xlint' });
          } catch (error) {
            connection.console.error(`[xlint] the client did not answer workspace/configuration (${(error as Error).message}): using the defaults`);
          }
        }
        const { settings, problems } = readEditorSettings(raw);
        for (const p of problems) warnOnce(p);
        const found = configFor(uri);
        const ignored = !!found?.config && isIgnored(found.path, found.config, fileURLToPath(uri));
        if (ignored) log(`${uri}: ignored by ${found!.path}`);
        return effectiveSettings(settings, found?.config ?? null, process.arch, ignored);
      })();
      settingsCache.set(uri, cached);
    }
    return cached;
  }

  function configFor(uri: string): { path: string; config: Config | null } | null {
    if (!uri.startsWith('file:')) return null;
    let dir: string;
    try {
      dir = dirname(fileURLToPath(uri));
    } catch {
      return null;
    }
    for (;;) {
      const found = configIn(dir);
      if (found.error) warnOnce(found.error);
      if (found.path) return { path: found.path, config: found.config };
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }

  function configIn(dir: string): { path?: string; config: Config | null; error?: string } {
    let entry = configCache.get(dir);
    if (entry) return entry;
    entry = { config: null };
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      try {
        if (!statSync(path).isFile()) continue;
      } catch {
        continue;
      }
      try {
        entry = { path, config: parseConfig(readFileSync(path, 'utf8'), path) };
      } catch (error) {
        entry = { path, config: null, error: `${(error as Error).message} (the file is ignored until it is fixed)` };
      }
      break;
    }
    configCache.set(dir, entry);
    return entry;
  }

  function analysisOf(document: TextDocument, settings: EffectiveSettings): Analysis {
    const key = settingsKey(settings);
    const cached = analyses.get(document.uri);
    if (cached && cached.version === document.version && cached.key === key) return cached.analysis;
    const analysis = analyze(document.getText(), settings);
    analyses.set(document.uri, { version: document.version, key, analysis });
    return analysis;
  }

  // Diagnostics: pull when the client asks, push (debounced) otherwise.
  async function diagnosticsOf(document: TextDocument) {
    const settings = await settingsFor(document.uri);
    if (!settings.enable) return [];
    try {
      return diagnostics(analysisOf(document, settings));
    } catch (error) {
      // An engine bug must not take the editor down with it: say so in the output channel.
      connection.console.error(`[xlint] internal error on ${document.uri}: ${(error as Error).stack ?? error}`);
      return [];
    }
  }

  function schedulePush(uri: string, delay: number): void {
    if (pull) return;
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        const document = documents.get(uri);
        if (!document) return;
        const version = document.version;
        void diagnosticsOf(document).then(
          (items) => {
            // A newer version is already on its way: this result is stale.
            if (documents.get(uri)?.version !== version) return;
            void connection.sendDiagnostics({ uri, version, diagnostics: items });
          },
          (error) => connection.console.error(`[xlint] ${uri}: ${(error as Error).stack ?? error}`),
        );
      }, delay),
    );
  }

  function refreshAll(): void {
    generation++;
    settingsCache.clear();
    if (pull) {
      if (capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
    } else {
      for (const document of documents.all()) schedulePush(document.uri, 0);
    }
  }

  // Lint a document at once when it opens; after an edit, once typing pauses.
  const opened = new Set<string>();
  documents.onDidChangeContent((e) => {
    schedulePush(e.document.uri, opened.has(e.document.uri) ? debounceMs : 0);
    opened.add(e.document.uri);
  });
  documents.onDidClose((e) => {
    opened.delete(e.document.uri);
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    analyses.delete(e.document.uri);
    settingsCache.delete(e.document.uri);
    if (!pull) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const resultId = `${generation}:${document.version}`;
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    const items = await diagnosticsOf(document);
    throwIfStale(token);
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items };
  });

  connection.onDidChangeConfiguration((params) => {
    if (!askForSettings) {
      const settings = (params.settings as { xlint?: unknown } | null)?.xlint;
      if (settings !== undefined) globalSettings = settings;
    }
    refreshAll();
  });

  connection.onDidChangeWatchedFiles((params) => {
    if (!params.changes.some((c) => CONFIG_NAMES.some((name) => c.uri.endsWith('/' + name)))) return;
    log('a config file changed: re-reading');
    configCache.clear();
    reported.clear();
    refreshAll();
  });

  connection.onCodeAction(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const settings = await settingsFor(document.uri);
    if (!settings.enable || token.isCancellationRequested) return [];
    return codeActions(analysisOf(document, settings), document.uri, params.range, params.context);
  });

  connection.onHover(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const settings = await settingsFor(document.uri);
    if (!settings.enable || token.isCancellationRequested) return null;
    return hover(analysisOf(document, settings), params.position);
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command !== FIX_ALL_COMMAND) return null;
    const uri = String(params.arguments?.[0] ?? '');
    const document = documents.get(uri);
    if (!document) return null;
    const settings = await settingsFor(uri);
    const edits = fixAllEdits(analysisOf(document, settings));
    if (edits.length === 0) return { applied: false };
    const result = await connection.workspace.applyEdit({
      label: 'xlint: Fix all',
      edit: capabilities.workspace?.workspaceEdit?.documentChanges
        ? { documentChanges: [{ textDocument: { uri, version: document.version }, edits }] }
        : { changes: { [uri]: edits } },
    });
    return { applied: result.applied };
  });

  connection.onRequest(EXPLAIN_BUILD_REQUEST, async (params: { uri: string }) => {
    const document = documents.get(params.uri);
    if (!document) throw new ResponseError(-32602, `${params.uri} is not open`);
    const settings = await settingsFor(params.uri);
    const analysis = analysisOf(document, settings);
    const name = decodeURIComponent(params.uri.slice(params.uri.lastIndexOf('/') + 1));
    return { text: formatExplainText(explainBuild(analysis.result.model, name)) };
  });

  connection.onShutdown(() => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  });

  documents.listen(connection);
}

function throwIfStale(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed', { retriggerRequest: true });
}

export type { EditorSettings };
