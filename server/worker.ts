/**
 * The analysis side of the language server: lint a text, compute its fix-all edits or explain its
 * build. Runs in a worker thread (see pool.ts), so an analysis that takes too long can be stopped
 * without stopping the server; `runJob` is also what the server calls when it has no worker.
 * Every answer is plain data: nothing here holds a connection, a document or a timer. What it reads
 * besides the text is the build context of a document saved on disk (dotnetContext).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type { TextEdit } from 'vscode-languageserver';
import { IncrementalParser } from '../core/ast';
import { formatExplainText } from '../core/explain-text';
import { explainBuild } from '../core/explain';
import { formatGraph } from '../core/graph';
import { graphSvg } from '../core/graph-svg';
import type { BuildContext } from '../core/model';
import { DEFAULT_PLATFORMS } from '../config/platforms';
import { readDotnetContext } from '../host/context';
import { collectGarbage } from './memory';
import { analyze, fixAllEdits, prepare, type Analysis, type Prepared } from './service';
import { analyzeWithImages } from './images';
import type { EffectiveSettings } from './settings';

/** The workerData the server starts its worker with: how the bundle knows it is the analysis worker. */
export const WORKER_DATA = { xlintAnalysisWorker: true } as const;

export function isAnalysisWorker(data: unknown): boolean {
  return !!data && typeof data === 'object' && (data as { xlintAnalysisWorker?: unknown }).xlintAnalysisWorker === true;
}

export type JobKind = 'analyze' | 'fixAll' | 'explain' | 'graph';

export interface JobRequest {
  kind: JobKind;
  uri: string;
  text: string;
  settings: EffectiveSettings;
}

/** An analysis's prepared data, and the images it found no fresh answer for in the cache (settings.checkImages). */
export type Analyzed = Prepared & { wantedImages?: string[] };

export interface JobValues {
  analyze: Analyzed;
  fixAll: TextEdit[];
  explain: string;
  graph: BuildGraph;
}

/** The stage graph of a document: drawn, and as text for Mermaid and Graphviz. */
export interface BuildGraph {
  svg: string;
  mermaid: string;
  dot: string;
}

/** Server thread → worker. */
export interface JobMessage extends JobRequest {
  id: number;
}

/** Worker → server thread. */
export type WorkerMessage =
  | { ready: true }
  | { id: number; value: unknown }
  | { id: number; error: { name: string; message: string; stack?: string } };

/**
 * A job's analysis, made for it and dropped with it. Keeping the last few for fix-all and
 * explain-build (which then linted once less) kept each analysis alive through the next minor
 * collections: copied, then promoted, it made those collections most of an edit's time
 * (bench/lsp.mjs). Fix-all lints the text several times anyway; explain-build is asked rarely.
 */
function analysisOf(request: JobRequest): { analysis: Analysis; wantedImages?: string[] } {
  const inputs = { context: dotnetContext(request), parser: parserOf(request) };
  // xlint.checkImages: the image cache's answers (read only; the server fetches what is wanted).
  if (!request.settings.checkImages) return { analysis: analyze(request.text, request.settings, undefined, inputs) };
  const { analysis, wanted } = analyzeWithImages(request.text, request.settings, inputs);
  return { analysis, wantedImages: wanted };
}

/**
 * The parsers of the documents analysed last, most recent last: each keeps its document's last
 * tree, whose unchanged instructions the next analysis takes over (a keystroke changes one). Only
 * the trees are kept, not the analyses: a tree taken over lives on in the old generation, while an
 * analysis kept alive was copied by every minor collection of the next one (see above).
 */
const parsers = new Map<string, IncrementalParser>();
const PARSERS_KEPT = 4;
/**
 * Larger texts keep no tree: a 5,278-line file's is about 5 MB, so a 20 MB document's would hold
 * hundreds of megabytes for as long as the editor is open. The server says when a document closes.
 */
const MAX_KEPT_TEXT = 1024 * 1024;

export function parserOf({ uri, text }: { uri: string; text: string }): IncrementalParser | undefined {
  const parser = parsers.get(uri) ?? new IncrementalParser();
  parsers.delete(uri);
  if (text.length > MAX_KEPT_TEXT) return undefined;
  parsers.set(uri, parser);
  if (parsers.size > PARSERS_KEPT) parsers.delete(parsers.keys().next().value!);
  return parser;
}

/** A document closed: its tree goes. */
export function forgetDocument(uri: string): void {
  parsers.delete(uri);
}

/** The documents whose trees the worker keeps, least recently analysed first (tests). */
export function keptTrees(): string[] {
  return [...parsers.keys()];
}

/** How long the .NET project facts of a folder are trusted before its files are looked at again. */
const CONTEXT_MAX_AGE_MS = 5000;

/**
 * The .NET project facts beside a Dockerfile saved on disk, read as the CLI reads them: a project
 * that publishes NativeAOT makes the cross-compile fix display-only, so fix-all must know it too.
 * (The scripts a RUN executes are the CLI's alone: reading them on every edit costs more than the
 * display-only advice they give is worth here.)
 */
function dotnetContext(request: JobRequest): BuildContext | undefined {
  if (!request.uri.startsWith('file:')) return undefined;
  try {
    return readDotnetContext(request.text, dirname(fileURLToPath(request.uri)), CONTEXT_MAX_AGE_MS);
  } catch {
    return undefined; // not a path this machine has
  }
}

export function runJob<K extends JobKind>(request: JobRequest & { kind: K }): JobValues[K];
export function runJob(request: JobRequest): JobValues[JobKind] {
  switch (request.kind) {
    case 'analyze': {
      const { analysis, wantedImages } = analysisOf(request);
      const prepared: Analyzed = prepare(analysis, request.uri);
      if (wantedImages && wantedImages.length > 0) prepared.wantedImages = wantedImages;
      return prepared;
    }
    case 'fixAll':
      return fixAllEdits(analysisOf(request).analysis);
    case 'explain': {
      return formatExplainText(explainBuild(analysisOf(request).analysis.result.model, baseName(request.uri)));
    }
    case 'graph': {
      const model = analysisOf(request).analysis.result.model;
      return { svg: graphSvg(model), mermaid: formatGraph(model, 'mermaid'), dot: formatGraph(model, 'dot') };
    }
  }
}

function baseName(uri: string): string {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // a malformed escape: show it as written
  }
}

/** A small multi-stage build that reaches most of the engine: linted once before the worker says it is ready. */
const WARM_UP = [
  'ARG GO_VERSION=1.22',
  'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build',
  'WORKDIR /src',
  'COPY . .',
  'ARG TARGETOS TARGETARCH',
  'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app . && curl -fsSL https://example.com/x-amd64.tar.gz | tar -xz',
  'FROM debian:12 AS tools',
  'RUN apt-get update && apt-get install -y gcc && make all',
  'FROM alpine:3.20',
  'COPY --from=build /out/app /app',
  '',
].join('\n');

/**
 * Lints a sample, so the first real analysis does not pay for cold code (it would be 3–5× slower):
 * the server's hover waits only briefly for an analysis, and the first one matters most.
 */
function warmUp(): void {
  const settings: EffectiveSettings = {
    enable: true,
    targetPlatforms: [...DEFAULT_PLATFORMS],
    buildPlatform: 'linux/amd64',
    unsafeFixes: false,
    severities: {},
    ruleOptions: {},
    problems: [],
  };
  try {
    for (let i = 0; i < 3; i++) runJob({ kind: 'analyze', uri: 'xlint:warm-up', text: WARM_UP, settings });
    runJob({ kind: 'fixAll', uri: 'xlint:warm-up', text: WARM_UP, settings });
  } catch {
    // The real jobs will report it.
  }
  forgetDocument('xlint:warm-up');
}

/** The worker thread's loop: one job at a time, in the order they come. */
export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runAnalysisWorker: not in a worker thread');
  warmUp();
  port.on('message', (message: JobMessage | { collectGarbage: number } | { forget: string }) => {
    if ('collectGarbage' in message) {
      collectGarbage(message.collectGarbage);
      return;
    }
    if ('forget' in message) {
      forgetDocument(message.forget);
      return;
    }
    let reply: WorkerMessage;
    try {
      reply = { id: message.id, value: runJob(message) };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { id: message.id, error: { name: e.name, message: e.message, stack: e.stack } };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies WorkerMessage);
}
