/**
 * core/ast.ts mends three parts of dockerfile-ast: Dockerfile.organizeComments (quadratic: every
 * stage's range recomputed per comment) computes each range once; the parser's createInstruction
 * (every instruction built twice) builds each once; and, for most instructions,
 * Instruction.getRawArguments (a word built a character at a time) is one pass over slices. The
 * results must be the same: those of the unpatched parser are recorded first, before anything in
 * this file calls parseDockerfile (which patches the prototypes for the whole process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Argument, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, plainArguments } from '../core/ast';

const examples = join(__dirname, '..', 'examples');
const SYNTHETIC = [
  '# top\nARG A=1\n# before the first stage\nFROM alpine AS a\n# in a\nRUN x\n\n# between\nFROM a AS b\nRUN y \\\n  # inside a continuation\n  z\n# trailing\n',
  '# only comments\n# here\n',
  '# escape=`\nFROM mcr.microsoft.com/windows/servercore\n# c\nRUN dir `\n  # c2\n  /b\n',
  'FROM a\n#one\nFROM b\n#two\nFROM c\n#three',
];
/** Instructions made of the pieces getRawArguments treats apart (continuations, escapes, comment lines, CRLF), at random. */
function randomInstructions(count: number, seed: number): string[] {
  const pieces = ['a', 'b1', '#c', ' ', '\t', '\\\n', '\\ \n', '\\\r\n', '\\ \t\r\n', '\n', '  ', '# c\n', '\\$x', '\\', '\\x', '`', '`\n', '"q r"', "'s'", '\r\n', '\r', '--f=1', '<<EOF'];
  let s = seed;
  const next = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let body = '';
    for (let n = 1 + next(12); n > 0; n--) body += pieces[next(pieces.length)];
    const escape = next(4) === 0 ? '# escape=`\n' : '';
    out.push(`${escape}FROM x\n${['RUN', 'COPY', 'ENV', 'LABEL', 'CMD'][next(5)]} ${body}\nRUN last\n`);
  }
  return out;
}

const inputs = [...SYNTHETIC, ...randomInstructions(4000, 7), ...readdirSync(examples).filter((n) => n.endsWith('.Dockerfile')).map((n) => readFileSync(join(examples, n), 'utf8'))];

type Template = { getComments(): { getContent(): string }[] };

/** The comments of the part before the first FROM, then of each stage (dockerfile-ast's internals). */
function allotment(dockerfile: Dockerfile): string[][] {
  const { initialInstructions, buildStages } = dockerfile as unknown as { initialInstructions: Template; buildStages: Template[] };
  return [initialInstructions, ...buildStages].map((template) => template.getComments().map((c) => c.getContent()));
}

type Words = { value: string; range: unknown }[];
/** Each instruction's keyword and range: the tree's shape. */
const shapeOf = (dockerfile: Dockerfile) => dockerfile.getInstructions().map((i) => [i.getKeyword(), i.getRange()]);
/** getRawArguments is private in dockerfile-ast's typings. */
const rawArgumentsOf = (instruction: Instruction) => (instruction as unknown as { getRawArguments(): Argument[] }).getRawArguments();
const wordsOf = (args: { getValue(): string; getRange(): unknown }[]): Words => args.map((a) => ({ value: a.getValue(), range: a.getRange() }));

// Before any parseDockerfile call: dockerfile-ast as published.
const published = inputs.map((text) => DockerfileParser.parse(text));
const expected = published.map(allotment);
const expectedWords = published.map((d) => d.getInstructions().map((i) => wordsOf(rawArgumentsOf(i))));
const expectedShapes = published.map(shapeOf);

describe('parseDockerfile', () => {
  it('builds the instructions dockerfile-ast builds (each once instead of twice), heredocs included', () => {
    expect(inputs.map((text) => shapeOf(parseDockerfile(text)))).toEqual(expectedShapes);
    expect(inputs.some((text) => /<<EOF[^\n]*\n[^]*\nEOF/.test(text))).toBe(true);
  });

  it('allots every comment to the stage dockerfile-ast allots it to', () => {
    const actual = inputs.map((text) => allotment(parseDockerfile(text)));
    expect(actual).toEqual(expected);
    // Comments outside every range (before a stage, between stages) belong to none.
    expect(expected[0]).toEqual([[], ['in a'], ['inside a continuation']]);
    expect(expected.flat(2).length).toBeGreaterThan(5);
  });
});

describe('plainArguments', () => {
  it("gives dockerfile-ast's words and ranges wherever it answers, and answers for most instructions", () => {
    let answered = 0;
    let instructions = 0;
    published.forEach((dockerfile, d) =>
      dockerfile.getInstructions().forEach((instruction, i) => {
        instructions++;
        const words = plainArguments(instruction);
        if (words === null) return;
        answered++;
        expect(wordsOf(words), JSON.stringify(instruction.getRange()) + ' of ' + JSON.stringify(inputs[d])).toEqual(expectedWords[d][i]);
      }),
    );
    expect(instructions).toBeGreaterThan(8000);
    expect(answered / instructions).toBeGreaterThan(0.5);
  });

  it('is what the patched parser returns for every instruction', () => {
    expect(inputs.map((text) => parseDockerfile(text).getInstructions().map((i) => wordsOf(rawArgumentsOf(i))))).toEqual(expectedWords);
  });
});
