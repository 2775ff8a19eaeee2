/**
 * A minimal LSP client for protocol tests: spawns `xlint lsp --stdio` (the built CLI), speaks
 * JSON-RPC with vscode-jsonrpc, records what the server pushes, answers what it asks, and polls.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'xlint.js');

export interface SessionOptions {
  /** Pull diagnostics (LSP 3.17) instead of push. */
  pull?: boolean;
  /** Answer workspace/configuration with this (per scopeUri); without it the client lacks the capability. */
  configuration?: (scopeUri: string | undefined, section: string | undefined) => unknown;
  initializationOptions?: unknown;
  watchedFiles?: boolean;
  /** Environment variables for the server process, over this process's. */
  env?: Record<string, string>;
}

/** The settings the protocol tests give the server: an amd64 builder, amd64 and arm64 targets. */
export const TEST_SETTINGS = { buildPlatform: 'linux/amd64', platforms: ['linux/amd64', 'linux/arm64'] };

/**
 * The sessions of one test file: the function returned starts one that answers
 * workspace/configuration with TEST_SETTINGS (unless the options say otherwise). Every session is
 * killed after each test, and a missing build fails the file before its first test.
 */
export function lspSessions(): (options?: SessionOptions) => Promise<LspSession> {
  const sessions: LspSession[] = [];
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.kill();
  });
  return async (options = {}) => {
    const session = await LspSession.start({ configuration: () => TEST_SETTINGS, ...options });
    sessions.push(session);
    return session;
  };
}

export class LspSession {
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly applied: WorkspaceEdit[] = [];
  readonly logs: string[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  refreshes = 0;
  exitCode: number | null = null;
  initializeResult!: InitializeResult;
  private readonly documents = new Map<string, TextDocument>();

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    readonly options: SessionOptions,
  ) {}

  static async start(options: SessionOptions = {}): Promise<LspSession> {
    const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: 'pipe', env: options.env ? { ...process.env, ...options.env } : process.env });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const session = new LspSession(child, connection, options);
    child.on('exit', (code) => (session.exitCode = code ?? -1));
    child.stderr.on('data', (chunk: Buffer) => session.logs.push(`stderr: ${chunk}`));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = session.published.get(params.uri) ?? [];
      list.push(params);
      session.published.set(params.uri, list);
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      session.logs.push(params.message);
    });
    connection.onNotification('window/showMessage', (params: { message: string }) => {
      session.logs.push(`show: ${params.message}`);
    });
    connection.onRequest('window/showMessageRequest', (params: { message: string }) => {
      session.logs.push(`show: ${params.message}`);
      return null;
    });
    connection.onRequest('workspace/configuration', (params: { items: { scopeUri?: string; section?: string }[] }) =>
      params.items.map((item) => options.configuration?.(item.scopeUri, item.section) ?? null),
    );
    connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      session.registrations.push(...params.registrations);
      return null;
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      session.refreshes++;
      return null;
    });
    connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => {
      session.applied.push(params.edit);
      return { applied: true };
    });
    connection.listen();
    const capabilities: ClientCapabilities = {
      textDocument: {
        publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        ...(options.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
      },
      workspace: {
        configuration: !!options.configuration,
        didChangeConfiguration: { dynamicRegistration: false },
        workspaceEdit: { documentChanges: true },
        applyEdit: true,
        ...(options.pull ? { diagnostics: { refreshSupport: true } } : {}),
        ...(options.watchedFiles ? { didChangeWatchedFiles: { dynamicRegistration: true } } : {}),
      },
    };
    session.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    return session;
  }

  async open(uri: string, text: string, languageId = 'dockerfile'): Promise<void> {
    this.documents.set(uri, TextDocument.create(uri, languageId, 1, text));
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replaces the whole text (a full-content change, which an incremental server accepts). */
  async change(uri: string, text: string): Promise<number> {
    const old = this.document(uri);
    const next = TextDocument.create(uri, old.languageId, old.version + 1, text);
    this.documents.set(uri, next);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: next.version }, contentChanges: [{ text }] });
    return next.version;
  }

  /** Applies edits locally and sends them as incremental changes, as an editor does. */
  async edit(uri: string, edits: TextEdit[]): Promise<string> {
    return this.change(uri, TextDocument.applyEdits(this.document(uri), edits)).then(() => this.text(uri));
  }

  document(uri: string): TextDocument {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`${uri} is not open`);
    return document;
  }

  text(uri: string): string {
    return this.document(uri).getText();
  }

  /** The latest pushed diagnostics for a document version (any version when omitted). */
  latest(uri: string, version?: number): Diagnostic[] | undefined {
    const list = (this.published.get(uri) ?? []).filter((p) => version === undefined || p.version === version);
    return list[list.length - 1]?.diagnostics;
  }

  async pushedFor(uri: string, version: number, timeout = 5000): Promise<Diagnostic[]> {
    return waitFor(() => this.latest(uri, version), timeout, `diagnostics for ${uri} v${version}`);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async notify(method: string, params: unknown): Promise<void> {
    await this.connection.sendNotification(method, params);
  }

  /** shutdown, exit, and wait for the process to end; returns its exit code. */
  async stop(): Promise<number> {
    if (this.exitCode === null) {
      await this.request('shutdown', null);
      await this.notify('exit', null);
      await waitFor(() => (this.exitCode === null ? undefined : true), 5000, 'the server to exit');
    }
    this.connection.dispose();
    return this.exitCode!;
  }

  kill(): void {
    if (this.exitCode === null) this.process.kill();
    this.connection.dispose();
  }
}

/** Polls `probe` every 5 ms until it returns something other than undefined/false. */
export async function waitFor<T>(probe: () => T | undefined | false, timeout = 5000, what = 'a condition'): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'dockerfile', 0, text), edits);
}
