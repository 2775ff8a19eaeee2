/**
 * What the server knows of each open document: its current text (a counter bumped on every open and
 * change, whatever version number the client sends) and the outcome of analysing it with its
 * settings, known, on its way in the worker, or asked for now. Results belong to the text they were
 * computed on: an answer for an older text is dropped, never shown for the new one.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type TextDocuments, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisPool, JobResult, Ticket } from './pool';
import { SOURCE, type Prepared } from './service';
import { settingsKey, type EffectiveSettings } from './settings';
import type { Analyzed } from './worker';

/** Documents larger than this are not analysed (the CLI's limit). */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** Codes of the diagnostics that say a document was not analysed. */
export const NOT_ANALYSED = { tooLarge: 'file-too-large', timeout: 'analysis-timeout', failed: 'internal-error' } as const;

export type Outcome =
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
  pending?: { content: number; key: string; promise: Promise<Outcome | null>; ticket: Ticket<Analyzed> };
  fixAll?: { content: number; key: string; promise: Promise<TextEdit[] | null> };
  /** Its last analysis ran out of time: its next ones wait behind other documents'. */
  slow: boolean;
}

/** A document's current text with its settings and outcome. */
export interface Current {
  uri: string;
  document: TextDocument;
  state: DocumentState;
  content: number;
  settings: EffectiveSettings;
  key: string;
  outcome: Outcome;
}

export class Analyses {
  private readonly states = new Map<string, DocumentState>();
  private contents = 0;
  /**
   * xlint.checkImages: bumped when registries' answers reach the image cache. Part of the key of
   * an analysis with the setting on, so one made before is made again.
   */
  imagesEpoch = 0;
  /** xlint.checkImages: an analysis found no fresh answer in the image cache for these images. */
  onImagesWanted: (uri: string, refs: string[]) => void = () => undefined;

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly pool: AnalysisPool,
    private readonly settingsFor: (uri: string) => Promise<EffectiveSettings>,
    private readonly logError: (message: string) => void,
  ) {}

  /** A new text (opened or changed): what was known or on its way for the old one is dropped. True when the document was just opened. */
  changed(uri: string): boolean {
    let state = this.states.get(uri);
    const opening = !state;
    if (!state) {
      state = { content: 0, slow: false };
      this.states.set(uri, state);
    }
    state.content = ++this.contents;
    state.done = undefined;
    state.pending = undefined;
    state.fixAll = undefined;
    this.pool.cancel(analyzeKey(uri));
    this.pool.cancel(fixAllKey(uri));
    return opening;
  }

  closed(uri: string): void {
    this.states.delete(uri);
    this.pool.cancel(analyzeKey(uri));
    this.pool.cancel(fixAllKey(uri));
  }

  /** The id of an open document's current text (undefined when it is not open). */
  contentOf(uri: string): number | undefined {
    return this.documents.get(uri) ? this.states.get(uri)?.content : undefined;
  }

  uris(): IterableIterator<string> {
    return this.states.keys();
  }

  /** Whether `cur` is still the document's current text. */
  isCurrent(cur: Current): boolean {
    return this.states.get(cur.uri) === cur.state && cur.state.content === cur.content;
  }

  /**
   * The outcome for a document's current text: known, on its way, or asked for now. Null when the
   * document is closed or its text changes before the answer (the answer would be for old text).
   * `interactive`: a request waits for it, so it runs before the analyses nobody waits for.
   */
  async current(uri: string, interactive: boolean): Promise<Current | null> {
    const state = this.states.get(uri);
    const document = this.documents.get(uri);
    if (!state || !document) return null;
    const content = state.content;
    const settings = await this.settingsFor(uri);
    const fresh = () => this.states.get(uri) === state && state.content === content;
    if (!fresh()) return null;
    const key = settingsKey(settings) + (settings.checkImages ? `#${this.imagesEpoch}` : '');
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
    const ticket = this.pool.submit({ kind: 'analyze', uri, text, settings }, { key: analyzeKey(uri), priority: interactive ? 0 : state.slow ? 2 : 1 });
    const promise = ticket.promise.then((job) => {
      if (state.pending?.promise === promise) state.pending = undefined;
      const outcome = this.outcomeOf(uri, text, job);
      if (job.status === 'done' && job.value.wantedImages && fresh()) this.onImagesWanted(uri, job.value.wantedImages);
      if (outcome && fresh()) {
        state.done = { content, key, outcome };
        state.slow = job.status === 'timeout';
      }
      return outcome;
    });
    state.pending = { content, key, promise, ticket };
    return result(await promise);
  }

  private outcomeOf(uri: string, text: string, job: JobResult<Analyzed>): Outcome | null {
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
        this.logError(`internal error on ${uri}: ${job.stack ?? `${job.name}: ${job.message}`}`);
        return limited(text, NOT_ANALYSED.failed, `xlint could not analyse this file (internal error: ${job.name}: ${job.message}). Nothing in it is checked.`, DiagnosticSeverity.Error);
      case 'crashed':
        this.logError(`the analysis of ${uri} stopped: ${job.message}`);
        return limited(text, NOT_ANALYSED.failed, `xlint could not analyse this file (the analysis stopped: ${job.message}). Nothing in it is checked.`, DiagnosticSeverity.Error);
    }
  }

  /** The fix-all edits of the current text, computed once per text and settings. */
  fixAllOf(cur: Current): Promise<TextEdit[] | null> {
    const { state, content, key, uri } = cur;
    if (state.fixAll?.content === content && state.fixAll.key === key) return state.fixAll.promise;
    const ticket = this.pool.submit({ kind: 'fixAll', uri, text: textOf(cur.document), settings: cur.settings }, { key: fixAllKey(uri), priority: 0 });
    const promise = ticket.promise.then((job) => {
      if (job.status === 'done') return job.value;
      if (state.fixAll?.promise === promise) state.fixAll = undefined;
      if (job.status !== 'cancelled') this.logError(`fix-all on ${uri}: ${job.status}${'message' in job ? ` (${job.message})` : ''}`);
      return null;
    });
    state.fixAll = { content, key, promise };
    return promise;
  }
}

function analyzeKey(uri: string): string {
  return `analyze ${uri}`;
}

function fixAllKey(uri: string): string {
  return `fixAll ${uri}`;
}

/** A document's text; a client that sent something else than a string for it gets an empty document. */
export function textOf(document: TextDocument): string {
  const text: unknown = document.getText();
  return typeof text === 'string' ? text : '';
}

/** The UTF-8 size of a text, without encoding it when its length alone decides. */
export function byteSize(text: string): number {
  if (text.length > MAX_DOCUMENT_BYTES || text.length * 3 <= MAX_DOCUMENT_BYTES) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1).replace(/\.0$/, '');
}

export function diagnosticsOf(outcome: Outcome): LspDiagnostic[] {
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
