/**
 * The language server's entry: its own bundle (dist/server.js), loaded by `xlint lsp` only, so the
 * lint path never pays for vscode-languageserver. Also runnable directly (`node server.js --stdio`),
 * which is how the VS Code extension forks it over node IPC.
 */
import { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from './server';

export type Transport = 'stdio' | 'node-ipc';

export function runServer(transport: Transport, options: ServerOptions = {}): void {
  const connection =
    transport === 'node-ipc'
      ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process))
      : createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection, options);
  connection.listen();
}

export function transportOf(argv: string[]): Transport {
  return argv.includes('--node-ipc') ? 'node-ipc' : 'stdio';
}

if (require.main === module) runServer(transportOf(process.argv.slice(2)));
