/** The stage graph as a self-contained SVG (core/graph-svg.ts): what the editor's "Show build graph" shows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { graphSvg } from '../core/graph-svg';
import { buildModel } from '../core/model';

const model = (code: string) => buildModel(code, { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] });
const example = (name: string) => readFileSync(join(__dirname, '../examples', name), 'utf8');

/** Well-formed XML; the texts of the nodes and the attributes of each element. */
function parse(svg: string): { texts: string[]; elements: { name: string; attributes: Record<string, string> }[] } {
  const parser = new SaxesParser();
  const texts: string[] = [];
  const elements: { name: string; attributes: Record<string, string> }[] = [];
  parser.on('text', (t) => t.trim() && texts.push(t));
  parser.on('opentag', (tag) => elements.push({ name: tag.name, attributes: tag.attributes as Record<string, string> }));
  parser.write(svg).close();
  return { texts, elements };
}

describe('graph as SVG', () => {
  const code =
    'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /out/app .\nFROM alpine AS unused\nRUN true\nFROM golang AS emulated\nRUN go build -o /x .\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=emulated /x /x\nRUN --mount=from=busybox,target=/b true\n';

  it('draws every stage and image with where it runs, the output, unreached stages, copy and mount edges', () => {
    const svg = graphSvg(model(code));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+(\.\d)?" height="\d+(\.\d)?"/);
    const { texts, elements } = parse(svg);
    for (const text of ['build (stage 0)', 'builder: linux/amd64', 'unused (stage 1)', 'not built', 'emulated (stage 2)', 'emulated on linux/arm64', 'stage 3', 'output', 'golang', 'alpine', 'busybox']) {
      expect(texts).toContain(text);
    }
    const groups = elements.filter((e) => e.name === 'g').map((e) => e.attributes.class);
    expect(groups.filter((c) => c.startsWith('node ')).sort()).toEqual(['node builder', 'node emulated', 'node image', 'node image', 'node image', 'node output', 'node unreached']);
    expect(groups.filter((c) => c.startsWith('edge ')).sort()).toEqual(['edge copy', 'edge copy', 'edge from', 'edge from', 'edge from', 'edge mount']);
    // Nothing to load: no script, no external reference.
    expect(svg).not.toMatch(/<script|href=|url\((?!#arrow\))/);
  });

  it('puts a stage to the right of what it is built from, copies from or mounts', () => {
    const svg = graphSvg(model(code));
    const at = (id: string) => Number(new RegExp(`data-id="${id}"><(?:rect x="|path d="M)([\\d.]+)`).exec(svg)![1]);
    expect(at('s3')).toBeGreaterThan(at('s0'));
    expect(at('s3')).toBeGreaterThan(at('s2'));
    expect(at('s0')).toBeGreaterThan(at('i0'));
  });

  it('escapes what a Dockerfile may put in a label', () => {
    const svg = graphSvg(model('FROM alpine AS a\nFROM "x<y>&z"\nCOPY --from=a / /\n'));
    expect(() => parse(svg)).not.toThrow();
  });

  it('draws each shipped example as well-formed SVG naming every stage', () => {
    for (const name of ['per-arch-stages.Dockerfile', 'go-cross.Dockerfile', 'rust-xx.Dockerfile']) {
      const m = model(example(name));
      const { texts } = parse(graphSvg(m));
      for (const stage of m.stages) expect(texts.some((t) => t.startsWith(stage.name ? `${stage.name} (stage ${stage.index})` : `stage ${stage.index}`))).toBe(true);
    }
  });
});
