/**
 * core/ast.ts replaces dockerfile-ast's Dockerfile.organizeComments (quadratic: every stage's range
 * recomputed per comment) with one that computes each range once. The comments must be allotted to
 * the same stages: the allotment of the unpatched parser is recorded first, before anything in this
 * file calls parseDockerfile (which patches the prototypes for the whole process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../core/ast';

const examples = join(__dirname, '..', 'examples');
const SYNTHETIC = [
  '# top\nARG A=1\n# before the first stage\nFROM alpine AS a\n# in a\nRUN x\n\n# between\nFROM a AS b\nRUN y \\\n  # inside a continuation\n  z\n# trailing\n',
  '# only comments\n# here\n',
  '# escape=`\nFROM mcr.microsoft.com/windows/servercore\n# c\nRUN dir `\n  # c2\n  /b\n',
  'FROM a\n#one\nFROM b\n#two\nFROM c\n#three',
];
const inputs = [...SYNTHETIC, ...readdirSync(examples).filter((n) => n.endsWith('.Dockerfile')).map((n) => readFileSync(join(examples, n), 'utf8'))];

type Template = { getComments(): { getContent(): string }[] };

/** The comments of the part before the first FROM, then of each stage (dockerfile-ast's internals). */
function allotment(dockerfile: Dockerfile): string[][] {
  const { initialInstructions, buildStages } = dockerfile as unknown as { initialInstructions: Template; buildStages: Template[] };
  return [initialInstructions, ...buildStages].map((template) => template.getComments().map((c) => c.getContent()));
}

// Before any parseDockerfile call: dockerfile-ast as published.
const expected = inputs.map((text) => allotment(DockerfileParser.parse(text)));

describe('parseDockerfile', () => {
  it('allots every comment to the stage dockerfile-ast allots it to', () => {
    const actual = inputs.map((text) => allotment(parseDockerfile(text)));
    expect(actual).toEqual(expected);
    // Comments outside every range (before a stage, between stages) belong to none.
    expect(expected[0]).toEqual([[], ['in a'], ['inside a continuation']]);
    expect(expected.flat(2).length).toBeGreaterThan(5);
  });
});
