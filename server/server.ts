/**
 * The language server: wires an LSP connection to the language service. Handlers only fetch the
 * document and its settings, then delegate to the parts that hold the state:
 *   analyses.ts       each open document's current text and the outcome of analysing it
 *   settings-cache.ts the settings of each document (the client's, over the nearest config file,
 *                     found and read as the CLI does: host/config.ts)
 *   scheduler.ts      pushes once typing pauses, memory given back when idle
 *   pool.ts           the analysis worker thread
 *   images.ts         xlint.checkImages: the image cache read by analyses, registries asked in the background
 *
 * No document can take the server down (issue 11): a document over the size limit is not analysed;
 * analyses run in a worker thread within a time budget (pool.ts), so the connection is never
 * blocked; results are keyed by the text they were computed on (a counter bumped on every change),
 * never by the client's version number; hovers and quick fixes are answered from data prepared with
 * the diagnostics, so they do not wait for another document's analysis.
 */
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_NAMES } from '../config/config';
import { Analyses, byteSize, diagnosticsOf, MAX_DOCUMENT_BYTES, seconds, textOf } from './analyses';
import { AnalysisPool } from './pool';
import { ImageFetcher } from './images';
import { FIX_ALL_KIND, hoverAt, isPosition, isRange, kindRequested, selectCodeActions } from './service';
import type { EditorSettings } from './settings';
import { Debouncer, IdleCollector, within } from './scheduler';
import { SettingsCache } from './settings-cache';
import { WORKER_DATA, type JobValues } from './worker';

export const FIX_ALL_COMMAND = 'xlint.server.fixAll';
/** Custom request: the build model of a document as text (`xlint explain-build`). */
export const EXPLAIN_BUILD_REQUEST = 'xlint/explainBuild';
/** Custom request: the stage graph of a document as SVG, Mermaid and DOT (`xlint graph`). */
export const BUILD_GRAPH_REQUEST = 'xlint/buildGraph';

export { MAX_DOCUMENT_BYTES, NOT_ANALYSED } from './analyses';
/** Config files larger than this are reported, not read (the CLI's limit). */
export { MAX_CONFIG_BYTES } from '../host/config';
/** The time budget of an analysis of an empty document; it grows with the size (see budgetFor). */
export const DEFAULT_BUDGET_MS = 2000;
/** How long a hover waits for its document's analysis before answering "nothing" (it is asked again on the next move). */
export const HOVER_WAIT_MS = 150;
/** The longest a hover waits for the first worker to boot. */
const BOOT_WAIT_MS = 5000;
/** A superseded analysis that has run this long is stopped instead of finished. */
const STALE_KILL_MS = 500;
export interface ServerOptions {
  /** Push mode only: how long to wait after a keystroke before linting (pull clients pace themselves). */
  debounceMs?: number;
  version?: string;
  /**
   * The script the analysis worker runs: the server bundle itself (the default, when it is one);
   * null analyses on the server thread, without a time budget.
   */
  workerScript?: string | null;
  /** The base time budget per analysis (also `initializationOptions.budgetMs`). */
  budgetMs?: number;
}

/** The budget of one job: the base for an empty text, one more base per MiB; fix-all lints repeatedly, so three times that. */
export function budgetFor(baseMs: number, kind: string, textLength: number): number {
  const analysis = baseMs * (1 + textLength / (1024 * 1024));
  return Math.ceil(kind === 'fixAll' ? 3 * analysis : analysis);
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 50;
  const documents = new TextDocuments(TextDocument);
  let capabilities: ClientCapabilities = {};
  let pull = false;
  /** Bumped whenever settings or config files change: part of every pull diagnostic's resultId. */
  let generation = 0;
  let budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const reported = new Set<string>();

  const log = (message: string) => connection.console.log(`[xlint] ${message}`);
  const logError = (message: string) => connection.console.error(`[xlint] ${message}`);
  const warnOnce = (message: string) => {
    if (reported.has(message)) return;
    reported.add(message);
    connection.console.warn(`[xlint] ${message}`);
    connection.window.showWarningMessage(`xlint: ${message}`);
  };
  const settingsCache = new SettingsCache({
    askClient: (uri) => connection.workspace.getConfiguration({ scopeUri: uri, section: 'xlint' }),
    log,
    logError,
    warnOnce,
  });
  const settingsFor = (uri: string) => settingsCache.get(uri);

  const defaultScript = __filename.endsWith('.js') ? __filename : null;
  const pool = new AnalysisPool({
    script: options.workerScript === undefined ? defaultScript : options.workerScript,
    workerData: WORKER_DATA,
    budgetMs: (request) => budgetFor(budgetMs, request.kind, request.text.length),
    staleKillMs: STALE_KILL_MS,
    log,
    // A runaway analysis exhausts the worker's heap, not the server's. The young generation holds
    // about one analysis of a moby-sized file: with 8 MB every edit paid a minor collection, with
    // 32 MB fewer did but the editor's p95 was worse; 16 MB was best (bench/lsp.mjs, interleaved:
    // p50 12-15 ms against 15-18 with 8 MB). Measured again with the incremental parse: 64 MB cut the
    // 5,278-line file's p95 from ~100 to ~80 ms but raised the moby-sized file's from ~16 to ~25 ms
    // (its analyses ran 2-3x slower in the larger young generation, with no collection in them).
    // Idle collections give the memory back (scheduler.ts).
    resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 16 },
  });
  pool.warm();
  const analyses = new Analyses(documents, pool, settingsFor, logError);
  // xlint.checkImages: analyses never wait for a registry; when answers reach the image cache, the
  // documents that wanted them are analysed again and their diagnostics pushed (or refreshed).
  const images = new ImageFetcher({
    log,
    warn: (message) => connection.console.warn(`[xlint] ${message}`),
    answered: (uris) => {
      analyses.imagesEpoch++;
      generation++;
      if (pull) {
        if (capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
      } else {
        for (const uri of uris) if (analyses.contentOf(uri) !== undefined) schedulePush(uri, 0);
      }
    },
  });
  analyses.onImagesWanted = (uri, refs) => images.want(uri, refs);
  const current = (uri: string, interactive: boolean) => analyses.current(uri, interactive);
  const idle = new IdleCollector((times) => pool.collectGarbage(times), log);
  const noteWork = (chars: number) => idle.noteWork(chars);
  const pushes = new Debouncer((uri) => void publish(uri).catch((error) => logError(`${uri}: ${(error as Error).stack ?? error}`)));

  connection.onInitialize((params): InitializeResult => {
    capabilities = params?.capabilities ?? {};
    pull = !!capabilities.textDocument?.diagnostic;
    settingsCache.askClient = !!capabilities.workspace?.configuration;
    const init = params?.initializationOptions as { settings?: unknown; budgetMs?: unknown } | undefined;
    settingsCache.global = init?.settings;
    if (typeof init?.budgetMs === 'number' && init.budgetMs >= 1) budgetMs = init.budgetMs;
    log(`starting: ${pull ? 'pull' : 'push'} diagnostics, settings ${settingsCache.askClient ? 'per folder' : 'global'}, analysis budget ${budgetMs} ms`);
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
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/{${CONFIG_NAMES.join(',')}}` }] })
        .catch((error) => logError(`cannot watch config files: ${(error as Error).message}`));
    }
  });

  // Diagnostics: pull when the client asks, push (debounced) otherwise.
  function schedulePush(uri: string, delay: number): void {
    if (pull) return;
    pushes.schedule(uri, delay);
  }

  /**
   * The debounce only saves work while typing outruns the analysis. A document whose last push took
   * less than the debounce (analysis and all) is pushed again at once after an edit, and so is a
   * slower one whose previous push is done: waiting would only delay its diagnostics. A slower
   * document edited while its push is still on its way waits for typing to pause.
   */
  const quickToPush = new Set<string>();
  /** The latest push of each document still on its way. */
  const pushing = new Map<string, symbol>();

  async function publish(uri: string): Promise<void> {
    const started = performance.now();
    const push = Symbol(uri);
    pushing.set(uri, push);
    try {
      // Null: the text changed meanwhile, and its own push is on its way.
      const cur = await current(uri, false);
      if (!cur) return;
      const version = Number.isInteger(cur.document.version) ? cur.document.version : undefined;
      await connection.sendDiagnostics({ uri, version, diagnostics: diagnosticsOf(cur.outcome) });
      if (performance.now() - started < debounceMs) quickToPush.add(uri);
      else quickToPush.delete(uri);
    } finally {
      if (pushing.get(uri) === push) pushing.delete(uri);
    }
  }

  function refreshAll(): void {
    generation++;
    settingsCache.clear();
    images.reset();
    if (pull) {
      if (capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
    } else {
      for (const uri of analyses.uris()) schedulePush(uri, 0);
    }
  }

  // Every open and change is a new text: what was known or on its way for the old one is dropped.
  // Lint a document at once when it opens; after an edit, once typing pauses.
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    const opening = analyses.changed(uri);
    noteWork(textOf(e.document).length);
    schedulePush(uri, opening || quickToPush.has(uri) || !pushing.has(uri) ? 0 : debounceMs);
  });
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    noteWork(textOf(e.document).length);
    pushes.cancel(uri);
    quickToPush.delete(uri);
    analyses.closed(uri);
    pool.forget(uri);
    settingsCache.forget(uri);
    if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  });

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const uri = uriOf(params?.textDocument);
    const content = uri === null ? undefined : analyses.contentOf(uri);
    if (uri === null || content === undefined) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const resultId = `${generation}:${content}`;
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    const cur = await current(uri, true);
    if (!cur || token.isCancellationRequested) {
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed', { retriggerRequest: true });
    }
    return { kind: DocumentDiagnosticReportKind.Full, resultId: `${generation}:${cur.content}`, items: diagnosticsOf(cur.outcome) };
  });

  connection.onDidChangeConfiguration((params) => {
    if (!settingsCache.askClient) {
      const pushed = (params?.settings as { xlint?: unknown } | null)?.xlint;
      if (pushed !== undefined) settingsCache.global = pushed;
    }
    refreshAll();
  });

  connection.onDidChangeWatchedFiles((params) => {
    const changes = Array.isArray(params?.changes) ? params.changes : [];
    if (!changes.some((c) => typeof c?.uri === 'string' && CONFIG_NAMES.some((name) => c.uri.endsWith('/' + name)))) return;
    log('a config file changed: re-reading');
    reported.clear();
    settingsCache.clearConfigs();
    refreshAll();
  });

  // Code actions are computed on the text they edit, and only on it: on prepared data of the
  // current text, dropped ([]) if the text changes before the answer.
  connection.onCodeAction(async (params, token) => {
    const uri = uriOf(params?.textDocument);
    if (uri === null || !isRange(params.range)) return [];
    const cur = await current(uri, true);
    if (!cur || cur.outcome.kind !== 'prepared' || token.isCancellationRequested) return [];
    // A range that starts past the end of the text, or ends before it starts, is no range of it.
    const { start, end } = params.range;
    if (start.line >= cur.document.lineCount || start.line > end.line || (start.line === end.line && start.character > end.character)) return [];
    const prepared = cur.outcome.prepared;
    const context = params.context && typeof params.context === 'object' ? params.context : { diagnostics: [] };
    let fixAll: TextEdit[] = [];
    if (prepared.fixable && kindRequested(FIX_ALL_KIND, Array.isArray(context.only) ? context.only : undefined)) {
      fixAll = (await analyses.fixAllOf(cur)) ?? [];
      if (!analyses.isCurrent(cur)) return [];
    }
    return selectCodeActions(prepared, params.range, context, fixAll);
  });

  // Hovers never wait long: a document whose analysis is not ready within HOVER_WAIT_MS answers
  // nothing (the client asks again on the next move). Only at start-up, while the first worker boots
  // (a few hundred ms, before any document could be analysed), does a hover wait longer.
  connection.onHover(async (params) => {
    const uri = uriOf(params?.textDocument);
    if (uri === null || !isPosition(params.position)) return null;
    if (!pool.isStarted) await within(pool.firstReady, BOOT_WAIT_MS, () => null);
    const cur = await within(current(uri, true), HOVER_WAIT_MS, () => null);
    if (!cur || cur.outcome.kind !== 'prepared') return null;
    if (!analyses.isCurrent(cur) || params.position.line >= cur.document.lineCount) return null;
    return hoverAt(cur.outcome.prepared.hovers, cur.document.offsetAt(params.position));
  });

  connection.onExecuteCommand(async (params) => {
    if (params?.command !== FIX_ALL_COMMAND) return null;
    const uri = params.arguments?.[0];
    if (typeof uri !== 'string' || !documents.get(uri)) return null;
    const cur = await current(uri, true);
    if (!cur || cur.outcome.kind !== 'prepared' || !cur.outcome.prepared.fixable) return { applied: false };
    const edits = await analyses.fixAllOf(cur);
    if (!edits || edits.length === 0 || !analyses.isCurrent(cur)) return { applied: false };
    const result = await connection.workspace.applyEdit({
      label: 'xlint: Fix all',
      edit: capabilities.workspace?.workspaceEdit?.documentChanges
        ? { documentChanges: [{ textDocument: { uri, version: cur.document.version }, edits }] }
        : { changes: { [uri]: edits } },
    });
    return { applied: result.applied };
  });

  // The build model of an open document, as text or as a graph: analysed at once, whatever is queued.
  async function modelRequest<K extends 'explain' | 'graph'>(kind: K, what: string, params: { uri?: unknown } | null): Promise<JobValues[K]> {
    const uri = typeof params?.uri === 'string' ? params.uri : null;
    const document = uri === null ? undefined : documents.get(uri);
    if (uri === null || !document) throw new ResponseError(ErrorCodes.InvalidParams, `${String(params?.uri)} is not open`);
    const text = textOf(document);
    if (byteSize(text) > MAX_DOCUMENT_BYTES) throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is too large to analyse`);
    const settings = await settingsFor(uri);
    const job = await pool.submit({ kind, uri, text, settings }, { priority: 0 }).promise;
    switch (job.status) {
      case 'done':
        return job.value as JobValues[K];
      case 'timeout':
        throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is too complex to ${what}: stopped after ${seconds(job.ms)} s`);
      case 'cancelled':
        throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled');
      default:
        logError(`${kind} on ${uri}: ${job.status === 'failed' ? (job.stack ?? job.message) : job.message}`);
        throw new ResponseError(ErrorCodes.InternalError, `xlint could not ${what} ${uri}: ${job.message}`);
    }
  }

  connection.onRequest(EXPLAIN_BUILD_REQUEST, async (params: { uri?: unknown } | null) => ({ text: await modelRequest('explain', 'explain', params) }));
  connection.onRequest(BUILD_GRAPH_REQUEST, (params: { uri?: unknown } | null) => modelRequest('graph', 'draw', params));

  connection.onShutdown(() => {
    pushes.dispose();
    idle.dispose();
    pool.dispose();
  });

  documents.listen(connection);
}

function uriOf(textDocument: unknown): string | null {
  const uri = (textDocument as { uri?: unknown } | null | undefined)?.uri;
  return typeof uri === 'string' ? uri : null;
}

export type { EditorSettings };
