/**
 * The stage graph of a build as Mermaid or Graphviz DOT: stages and the images they pull, FROM,
 * COPY --from and --mount=from edges, each stage marked by where it runs (builder, target,
 * emulated), the output stage marked, unreached stages greyed. Where targets differ (a stage
 * reached or emulated for some targets only) the label says for which. Pure: model in, text out.
 */
import type { Model, Stage } from './model';

export type GraphFormat = 'mermaid' | 'dot';

export type Role = 'output' | 'emulated' | 'builder' | 'target' | 'unreached' | 'image';

export interface Node {
  id: string;
  label: string[];
  role: Role;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'from' | 'copy' | 'mount';
}

export const COLORS: Record<Role, { fill: string; stroke: string }> = {
  output: { fill: '#d1f0d1', stroke: '#2e7d32' },
  emulated: { fill: '#ffd6d6', stroke: '#c62828' },
  builder: { fill: '#d6e6ff', stroke: '#1565c0' },
  target: { fill: '#f2f2f2', stroke: '#555555' },
  unreached: { fill: '#fafafa', stroke: '#bbbbbb' },
  image: { fill: '#ffffff', stroke: '#888888' },
};

export function formatGraph(model: Model, format: GraphFormat): string {
  const { nodes, edges } = graphOf(model);
  return format === 'dot' ? toDot(nodes, edges) : toMermaid(nodes, edges);
}

/** The graph every format draws: stage and image nodes, and the edges between them. */
export function graphOf(model: Model): { nodes: Node[]; edges: GraphEdge[] } {
  const nodes: Node[] = [];
  const edges: GraphEdge[] = [];
  const images = new Map<string, string>();
  const imageNode = (ref: string): string => {
    let id = images.get(ref);
    if (!id) {
      id = `i${images.size}`;
      images.set(ref, id);
      nodes.push({ id, label: [ref], role: 'image' });
    }
    return id;
  };
  for (const stage of model.stages) {
    nodes.push({ id: `s${stage.index}`, label: stageLabel(model, stage), role: roleOf(model, stage) });
    if (stage.base.kind === 'image') edges.push({ from: imageNode(stage.base.image), to: `s${stage.index}`, kind: 'from' });
    for (const edge of stage.edges) {
      const from = edge.stage !== null ? `s${edge.stage}` : imageNode(edge.ref);
      edges.push({ from, to: `s${stage.index}`, kind: edge.kind });
    }
  }
  return { nodes, edges };
}

function roleOf(model: Model, stage: Stage): Role {
  if (!stage.reachable) return 'unreached';
  if (stage.index === model.outputStage) return 'output';
  if (stage.emulatedOn.length > 0) return 'emulated';
  return stage.platform.kind === 'builder' ? 'builder' : 'target';
}

function stageLabel(model: Model, stage: Stage): string[] {
  const lines = [stage.name ? `${stage.name} (stage ${stage.index})` : `stage ${stage.index}`];
  const targets = stage.reachable ? stage.reachableFor : model.targetPlatforms;
  const platforms = [...new Set(targets.map((t) => stage.platformFor[t] ?? '?'))];
  lines.push(stage.windows ? 'Windows' : stage.platform.kind === 'builder' ? `builder: ${platforms.join(', ')}` : `on ${platforms.join(', ')}`);
  if (stage.index === model.outputStage) lines.push('output');
  if (!stage.reachable) lines.push('not built');
  else if (stage.reachableFor.length < model.targetPlatforms.length) lines.push(`built only for ${stage.reachableFor.join(', ')}`);
  if (stage.emulatedOn.length > 0) lines.push(`emulated on ${stage.emulatedOn.join(', ')}`);
  return lines;
}

function toDot(nodes: Node[], edges: GraphEdge[]): string {
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const quote = (text: string) => `"${escape(text)}"`;
  const out = ['digraph build {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'];
  for (const node of nodes) {
    const { fill, stroke } = COLORS[node.role];
    const shape = node.role === 'image' ? ', shape=note' : '';
    const style = node.role === 'unreached' ? ', style="rounded,filled,dashed", fontcolor="#999999"' : '';
    out.push(`  ${node.id} [label="${node.label.map(escape).join('\\n')}", fillcolor=${quote(fill)}, color=${quote(stroke)}${shape}${style}];`);
  }
  for (const edge of edges) {
    const style = edge.kind === 'from' ? '' : edge.kind === 'copy' ? ' [style=dashed, label="copy"]' : ' [style=dotted, label="mount"]';
    out.push(`  ${edge.from} -> ${edge.to}${style};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function toMermaid(nodes: Node[], edges: GraphEdge[]): string {
  const text = (lines: string[]) => lines.map((l) => l.replace(/"/g, '#quot;')).join('<br/>');
  const out = ['flowchart LR'];
  for (const node of nodes) out.push(node.role === 'image' ? `  ${node.id}[/"${text(node.label)}"/]:::image` : `  ${node.id}["${text(node.label)}"]:::${node.role}`);
  for (const edge of edges) out.push(`  ${edge.from} ${edge.kind === 'from' ? '-->' : edge.kind === 'copy' ? '-. copy .->' : '-. mount .->'} ${edge.to}`);
  for (const [role, { fill, stroke }] of Object.entries(COLORS)) {
    out.push(`  classDef ${role} fill:${fill},stroke:${stroke}${role === 'unreached' ? ',stroke-dasharray:4 3,color:#999999' : ''};`);
  }
  return out.join('\n') + '\n';
}
