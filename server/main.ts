/**
 * The language server's entry: its own bundle (dist/server.js), loaded by `xlint lsp` only, so the
 * lint path never pays for vscode-languageserver. Also runnable directly (`node server.js --stdio`),
 * which is how the VS Code extension forks it over node IPC. The same bundle is the script of the
 * server's analysis worker thread (worker.ts), told apart by its workerData; each side requires
 * only what it runs, so the worker never loads the protocol libraries (it starts faster).
 */
import { format } from 'node:util';
import { isMainThread, workerData } from 'node:worker_threads';
import { LONG_RUN_INTERRUPT_BUDGET, setInterruptBudget } from '../host/interrupt-budget';
import type { ServerOptions } from './server';

export type Transport = 'stdio' | 'node-ipc';

type Lsp = typeof import('vscode-languageserver/node');

export function runServer(transport: Transport, options: ServerOptions = {}): void {
  const lsp = require('vscode-languageserver/node') as Lsp;
  const { startServer } = require('./server') as typeof import('./server');
  const { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures } = lsp;
  const connection =
    transport === 'node-ipc'
      ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process))
      : stdioConnection(lsp);
  // A bug in a handler must not take the editor's server down with it: say so in the log, go on.
  process.on('unhandledRejection', (reason) => connection.console.error(`[xlint] unhandled rejection: ${(reason as Error)?.stack ?? reason}`));
  process.on('uncaughtException', (error) => connection.console.error(`[xlint] uncaught exception: ${error.stack ?? error}`));
  startServer(connection, options);
  connection.listen();
}

/**
 * Over stdio, with a reader that holds up under malformed input and huge messages (reader.ts).
 * What createConnection does for a stream it is given is done here too: exit when the client
 * closes stdin, and keep console output off stdout (the protocol stream).
 */
function stdioConnection(lsp: Lsp) {
  const { StdioMessageReader } = require('./reader') as typeof import('./reader');
  let shutdown = false;
  const reader = new StdioMessageReader(process.stdin);
  const listen = reader.listen.bind(reader);
  reader.listen = (callback) =>
    listen((message) => {
      if ((message as { method?: unknown }).method === 'shutdown') shutdown = true;
      callback(message);
    });
  const connection = lsp.createConnection(lsp.ProposedFeatures.all, reader, new lsp.StreamMessageWriter(process.stdout));
  // The protocol's exit codes (LSP `exit`: 0 after a shutdown request, else 1), not the CLI's table (cli/exit-codes.ts).
  const exit = () => process.exit(shutdown ? 0 : 1);
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  const text = (args: unknown[]) => format(...args);
  console.log = console.info = console.debug = (...args: unknown[]) => connection.console.log(text(args));
  console.warn = (...args: unknown[]) => connection.console.warn(text(args));
  console.error = (...args: unknown[]) => connection.console.error(text(args));
  return connection;
}

export function transportOf(argv: string[]): Transport {
  return argv.includes('--node-ipc') ? 'node-ipc' : 'stdio';
}

if (!isMainThread && (workerData as { xlintAnalysisWorker?: unknown } | null)?.xlintAnalysisWorker === true) {
  (require('./worker') as typeof import('./worker')).runAnalysisWorker();
} else if (require.main === module) {
  // Started directly (the VS Code extension): no launcher raises the budget for this long run.
  setInterruptBudget(LONG_RUN_INTERRUPT_BUDGET);
  runServer(transportOf(process.argv.slice(2)));
}
