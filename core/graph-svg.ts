/**
 * The stage graph drawn as a self-contained SVG: no Graphviz, no Mermaid, no network. For the
 * editor's "Show build graph" (a webview that may load nothing) and anyone who wants a picture
 * without `dot`. The same nodes, roles and edges as the Mermaid and DOT text (graph.ts), laid out
 * left to right in layers: a stage one column right of every stage and image it is built from,
 * copies from or mounts. Pure: model in, text out.
 */
import { COLORS, graphOf, type GraphEdge, type Node, type Role } from './graph';
import type { Model } from './model';

const CHAR_WIDTH = 7.2;
const LINE_HEIGHT = 16;
const PAD_X = 10;
const PAD_Y = 8;
const COLUMN_GAP = 70;
const ROW_GAP = 18;
const MARGIN = 16;
const FAMILY = 'font-family="Helvetica, Arial, sans-serif"';
const FONT = `${FAMILY} font-size="12"`;

interface Box {
  node: Node;
  column: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export function graphSvg(model: Model): string {
  const { nodes, edges } = graphOf(model);
  const boxes = layout(nodes, edges);
  const byId = new Map(boxes.map((b) => [b.node.id, b]));
  const legend = legendOf(boxes);
  let right = 0;
  let graphHeight = 0;
  for (const b of boxes) {
    right = Math.max(right, b.x + b.width);
    graphHeight = Math.max(graphHeight, b.y + b.height);
  }
  const width = Math.max(right + MARGIN, legend.width + MARGIN * 2);
  const height = graphHeight + MARGIN + legend.height + MARGIN;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}" role="img" aria-label="Build stage graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const edge of edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (from && to) out.push(edgeSvg(edge, from, to));
  }
  for (const box of boxes) out.push(nodeSvg(box));
  out.push(...legend.svg);
  out.push('</svg>');
  return out.join('\n') + '\n';

  function legendOf(all: Box[]): { svg: string[]; width: number; height: number } {
    const roles: [Role, string][] = [
      ['output', 'output stage'],
      ['builder', 'on the builder'],
      ['target', 'on the target'],
      ['emulated', 'emulated'],
      ['unreached', 'not built'],
      ['image', 'image'],
    ];
    const present = roles.filter(([role]) => all.some((b) => b.node.role === role));
    let top = 0;
    for (const b of all) top = Math.max(top, b.y + b.height);
    top += MARGIN;
    const svg: string[] = [];
    let x = MARGIN;
    for (const [role, text] of present) {
      const { fill, stroke } = COLORS[role];
      const dash = role === 'unreached' ? ' stroke-dasharray="4 3"' : '';
      svg.push(`<rect x="${round(x)}" y="${round(top)}" width="14" height="14" rx="3" fill="${fill}" stroke="${stroke}"${dash}/>`);
      svg.push(`<text x="${round(x + 20)}" y="${round(top + 11)}" ${FONT} fill="#333333">${escapeXml(text)}</text>`);
      x += 20 + text.length * CHAR_WIDTH + 18;
    }
    const dashes: [string, string][] = [
      ['', 'FROM'],
      ['6 4', 'COPY --from'],
      ['2 3', '--mount=from'],
    ];
    for (const [dash, text] of dashes) {
      svg.push(`<line x1="${round(x)}" y1="${round(top + 7)}" x2="${round(x + 28)}" y2="${round(top + 7)}" stroke="#555555" stroke-width="1.4"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      svg.push(`<text x="${round(x + 34)}" y="${round(top + 11)}" ${FONT} fill="#333333">${escapeXml(text)}</text>`);
      x += 34 + text.length * CHAR_WIDTH + 18;
    }
    return { svg, width: x - MARGIN, height: 14 };
  }
}

/** Columns by longest path (images one column before their first user), rows ordered by their sources' rows. */
function layout(nodes: Node[], edges: GraphEdge[]): Box[] {
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    for (const [map, id] of [[incoming, edge.to], [outgoing, edge.from]] as const) {
      const list = map.get(id);
      if (list) list.push(edge);
      else map.set(id, [edge]);
    }
  }
  const images = new Set(nodes.filter((n) => n.role === 'image').map((n) => n.id));
  const isImage = (id: string) => images.has(id);
  const column = new Map<string, number>();
  // Stages in build order: a stage only refers to earlier ones (an edge to a later one is ignored for placement).
  for (const node of nodes) {
    if (node.role === 'image') continue;
    let c = 0;
    for (const edge of incoming.get(node.id) ?? []) {
      if (isImage(edge.from)) c = Math.max(c, 1);
      else if (column.has(edge.from)) c = Math.max(c, column.get(edge.from)! + 1);
    }
    column.set(node.id, c);
  }
  for (const node of nodes) {
    if (node.role !== 'image') continue;
    let first = Number.MAX_SAFE_INTEGER;
    for (const edge of outgoing.get(node.id) ?? []) first = Math.min(first, column.get(edge.to) ?? 1);
    column.set(node.id, first === Number.MAX_SAFE_INTEGER ? 0 : Math.max(0, first - 1));
  }
  // Images alone in column 0 while every stage starts at 1 or later: shift everything left.
  let shift = Number.MAX_SAFE_INTEGER;
  for (const node of nodes) shift = Math.min(shift, column.get(node.id) ?? 0);
  if (shift === Number.MAX_SAFE_INTEGER) shift = 0;
  const columns: Node[][] = [];
  for (const node of nodes) {
    const c = (column.get(node.id) ?? 0) - shift;
    (columns[c] ??= []).push(node);
  }
  const boxes = new Map<string, Box>();
  const order = new Map<string, number>();
  let x = MARGIN;
  for (const [c, list] of columns.entries()) {
    if (!list) continue;
    // Barycentre of the rows of what a node comes from; nodes with no placed source keep their order.
    const weight = (node: Node, i: number) => {
      const rows = (incoming.get(node.id) ?? []).map((e) => order.get(e.from)).filter((r): r is number => r !== undefined);
      return rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : i;
    };
    const sorted = list.map((node, i) => ({ node, w: weight(node, i), i })).sort((a, b) => a.w - b.w || a.i - b.i);
    let y = MARGIN;
    let columnWidth = 0;
    for (const [row, { node }] of sorted.entries()) {
      const width = PAD_X * 2 + node.label.reduce((m, l) => Math.max(m, l.length), 0) * CHAR_WIDTH;
      const height = PAD_Y * 2 + node.label.length * LINE_HEIGHT;
      boxes.set(node.id, { node, column: c, x, y, width, height });
      order.set(node.id, row);
      y += height + ROW_GAP;
      columnWidth = Math.max(columnWidth, width);
    }
    // Centre narrower boxes in their column.
    for (const { node } of sorted) {
      const box = boxes.get(node.id)!;
      box.x += (columnWidth - box.width) / 2;
    }
    x += columnWidth + COLUMN_GAP;
  }
  return nodes.map((n) => boxes.get(n.id)!).filter(Boolean);
}

function nodeSvg(box: Box): string {
  const { node } = box;
  const { fill, stroke } = COLORS[node.role];
  const unreached = node.role === 'unreached';
  const shape =
    node.role === 'image'
      ? `<path d="M${round(box.x)},${round(box.y)} h${round(box.width - 10)} l10,10 v${round(box.height - 10)} h${round(-box.width)} z" fill="${fill}" stroke="${stroke}"/>`
      : `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.width)}" height="${round(box.height)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${node.role === 'output' ? 2 : 1.2}"${unreached ? ' stroke-dasharray="4 3"' : ''}/>`;
  const color = unreached ? '#999999' : '#222222';
  const lines = node.label.map(
    (line, i) =>
      `<tspan x="${round(box.x + PAD_X)}" y="${round(box.y + PAD_Y + (i + 1) * LINE_HEIGHT - 4)}"${i === 0 && node.role !== 'image' ? ' font-weight="bold"' : ''}>${escapeXml(line)}</tspan>`,
  );
  return `<g class="node ${node.role}" data-id="${node.id}">${shape}<text ${FONT} fill="${color}">${lines.join('')}</text></g>`;
}

function edgeSvg(edge: GraphEdge, from: Box, to: Box): string {
  const x1 = from.x + from.width;
  const y1 = from.y + from.height / 2;
  const x2 = to.x;
  const y2 = to.y + to.height / 2;
  const bend = Math.max(30, Math.abs(x2 - x1) / 2);
  const path = `M${round(x1)},${round(y1)} C${round(x1 + bend)},${round(y1)} ${round(x2 - bend)},${round(y2)} ${round(x2 - 1)},${round(y2)}`;
  const dash = edge.kind === 'copy' ? ' stroke-dasharray="6 4"' : edge.kind === 'mount' ? ' stroke-dasharray="2 3"' : '';
  const label =
    edge.kind === 'from'
      ? ''
      : `<text x="${round((x1 + x2) / 2)}" y="${round((y1 + y2) / 2 - 4)}" text-anchor="middle" ${FAMILY} font-size="10" fill="#555555">${edge.kind}</text>`;
  return `<g class="edge ${edge.kind}"><path d="${path}" fill="none" stroke="#555555" stroke-width="1.4"${dash} marker-end="url(#arrow)"/>${label}</g>`;
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
