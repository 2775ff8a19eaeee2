/** `xlint lsp`: starts the language server from its own bundle, loaded only here (DESIGN §6: cold start). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOL_VERSION } from '../core/version';
import { EXIT } from './exit-codes';

export interface LspOptions {
  stdio?: boolean;
  nodeIpc?: boolean;
}

export function runLsp(options: LspOptions): number {
  const bundle = join(__dirname, 'server.js');
  if (!existsSync(bundle)) {
    process.stderr.write(`xlint: the language server is missing (${bundle}); run \`npm run build\`\n`);
    return EXIT.usage;
  }
  // A computed path: esbuild leaves this require alone, so the CLI bundle does not include the server.
  const server = require(bundle) as typeof import('../server/main');
  server.runServer(options.nodeIpc ? 'node-ipc' : 'stdio', { version: TOOL_VERSION });
  return EXIT.ok;
}
