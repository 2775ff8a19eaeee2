/** `xlint graph`: the stage graph as DOT and Mermaid, rendered by Graphviz where it is installed. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGraph } from '../core/graph';
import { buildModel } from '../core/model';
import { REQUIRED } from './e2e/real-parts';

const model = (code: string) => buildModel(code, { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });
const example = (name: string) => readFileSync(join(__dirname, '../examples', name), 'utf8');

describe('graph', () => {
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
