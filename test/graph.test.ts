/** `xlint graph`: the stage graph as DOT and Mermaid, rendered by Graphviz where it is installed. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { formatGraph } from '../core/graph';
import { graphSvg } from '../core/graph-svg';
import { buildModel } from '../core/model';
import { EXAMPLES, xlint } from './cli-run';
import { REQUIRED } from './e2e/real-parts';

const model = (code: string) => buildModel(code, { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });
const example = (name: string) => readFileSync(join(__dirname, '../examples', name), 'utf8');

describe('graph', () => {
  it("the README's picture (docs/build-graph.svg) is the SVG of docs/build-graph.Dockerfile as drawn now", () => {
    const dockerfile = readFileSync(join(__dirname, '../docs/build-graph.Dockerfile'), 'utf8');
    const svg = readFileSync(join(__dirname, '../docs/build-graph.svg'), 'utf8');
    expect(svg, 'regenerate: node dist/xlint.js graph -f svg --build-platform linux/amd64 docs/build-graph.Dockerfile > docs/build-graph.svg').toBe(graphSvg(model(dockerfile)));
    expect(svg).toContain('emulated on linux/arm64');
    expect(svg).toContain('not built');
  });

  const code = 'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /out/app .\nFROM alpine AS unused\nRUN true\nFROM golang AS emulated\nRUN go build -o /x .\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=emulated /x /x\nRUN --mount=from=busybox,target=/b true\n';

  it('DOT: every stage and image, where each runs, the output, unreached stages, copy and mount edges', () => {
    const dot = formatGraph(model(code), 'dot');
    expect(dot).toMatch(/^digraph build \{/);
    expect(dot).toContain('s0 [label="build (stage 0)\\nbuilder: linux/amd64"');
    expect(dot).toContain('s1 [label="unused (stage 1)\\non linux/amd64, linux/arm64\\nnot built", fillcolor="#fafafa"');
    expect(dot).toContain('s2 [label="emulated (stage 2)\\non linux/amd64, linux/arm64\\nemulated on linux/arm64"');
    expect(dot).toContain('output');
    expect(dot).toContain('s0 -> s3 [style=dashed, label="copy"];');
    expect(dot).toMatch(/i\d -> s3 \[style=dotted, label="mount"\];/);
  });

  it('Mermaid: the same graph, classes per role', () => {
    const mermaid = formatGraph(model(code), 'mermaid');
    expect(mermaid).toMatch(/^flowchart LR\n/);
    expect(mermaid).toContain(':::builder');
    expect(mermaid).toContain(':::unreached');
    expect(mermaid).toContain('s0 -. copy .-> s3');
    expect(mermaid).toContain('classDef emulated');
  });

  it('per target where they differ: a stage picked by FROM base_${TARGETARCH} says for which target it is built', () => {
    const dot = formatGraph(model(example('per-arch-stages.Dockerfile')), 'dot');
    expect(dot).toContain('built only for linux/amd64');
    expect(dot).toContain('built only for linux/arm64');
  });

  it('xlint graph -f svg: well-formed SVG holding every stage of each example, drawn without Graphviz', () => {
    for (const name of ['go-emulated.Dockerfile', 'per-arch-stages.Dockerfile', 'rust-xx.Dockerfile', 'python-wheels.Dockerfile']) {
      const run = xlint(['graph', '-f', 'svg', '--build-platform', 'linux/amd64', join(EXAMPLES, name)]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      const texts: string[] = [];
      const parser = new SaxesParser();
      parser.on('text', (t) => t.trim() && texts.push(t));
      expect(() => parser.write(run.stdout).close(), name).not.toThrow();
      for (const stage of model(example(name)).stages) {
        const label = stage.name ? `${stage.name} (stage ${stage.index})` : `stage ${stage.index}`;
        expect(texts, `${name}: ${label}`).toContain(label);
      }
    }
    const wrong = xlint(['graph', '-f', 'png', join(EXAMPLES, 'go-emulated.Dockerfile')]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('mermaid, dot, svg');
  });

  const graphviz = spawnSync('dot', ['-V'], { encoding: 'utf8' }).status === 0;
  if (!graphviz && !REQUIRED) console.warn('\n*** graph: Graphviz (dot) is not installed: the render test is SKIPPED (apt-get install graphviz; XLINT_E2E=1 makes it mandatory) ***\n');
  it.runIf(graphviz || REQUIRED)('Graphviz renders the DOT of every example to SVG, with every stage in it', () => {
    for (const name of ['go-emulated.Dockerfile', 'per-arch-stages.Dockerfile', 'rust-xx.Dockerfile', 'python-wheels.Dockerfile']) {
      const m = model(example(name));
      const svg = spawnSync('dot', ['-Tsvg'], { input: formatGraph(m, 'dot'), encoding: 'utf8' });
      expect(svg.status, svg.stderr).toBe(0);
      for (const stage of m.stages) expect(svg.stdout).toContain(`<title>s${stage.index}</title>`);
    }
  });
});
