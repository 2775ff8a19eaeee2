/**
 * "xlint: Show build graph": the stage graph of a Dockerfile in a webview beside it. The server
 * draws it (xlint/buildGraph: an SVG of its own, no Graphviz or Mermaid); the webview runs no
 * script and may load nothing (its content security policy allows inline styles and nothing
 * else), so it works offline. It follows the document's edits while it is open.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const BUILD_GRAPH_REQUEST = 'xlint/buildGraph';

interface BuildGraph {
  svg: string;
  mermaid: string;
  dot: string;
}

/** How long the graph waits after an edit before it is drawn again. */
const REDRAW_AFTER_MS = 400;

const panels = new Map<string, vscode.WebviewPanel>();

export async function showBuildGraph(client: LanguageClient, document: vscode.TextDocument): Promise<void> {
  const key = document.uri.toString();
  const open = panels.get(key);
  if (open) {
    open.reveal(vscode.ViewColumn.Beside, true);
    return;
  }
  const panel = vscode.window.createWebviewPanel('xlint.buildGraph', `Build graph: ${baseName(document.uri)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
    enableScripts: false,
    enableCommandUris: false,
    localResourceRoots: [],
  });
  panels.set(key, panel);
  let timer: NodeJS.Timeout | undefined;
  let drawn = 0;
  const draw = async () => {
    const round = ++drawn;
    let html: string;
    try {
      const graph = await client.sendRequest<BuildGraph>(BUILD_GRAPH_REQUEST, { uri: key });
      html = page(baseName(document.uri), graph);
    } catch (error) {
      html = page(baseName(document.uri), null, (error as Error).message);
    }
    if (round === drawn && panels.get(key) === panel) panel.webview.html = html;
  };
  const changes = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document.uri.toString() !== key) return;
    clearTimeout(timer);
    timer = setTimeout(() => void draw(), REDRAW_AFTER_MS);
  });
  const closes = vscode.workspace.onDidCloseTextDocument((e) => {
    if (e.uri.toString() === key) panel.dispose();
  });
  panel.onDidDispose(() => {
    clearTimeout(timer);
    changes.dispose();
    closes.dispose();
    panels.delete(key);
  });
  panel.webview.html = page(baseName(document.uri), null);
  await draw();
}

function page(name: string, graph: BuildGraph | null, error?: string): string {
  const body = error
    ? `<p class="error">xlint could not draw the build graph: ${escapeHtml(error)}</p>`
    : graph
      ? `<div class="graph">${graph.svg}</div>
<details><summary>Mermaid</summary><pre>${escapeHtml(graph.mermaid)}</pre></details>
<details><summary>Graphviz DOT</summary><pre>${escapeHtml(graph.dot)}</pre></details>`
      : '<p>Drawing…</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">
<title>Build graph: ${escapeHtml(name)}</title>
<style>
  body { padding: 12px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  h1 { font-size: 1.1em; font-weight: 600; margin: 0 0 10px; }
  .graph { overflow: auto; }
  .graph svg { border-radius: 4px; }
  pre { user-select: text; white-space: pre; overflow: auto; padding: 8px; background: var(--vscode-textCodeBlock-background); }
  .error { color: var(--vscode-errorForeground); }
  summary { cursor: pointer; margin-top: 10px; }
</style>
</head>
<body>
<h1>Build graph: ${escapeHtml(name)}</h1>
${body}
</body>
</html>`;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
