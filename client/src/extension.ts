/**
 * The VS Code extension: starts the bundled xlint language server over Node IPC for Dockerfiles
 * and Containerfiles, and adds four commands. Everything else (diagnostics, quick fixes, hovers,
 * settings per folder) comes from the server over LSP.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
// The one list of Dockerfile names (a pure module, bundled in); client/package.json's copy is generated from it.
import { EDITOR_DOCUMENT_GLOB, isDockerfileName } from '../../core/dockerfile-names';
import { deferralMiddleware, watchDockerDX } from './docker-dx';
import { showBuildGraph } from './graph-view';

const FIX_ALL_COMMAND = 'xlint.server.fixAll';
const EXPLAIN_BUILD_REQUEST = 'xlint/explainBuild';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('xlint', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'dockerfile', scheme: 'file' },
      { language: 'dockerfile', scheme: 'untitled' },
      { pattern: EDITOR_DOCUMENT_GLOB, scheme: 'file' },
    ],
    outputChannel: output,
    // didChangeConfiguration on every change of `xlint.*`; the server then asks per folder.
    synchronize: { configurationSection: 'xlint' },
    // Next to Docker DX, the rules that mirror BuildKit's checks are left to it (docker-dx.ts).
    middleware: deferralMiddleware,
  };
  client = new LanguageClient('xlint', 'xlint', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand('xlint.fixAll', async () => {
      const document = activeDockerfile();
      if (!document || !client) return;
      await vscode.commands.executeCommand(FIX_ALL_COMMAND, document.uri.toString());
    }),
    vscode.commands.registerCommand('xlint.showBuildModel', async () => {
      const document = activeDockerfile();
      if (!document || !client) return;
      const { text } = await client.sendRequest<{ text: string }>(EXPLAIN_BUILD_REQUEST, { uri: document.uri.toString() });
      const view = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
      await vscode.window.showTextDocument(view, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }),
    vscode.commands.registerCommand('xlint.showBuildGraph', async () => {
      const document = activeDockerfile();
      if (!document || !client) return;
      await showBuildGraph(client, document);
    }),
    vscode.commands.registerCommand('xlint.verifyPlatforms', async () => {
      // Runs a program from the workspace's configuration: only where the user trusts the workspace.
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage('xlint: "Verify platforms" runs a build, so it needs a trusted workspace.');
        return;
      }
      const document = activeDockerfile();
      if (!document) return;
      const config = vscode.workspace.getConfiguration('xlint', document.uri);
      const executable = config.get<string>('path') || 'xlint';
      const platforms = config.get<string[]>('platforms') ?? [];
      const folder = vscode.workspace.getWorkspaceFolder(document.uri);
      const terminal = vscode.window.createTerminal({ name: 'xlint verify', cwd: folder?.uri.fsPath });
      const args = [executable, 'verify', document.uri.fsPath, ...(platforms.length > 0 ? ['--platform', platforms.join(',')] : [])];
      terminal.show();
      terminal.sendText(args.map(shellQuote).join(' '));
    }),
  );

  output.info(`starting the language server (${serverModule})`);
  context.subscriptions.push(watchDockerDX(client, output));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function activeDockerfile(): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || (document.languageId !== 'dockerfile' && !isDockerfileName(document.fileName.split(/[\\/]/).pop() ?? ''))) {
    void vscode.window.showWarningMessage('xlint: open a Dockerfile first.');
    return undefined;
  }
  return document;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
