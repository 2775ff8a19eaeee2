/**
 * IncrementalParser (core/ast.ts) takes over the unchanged instructions of a document's previous
 * tree. Whatever the edit, the tree, every instruction's words, flags, variables and properties,
 * and the lint result must be those of a fresh parse of the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argument, Dockerfile, Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { IncrementalParser, parseDockerfile } from '../core/ast';
import { lint } from '../core/lint';
import { rules } from '../rules/index';

const examples = join(__dirname, '..', 'examples');
const files = readdirSync(examples)
  .filter((n) => n.endsWith('.Dockerfile'))
  .map((n) => readFileSync(join(examples, n), 'utf8'));

/** Everything a rule may read of an instruction, as plain data (the document it reads included). */
function facts(instruction: Instruction) {
  const any = instruction as unknown as {
    getRawArguments(): Argument[];
    getFlags?(): { getName(): string; getValue(): string | null; getRange(): unknown }[];
    getProperties?(): { getName(): string; getValue(): string | null; getRawValue?(): string; getRange(): unknown }[];
    getHeredocs?(): { getName(): string; getContentRange(): unknown }[];
  };
  return {
    keyword: instruction.getKeyword(),
    range: instruction.getRange(),
    text: instruction.getTextContent(),
    content: instruction.getArgumentsContent(),
    words: any.getRawArguments().map((a) => [a.getValue(), a.getRange()]),
    args: instruction.getArguments().map((a) => [a.getValue(), a.getRange()]),
    flags: any.getFlags?.().map((f) => [f.getName(), f.getValue(), f.getRange()]),
    properties: any.getProperties?.().map((p) => [p.getName(), p.getValue(), p.getRawValue?.(), p.getRange()]),
    heredocs: any.getHeredocs?.().map((h) => [h.getName(), h.getContentRange()]),
    variables: unlessItRecurses(() => instruction.getVariables().map((v) => [v.getName(), v.getRange(), v.isDefined(), v.isBuildVariable()])),
  };
}

/** dockerfile-ast's getVariables recurses without end on some broken texts (xlint never calls it): then both parses must. */
function unlessItRecurses<T>(read: () => T): T | string {
  try {
    return read();
  } catch (error) {
    if (error instanceof RangeError) return 'recurses';
    throw error;
  }
}

const treeFacts = (dockerfile: Dockerfile) => ({
  escape: dockerfile.getEscapeCharacter(),
  instructions: dockerfile.getInstructions().map(facts),
  comments: dockerfile.getComments().map((c) => [c.getContent(), c.getRange()]),
});

/** Edits as people make them: a character typed or deleted, a line broken or joined, a line continued, at random places. */
function edits(text: string, count: number, seed: number): string[] {
  let s = seed;
  const next = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const typed = ['a', ' ', '\n', '\\\n', '\\\n  # a comment line\n', '$', '"', '#', '-', 'FROM x\n', '# escape=`\n', '<<EOF\nx\nEOF\n', '\r\n'];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = next(text.length + 1);
    const kind = next(3);
    if (kind === 0 && text.length > 0) text = text.slice(0, at) + text.slice(at + 1 + next(3));
    else text = text.slice(0, at) + typed[next(typed.length)] + text.slice(at);
    out.push(text);
  }
  return out;
}

/** As JSON, a dockerfile-ast node (it holds its document) by its range: what it memoized is not the result. */
const plain = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (_, v) => (v && typeof v === 'object' && 'document' in v && typeof v.getRange === 'function' ? v.getRange() : v instanceof Map || v instanceof Set ? [...v] : v)));

const options = { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };

describe('IncrementalParser', () => {
  it('gives the tree a fresh parse gives, after every edit of every example', () => {
    let compared = 0;
    files.forEach((file, f) => {
      const parser = new IncrementalParser();
      parser.parse(file);
      for (const text of edits(file, 40, f + 1)) {
        expect(treeFacts(parser.parse(text)), JSON.stringify(text)).toEqual(treeFacts(parseDockerfile(text)));
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(400);
  });

  it('gives the lint result a fresh parse gives, after every edit of every example', () => {
    files.forEach((file, f) => {
      const parser = new IncrementalParser();
      lint(file, { ...options, parser });
      for (const text of edits(file, 25, 100 + f)) {
        const incremental = lint(text, { ...options, parser });
        const fresh = lint(text, options);
        expect(plain(incremental.diagnostics), JSON.stringify(text)).toEqual(plain(fresh.diagnostics));
        expect(plain(incremental.model.variableUses)).toEqual(plain(fresh.model.variableUses));
        expect(plain(incremental.model.stages)).toEqual(plain(fresh.model.stages));
      }
    });
  });

  it('takes over every instruction a keystroke leaves as it was, and only those', () => {
    const text = files.find((t) => t.split('\n').length > 12)!;
    const parser = new IncrementalParser();
    const before = parser.parse(text).getInstructions();
    const edited = before[Math.floor(before.length / 2)];
    const end = text.split('\n').slice(0, edited.getRange().end.line + 1).join('\n').length;
    const after = parser.parse(text.slice(0, end) + 'x' + text.slice(end)).getInstructions();
    expect(after).toHaveLength(before.length);
    after.forEach((instruction, i) => expect(instruction === before[i], `instruction ${i}`).toBe(i !== before.indexOf(edited)));
    // A line added above shifts every instruction below it: none of those is taken over.
    const shifted = parser.parse('\n' + text).getInstructions();
    expect(shifted.some((instruction) => after.includes(instruction))).toBe(false);
  });

  it('takes over nothing when the escape character changes', () => {
    const text = '# a note\nFROM alpine\nRUN echo a `\n  b\n';
    const escaped = text.replace('# a note', '# escape=`');
    const parser = new IncrementalParser();
    const before = parser.parse(text).getInstructions();
    const after = parser.parse(escaped);
    expect(treeFacts(after)).toEqual(treeFacts(parseDockerfile(escaped)));
    expect(after.getInstructions().some((instruction) => before.includes(instruction))).toBe(false);
    expect(after.getInstructions()).toHaveLength(2);
  });
});
