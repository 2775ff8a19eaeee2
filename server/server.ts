/**
 * The language server: wires an LSP connection to the language service. Handlers only fetch the
 * document and its settings, then delegate; this file owns the state (caches, timers) and I/O
 * (config files, the client's settings).
 *
 * No document can take the server down (issue 11): a document over the size limit is not analysed;
 * analyses run in a worker thread within a time budget (pool.ts), so the connection is never
 * blocked; results are keyed by the text they were computed on (a counter bumped on every change),
 * never by the client's version number; hovers and quick fixes are answered from data prepared with
 * the diagnostics, so they do not wait for another document's analysis.
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_NAMES } from '../rules/config';
import { AnalysisPool, type JobResult, type Ticket } from './pool';
import { FIX_ALL_KIND, hoverAt, isPosition, isRange, kindRequested, selectCodeActions, SOURCE, type Prepared } from './service';
import { settingsKey, type EditorSettings, type EffectiveSettings } from './settings';
import { Debouncer, IdleCollector } from './scheduler';
import { SettingsCache } from './settings-cache';
import { WORKER_DATA, type JobValues } from './worker';

export const FIX_ALL_COMMAND = 'xlint.server.fixAll';
/** Custom request: the build model of a document as text (`xlint explain-build`). */
export const EXPLAIN_BUILD_REQUEST = 'xlint/explainBuild';
/** Custom request: the stage graph of a document as SVG, Mermaid and DOT (`xlint graph`). */
export const BUILD_GRAPH_REQUEST = 'xlint/buildGraph';

/** Documents larger than this are not analysed (the CLI's limit). */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
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

/** Codes of the diagnostics that say a document was not analysed. */
export const NOT_ANALYSED = { tooLarge: 'file-too-large', timeout: 'analysis-timeout', failed: 'internal-error' } as const;

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

type Outcome =
  | { kind: 'prepared'; prepared: Prepared }
  /** Not analysed (too large, over budget, the engine failed): one diagnostic says why. */
  | { kind: 'limited'; diagnostic: LspDiagnostic }
  | { kind: 'disabled' };

const DISABLED: Outcome = { kind: 'disabled' };

/** What the server knows of an open document. */
interface DocumentState {
  /** Bumped (from one server-wide counter) on every open and change, whatever version the client sends. */
  content: number;
  /** The outcome for `content`, once known. */
  done?: { content: number; key: string; outcome: Outcome };
  /** The analysis of `content` on its way. */
  pending?: { content: number; key: string; promise: Promise<Outcome | null>; ticket: Ticket<Prepared> };
  fixAll?: { content: number; key: string; promise: Promise<TextEdit[] | null> };
  /** Its last analysis ran out of time: its next ones wait behind other documents'. */
  slow: boolean;
}

/** A document's current text with its settings and outcome. */
interface Current {
  uri: string;
  document: TextDocument;
  state: DocumentState;
  content: number;
  settings: EffectiveSettings;
  key: string;
  outcome: Outcome;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 50;
  const documents = new TextDocuments(TextDocument);
  let capabilities: ClientCapabilities = {};
  let pull = false;
  /** Bumped whenever settings or config files change: part of every pull diagnostic's resultId. */
  let generation = 0;
  let contents = 0;
  let budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const states = new Map<string, DocumentState>();
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
    // A runaway analysis exhausts the worker's heap, not the server's. A small young generation
    // keeps the worker's resident size down after bursts (no slower: measured on 650 lines).
    resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 8 },
  });
  pool.warm();
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

  /**
   * The outcome for a document's current text: known, on its way, or asked for now. Null when the
   * document is closed or its text changes before the answer (the answer would be for old text).
   * `interactive`: a request waits for it, so it runs before the analyses nobody waits for.
   */
  async function current(uri: string, interactive: boolean): Promise<Current | null> {
    const state = states.get(uri);
    const document = documents.get(uri);
    if (!state || !document) return null;
    const content = state.content;
    const settings = await settingsFor(uri);
    const fresh = () => states.get(uri) === state && state.content === content;
    if (!fresh()) return null;
    const key = settingsKey(settings);
    const result = (outcome: Outcome | null): Current | null => (outcome && fresh() ? { uri, document, state, content, settings, key, outcome } : null);
    if (!settings.enable) return result(DISABLED);
    if (state.done?.content === content && state.done.key === key) return result(state.done.outcome);
    if (state.pending?.content === content && state.pending.key === key) {
      if (interactive) state.pending.ticket.prioritize();
      return result(await state.pending.promise);
    }
    const text = textOf(document);
    const size = byteSize(text);
    if (size > MAX_DOCUMENT_BYTES) {
      const outcome = limited(
        text,
        NOT_ANALYSED.tooLarge,
        `File too large to analyse: ${mib(size)} MiB, over xlint's limit of ${mib(MAX_DOCUMENT_BYTES)} MiB. Nothing in it is checked.`,
      );
      state.done = { content, key, outcome };
      return result(outcome);
    }
    const ticket = pool.submit({ kind: 'analyze', uri, text, settings }, { key: analyzeKey(uri), priority: interactive ? 0 : state.slow ? 2 : 1 });
    const promise = ticket.promise.then((job) => {
      if (state.pending?.promise === promise) state.pending = undefined;
      const outcome = outcomeOf(uri, text, job);
      if (outcome && fresh()) {
        state.done = { content, key, outcome };
        state.slow = job.status === 'timeout';
      }
      return outcome;
    });
    state.pending = { content, key, promise, ticket };
    return result(await promise);
  }

  function outcomeOf(uri: string, text: string, job: JobResult<Prepared>): Outcome | null {
    switch (job.status) {
      case 'done':
        return { kind: 'prepared', prepared: job.value };
      case 'cancelled':
        return null;
      case 'timeout':
        return limited(
          text,
          NOT_ANALYSED.timeout,
          `File too complex to analyse: xlint stopped after ${seconds(job.ms)} s, its time budget for a file this size. Nothing in it is checked; other files are not affected.`,
        );
      case 'failed':
        logError(`internal error on ${uri}: ${job.stack ?? `${job.name}: ${job.message}`}`);
        return limited(text, NOT_ANALYSED.failed, `xlint could not analyse this file (internal error: ${job.name}: ${job.message}). Nothing in it is checked.`, DiagnosticSeverity.Error);
      case 'crashed':
        logError(`the analysis of ${uri} stopped: ${job.message}`);
        return limited(text, NOT_ANALYSED.failed, `xlint could not analyse this file (the analysis stopped: ${job.message}). Nothing in it is checked.`, DiagnosticSeverity.Error);
    }
  }

  /** The fix-all edits of the current text, computed once per text and settings. */
  function fixAllOf(cur: Current): Promise<TextEdit[] | null> {
    const { state, content, key, uri } = cur;
    if (state.fixAll?.content === content && state.fixAll.key === key) return state.fixAll.promise;
    const ticket = pool.submit({ kind: 'fixAll', uri, text: textOf(cur.document), settings: cur.settings }, { key: fixAllKey(uri), priority: 0 });
    const promise = ticket.promise.then((job) => {
      if (job.status === 'done') return job.value;
      if (state.fixAll?.promise === promise) state.fixAll = undefined;
      if (job.status !== 'cancelled') logError(`fix-all on ${uri}: ${job.status}${'message' in job ? ` (${job.message})` : ''}`);
      return null;
    });
    state.fixAll = { content, key, promise };
    return promise;
  }

  // Diagnostics: pull when the client asks, push (debounced) otherwise.
  function schedulePush(uri: string, delay: number): void {
    if (pull) return;
    pushes.schedule(uri, delay);
  }

  async function publish(uri: string): Promise<void> {
    // Null: the text changed meanwhile, and its own push is on its way.
    const cur = await current(uri, false);
    if (!cur) return;
    const version = Number.isInteger(cur.document.version) ? cur.document.version : undefined;
    await connection.sendDiagnostics({ uri, version, diagnostics: diagnosticsOf(cur.outcome) });
  }

  function refreshAll(): void {
    generation++;
    settingsCache.clear();
    if (pull) {
      if (capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
    } else {
      for (const uri of states.keys()) schedulePush(uri, 0);
    }
  }

  // Every open and change is a new text: what was known or on its way for the old one is dropped.
  // Lint a document at once when it opens; after an edit, once typing pauses.
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    let state = states.get(uri);
    const opening = !state;
    if (!state) {
      state = { content: 0, slow: false };
      states.set(uri, state);
    }
    state.content = ++contents;
    noteWork(textOf(e.document).length);
    state.done = undefined;
    state.pending = undefined;
    state.fixAll = undefined;
    pool.cancel(analyzeKey(uri));
    pool.cancel(fixAllKey(uri));
    schedulePush(uri, opening ? 0 : debounceMs);
  });
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    noteWork(textOf(e.document).length);
    pushes.cancel(uri);
    states.delete(uri);
    pool.cancel(analyzeKey(uri));
    pool.cancel(fixAllKey(uri));
    pool.forget(uri);
    settingsCache.forget(uri);
    if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  });

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const uri = uriOf(params?.textDocument);
    const state = uri === null ? undefined : states.get(uri);
    if (uri === null || !state || !documents.get(uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const resultId = `${generation}:${state.content}`;
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
      fixAll = (await fixAllOf(cur)) ?? [];
      if (cur.state.content !== cur.content || states.get(uri) !== cur.state) return [];
    }
    return selectCodeActions(prepared, params.range, context, fixAll);
  });

  // Hovers never wait long: a document whose analysis is not ready within HOVER_WAIT_MS answers
  // nothing (the client asks again on the next move). Only at start-up, while the first worker boots
  // (a few hundred ms, before any document could be analysed), does a hover wait longer.
  connection.onHover(async (params) => {
    const uri = uriOf(params?.textDocument);
    if (uri === null || !isPosition(params.position)) return null;
    if (!pool.isStarted) await withDeadline(pool.firstReady.then(() => true), BOOT_WAIT_MS);
    const cur = await withDeadline(current(uri, true), HOVER_WAIT_MS);
    if (!cur || cur.outcome.kind !== 'prepared') return null;
    if (cur.state.content !== cur.content || params.position.line >= cur.document.lineCount) return null;
    return hoverAt(cur.outcome.prepared.hovers, cur.document.offsetAt(params.position));
  });

  connection.onExecuteCommand(async (params) => {
    if (params?.command !== FIX_ALL_COMMAND) return null;
    const uri = params.arguments?.[0];
    if (typeof uri !== 'string' || !documents.get(uri)) return null;
    const cur = await current(uri, true);
    if (!cur || cur.outcome.kind !== 'prepared' || !cur.outcome.prepared.fixable) return { applied: false };
    const edits = await fixAllOf(cur);
    if (!edits || edits.length === 0 || cur.state.content !== cur.content || states.get(uri) !== cur.state) return { applied: false };
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

function analyzeKey(uri: string): string {
  return `analyze ${uri}`;
}

function fixAllKey(uri: string): string {
  return `fixAll ${uri}`;
}

function uriOf(textDocument: unknown): string | null {
  const uri = (textDocument as { uri?: unknown } | null | undefined)?.uri;
  return typeof uri === 'string' ? uri : null;
}

/** A document's text; a client that sent something else than a string for it gets an empty document. */
function textOf(document: TextDocument): string {
  const text: unknown = document.getText();
  return typeof text === 'string' ? text : '';
}

/** The UTF-8 size of a text, without encoding it when its length alone decides. */
function byteSize(text: string): number {
  if (text.length > MAX_DOCUMENT_BYTES || text.length * 3 <= MAX_DOCUMENT_BYTES) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1).replace(/\.0$/, '');
}

function diagnosticsOf(outcome: Outcome): LspDiagnostic[] {
  switch (outcome.kind) {
    case 'prepared':
      return outcome.prepared.diagnostics.map((d) => d.diagnostic);
    case 'limited':
      return [outcome.diagnostic];
    case 'disabled':
      return [];
  }
}

/** One diagnostic on the first line that says why nothing else is reported. */
function limited(text: string, code: string, message: string, severity: DiagnosticSeverity = DiagnosticSeverity.Warning): Outcome {
  let end = text.indexOf('\n');
  if (end < 0) end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 13) end--;
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: Math.min(end, 200) } };
  return { kind: 'limited', diagnostic: { range, severity, code, source: SOURCE, message } };
}

/** The promise's value, or null if it takes longer than `ms`. */
function withDeadline<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  return new Promise<T | null>((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export type { EditorSettings };
