/**
 * dockerfile-ast recomputes most getters on every call (getFlags re-reads the arguments, which
 * re-scan the text). Its nodes never change after parsing, so the instructions the model owns
 * cache the getters it and the rules use: the difference between 1× and 3× the parse time.
 * The cache is per instance and switched on only for the model's instructions, after parsing
 * (the parser itself calls these getters while the node is still being built).
 *
 * The parse itself is also mended where it wastes work, always to the tree dockerfile-ast builds
 * (test/ast.test.ts compares them): comments allotted to stages in linear time, each instruction
 * built once instead of twice, and the words of an instruction found over slices of the text.
 */
import * as ast from 'dockerfile-ast';
import { Argument, type Instruction } from 'dockerfile-ast';
import { Parser } from 'dockerfile-ast/lib/parser';

const MEMOIZED = [
  'getKeyword',
  'getInstruction',
  'getArguments',
  'getArgumentsRange',
  'getArgumentsContent',
  'getRawArgumentsContent',
  'getFlags',
  'getVariables',
  'getHeredocs',
  'getImage',
  'getImageRange',
  'getImageName',
  'getBuildStage',
  'getBuildStageRange',
] as const;
type Memoized = (typeof MEMOIZED)[number];
/** Each getter's place in an instruction's cache. */
const SLOT = new Map<string, number>(MEMOIZED.map((name, slot) => [name, slot]));
/** A slot not yet computed. */
const UNSET: unknown = Symbol('xlint.unset');

const CACHE = Symbol('xlint.cache');
type Cached = { [CACHE]?: unknown[] };
const RAW_ARGUMENTS = Symbol('xlint.rawArguments');
const LAST_BUILT = Symbol('xlint.lastBuilt');
const PREVIOUS = Symbol('xlint.previous');
let patched = false;

/** Parses with the getters below memoized: the parser itself calls getRawArguments ~4.5 times per instruction. */
export function parseDockerfile(text: string): ast.Dockerfile {
  if (!patched) patchPrototypes();
  return ast.DockerfileParser.parse(text);
}

/** What the parser keeps while it parses (not in dockerfile-ast's typings). */
interface ParserInternals {
  document: NodeInternals['document'];
  buffer: string;
  escapeChar: string;
  [PREVIOUS]?: PreviousTree;
}

/**
 * Parses the texts of one document in turn, each taking over from the tree before it every
 * instruction that did not change: an editor parses the whole text again after each keystroke, and
 * building the instructions, then reading their words, is most of a parse and much of the model
 * (bench/lsp.mjs, the 5,000-line file). An instruction is taken over when it starts at the same
 * line and character, with the same text and escape character: its line-and-character ranges hold
 * in the new text as they are, and it is pointed at the new document and tree. Its memoized words
 * are kept; what depends on other instructions (getVariables resolves them) is computed again.
 * The caller keeps one per document; the tree is the one `parseDockerfile` builds (test/incremental-parse.test.ts).
 */
export class IncrementalParser {
  private previous: PreviousTree | undefined;

  parse(text: string): ast.Dockerfile {
    if (!patched) patchPrototypes();
    const parser = new Parser() as unknown as ParserInternals & { parse(text: string): ast.Dockerfile };
    parser[PREVIOUS] = this.previous;
    const dockerfile = parser.parse(text);
    parser[PREVIOUS] = undefined;
    this.previous = new PreviousTree(text, dockerfile);
    return dockerfile;
  }
}

/** The instructions of a parsed text, taken over in order by the next parse. */
class PreviousTree {
  private readonly instructions: Instruction[];
  private readonly comments: ast.Comment[];
  private readonly document: NodeInternals['document'];
  private readonly escapeChar: string;
  /** The first instruction that may still be taken: the parser builds the new ones in the order of the text. */
  private next = 0;
  /** The first comment not passed yet, likewise. */
  private nextComment = 0;

  constructor(
    private readonly text: string,
    dockerfile: ast.Dockerfile,
  ) {
    this.instructions = dockerfile.getInstructions();
    this.comments = dockerfile.getComments();
    this.document = (dockerfile as unknown as NodeInternals).document;
    this.escapeChar = dockerfile.getEscapeCharacter();
  }

  /**
   * The instruction of the previous text that starts where the new one does (same line and
   * character) and reads as the new text from there up to and including the character after it
   * (the line break or the end that ended it): the parser would read it, heredoc bodies included,
   * exactly as before. With its end and the comment lines inside it, pointed at the new tree; the
   * parser then skips the scan.
   */
  takeWhole(parser: ParserInternals, dockerfile: ast.Dockerfile, start: number): { instruction: Instruction; comments: ast.Comment[]; end: number } | undefined {
    if (parser.escapeChar !== this.escapeChar) return undefined;
    const { line, character } = parser.document.positionAt(start);
    while (this.next < this.instructions.length && this.instructions[this.next].getRange().start.line < line) this.next++;
    const instruction = this.instructions[this.next];
    const range = instruction?.getRange();
    if (!range || range.start.line !== line || range.start.character !== character) return undefined;
    const from = this.document.offsetAt(range.start);
    const to = this.document.offsetAt(range.end);
    const end = start + (to - from);
    if (parser.buffer[end] !== this.text[to] || !parser.buffer.startsWith(this.text.slice(from, to), start)) return undefined;
    // The comment lines inside it (after a line continuation), which the scan would have added to the tree.
    const comments: ast.Comment[] = [];
    while (this.nextComment < this.comments.length && before(this.comments[this.nextComment].getRange().start, range.start)) this.nextComment++;
    for (; this.nextComment < this.comments.length && !before(range.end, this.comments[this.nextComment].getRange().start); this.nextComment++) {
      const comment = this.comments[this.nextComment];
      (comment as unknown as NodeInternals).document = parser.document;
      comments.push(comment);
    }
    return { instruction: this.retarget(instruction, parser, dockerfile), comments, end };
  }

  private retarget(instruction: Instruction, parser: ParserInternals, dockerfile: ast.Dockerfile): Instruction {
    const node = instruction as unknown as NodeInternals & Cached & { dockerfile: ast.Dockerfile; property?: NodeInternals | null; properties?: NodeInternals[] };
    node.document = parser.document;
    node.dockerfile = dockerfile;
    // ARG, ENV and LABEL keep the properties they read, which read the document too.
    if (node.property) node.property.document = parser.document;
    for (const property of node.properties ?? []) property.document = parser.document;
    const cache = node[CACHE];
    if (cache) cache[SLOT.get('getVariables')!] = UNSET;
    return instruction;
  }
}

function patchPrototypes(): void {
  patched = true;
  // dockerfile-ast allots each comment to its stage by computing every stage's range anew for each
  // comment: comments × stages Range objects, more time than the rest of the parse on a 5,000-line
  // file. The ranges depend on the instructions alone, complete when it runs: computed once here.
  const dockerfile = Object.getPrototypeOf(ast.DockerfileParser.parse('')) as { organizeComments(): void };
  dockerfile.organizeComments = organizeComments;
  // The parser builds every instruction twice: once to look for heredocs after its arguments, and
  // again, with the same bounds when there are none, to add it to the tree. The second build takes
  // the first (nodes do not change once built, and nothing else holds the first), once.
  type Build = (this: BuildingParser, dockerfile: unknown, keyword: string, start: number, keywordEnd: number, end: number) => Instruction;
  type BuildingParser = ParserInternals & { [LAST_BUILT]?: { args: Parameters<Build>; instruction: Instruction } };
  type Process = (this: BuildingParser, dockerfile: ast.Dockerfile & { addInstruction(instruction: Instruction): void; addComment(comment: ast.Comment): void }, char: string, start: number) => number;
  const parser = Parser.prototype as unknown as { createInstruction: Build; processInstruction: Process };
  // IncrementalParser: an instruction that reads as before, up to the line break that ends it, is
  // taken over without scanning it (processInstruction returns where the instruction ends).
  const process = parser.processInstruction;
  parser.processInstruction = function (dockerfile, char, start) {
    const taken = this[PREVIOUS]?.takeWhole(this, dockerfile, start);
    if (!taken) return process.call(this, dockerfile, char, start);
    for (const comment of taken.comments) dockerfile.addComment(comment);
    dockerfile.addInstruction(taken.instruction);
    return taken.end;
  };
  const build = parser.createInstruction;
  parser.createInstruction = function (...args) {
    const last = this[LAST_BUILT];
    this[LAST_BUILT] = undefined;
    if (last && args.every((arg, i) => arg === last.args[i])) return last.instruction;
    const instruction = build.apply(this, args);
    this[LAST_BUILT] = { args, instruction };
    return instruction;
  };
  // getRawArguments reads only what the Instruction constructor sets first (document, ranges, escape
  // character), so it may be cached from the start, during parsing too. Callers get a copy: the
  // flag-skipping getArguments() shift()s the array it is given.
  const instruction = ast.Instruction.prototype as unknown as { getRawArguments(): Argument[] };
  const rawArguments = instruction.getRawArguments;
  instruction.getRawArguments = function (this: { [RAW_ARGUMENTS]?: Argument[] }) {
    return (this[RAW_ARGUMENTS] ??= plainArguments(this as unknown as Instruction) ?? rawArguments.call(this)).slice();
  };
  for (const exported of Object.values(ast)) {
    if (typeof exported !== 'function' || !exported.prototype) continue;
    const prototype = exported.prototype as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const original = prototype[name];
      const slot = SLOT.get(name);
      if (slot === undefined || typeof original !== 'function') continue;
      prototype[name] = function (this: Cached) {
        const cache = this[CACHE];
        // eslint-disable-next-line prefer-rest-params -- no array per call on this hot path
        if (!cache || arguments.length > 0) return original.apply(this, arguments);
        let value = cache[slot];
        if (value === UNSET) cache[slot] = value = original.call(this);
        return value;
      };
    }
  }
}

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface Template {
  getRange(): Range;
  addComment(comment: ast.Comment): void;
}

/**
 * dockerfile-ast's Dockerfile.organizeComments, with each range computed once: the same allotment.
 * The stages follow each other without overlapping, and the comments come in the order of the
 * text: the stage that may hold a comment is the first not ended before it, found moving forward.
 */
function organizeComments(this: { getComments(): ast.Comment[]; initialInstructions: Template; buildStages: Template[] }): void {
  const initial = this.initialInstructions.getRange();
  const stages = this.buildStages.map((stage) => ({ stage, range: stage.getRange() }));
  let next = 0;
  for (const comment of this.getComments()) {
    const range = comment.getRange();
    if (insideRange(range.end, initial)) {
      this.initialInstructions.addComment(comment);
      continue;
    }
    while (next < stages.length && before(stages[next].range.end, range.start)) next++;
    if (next < stages.length && insideRange(range.start, stages[next].range)) stages[next].stage.addComment(comment);
  }
}

/** `a` comes before `b` in the text. */
function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** dockerfile-ast's Util.isInsideRange: both ends inclusive. */
function insideRange(position: Position, range: Range): boolean {
  if (range.start.line === range.end.line) return range.start.line === position.line && range.start.character <= position.character && position.character <= range.end.character;
  if (range.start.line === position.line) return range.start.character <= position.character;
  if (range.end.line === position.line) return position.character <= range.end.character;
  return range.start.line < position.line && position.line < range.end.line;
}

/** `text` is the instruction's source: flags and heredocs are known absent without a scan. */
export function memoizeInstruction(instruction: Instruction, text: string): void {
  if (!patched) patchPrototypes();
  // One taken over from a previous tree (IncrementalParser) keeps what it memoized.
  if ((instruction as unknown as Cached)[CACHE]) return;
  const cache: unknown[] = new Array(MEMOIZED.length).fill(UNSET);
  const seed = (name: Memoized, value: unknown) => (cache[SLOT.get(name)!] = value);
  const flagless = !text.includes('--');
  if (flagless) seed('getFlags', []);
  if (!text.includes('<<')) seed('getHeredocs', []);
  (instruction as unknown as Cached)[CACHE] = cache;
}

/** What dockerfile-ast keeps on every node (not in its typings). */
interface NodeInternals {
  document: { getText(): string; offsetAt(position: Position): number; positionAt(offset: number): Position };
  escapeChar: string;
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * dockerfile-ast's getRawArguments() for all but a few instructions (99% of the corpus's): the
 * words between blanks and line breaks, found in one pass over slices of the text. dockerfile-ast
 * builds each word a character at a time: a fifth of the allocation of an analysis, and of its time
 * in the parser.
 * Its rules, kept here: an escaped character belongs to the word without its escape character,
 * except `\$`; a word cut by a line continuation goes on when the next line starts without a blank
 * (then its range spans the lines), and ends at the escape character when it starts with one; blank
 * lines and comment lines after a continuation are skipped, and only the indentation of the line
 * that goes on counts. An escape character that starts a line after a continuation or stands in a
 * comment line there, an escaped blank that does not end the line and an escape character at the
 * very end are left to dockerfile-ast (null).
 */
export function plainArguments(instruction: Instruction): Argument[] | null {
  const { document, escapeChar } = instruction as unknown as NodeInternals;
  const text = document.getText();
  const to = document.offsetAt(instruction.getRange().end);
  const args: Argument[] = [];
  let wordStart = -1;
  let runStart = -1;
  let value = '';
  const push = (end: number) => {
    args.push(new Argument(value + text.slice(runStart, end), { start: document.positionAt(wordStart), end: document.positionAt(end) }));
    wordStart = -1;
    value = '';
  };
  for (let i = document.offsetAt(instruction.getInstructionRange().end); i < to; ) {
    const c = text[i];
    if (c === escapeChar && i + 1 < to && !isBlank(text[i + 1])) {
      // An escaped character belongs to the word, without the escape character (`\$` keeps it).
      if (wordStart === -1) wordStart = runStart = i;
      if (text[i + 1] !== '$') {
        value += text.slice(runStart, i);
        runStart = i + 1;
      }
      i += 2;
    } else if (c === escapeChar) {
      let next = i + 1;
      while (next < to && (text[next] === ' ' || text[next] === '\t')) next++;
      if (text[next] === '\r' && text[next + 1] === '\n') next++;
      if (next >= to || text[next] !== '\n') return null;
      // The empty lines and comment lines after it are skipped; only the indentation of the line
      // that goes on counts (a line break resets it). dockerfile-ast reads an escape character in a
      // comment line as one, and one that starts a line as another continuation: left to it.
      let indented = false;
      for (next++; next < to; next++) {
        const d = text[next];
        if (d === ' ' || d === '\t') indented = true;
        else if (d === '\r' || d === '\n') indented = false;
        else if (d !== '#') break;
        else {
          for (; next + 1 < to && text[next + 1] !== '\r' && text[next + 1] !== '\n'; next++) if (text[next + 1] === escapeChar) return null;
        }
      }
      if (next < to && text[next] === escapeChar) return null;
      if (wordStart !== -1) {
        if (indented || next >= to) push(i);
        else {
          value += text.slice(runStart, i);
          runStart = next;
        }
      }
      i = next;
    } else if (isBlank(c)) {
      if (wordStart !== -1) push(i);
      i++;
    } else {
      if (wordStart === -1) wordStart = runStart = i;
      i++;
    }
  }
  if (wordStart !== -1) push(to);
  return args;
}

export interface FlagFacts {
  /** Lower-cased name without the dashes: `platform`, `from`, `mount`. */
  name: string;
  /** The value as written, quotes removed; '' for `--flag=` and `--flag`. */
  value: string;
  /** Offsets of the whole `--name=value`, and of the value. */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

export interface ArgumentFacts {
  /** Offsets of the whole instruction (keyword included), computed once for every rule. */
  instructionStart: number;
  /** Offsets of the arguments: after the keyword, up to the end of the instruction. */
  start: number;
  end: number;
  flags: FlagFacts[];
  /** Where the arguments after the flags begin. */
  bodyStart: number;
}

/**
 * Reads the arguments and leading `--flags` of an instruction from the text itself: dockerfile-ast
 * re-scans the whole instruction for each of getArgumentsRange() and getFlags().
 */
export function readArguments(text: string, instructionStart: number, keywordEnd: number, end: number, escapeChar: string): ArgumentFacts {
  const flags: FlagFacts[] = [];
  let pos = skipBlanks(text, keywordEnd, end, escapeChar);
  const start = pos;
  while (pos < end && text.startsWith('--', pos)) {
    const flagStart = pos;
    let quote: string | null = null;
    while (pos < end) {
      const c = text[pos];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
      else if (c === escapeChar) {
        const next = continuationEnd(text, pos, end, escapeChar);
        if (next >= 0) {
          // BuildKit joins the lines first: `--platform=$BUILD\` + newline + `PLATFORM` is one word
          // (also across the comment lines and empty lines it skips); a line starting with a blank ends it.
          if (next >= end || /[ \t]/.test(text[next])) break;
          pos = next;
          continue;
        }
      }
      pos++;
    }
    const written = text.slice(flagStart + 2, pos);
    const raw = written.includes(escapeChar) ? written.split(continuationPattern(escapeChar)).join('') : written;
    const eq = raw.indexOf('=');
    const valueStart = eq < 0 ? pos : flagStart + 3 + eq;
    flags.push({
      name: (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase(),
      value: eq < 0 ? '' : raw.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'),
      start: flagStart,
      end: pos,
      valueStart,
      valueEnd: pos,
    });
    pos = skipBlanks(text, pos, end, escapeChar);
  }
  return { instructionStart, start, end, flags, bodyStart: pos };
}

/** Skips spaces, tabs and line continuations (with the comment lines and empty lines BuildKit drops after them). */
function skipBlanks(text: string, pos: number, end: number, escapeChar: string): number {
  for (;;) {
    while (pos < end && (text[pos] === ' ' || text[pos] === '\t')) pos++;
    const next = continuationEnd(text, pos, end, escapeChar);
    if (next < 0) return pos;
    pos = next;
  }
}

/**
 * Where an instruction goes on after a line continuation at `pos` (the escape character, blanks,
 * a line break): past the comment lines and the empty lines that follow, which BuildKit skips
 * inside a continued instruction. -1 when there is no continuation at `pos`.
 */
export function continuationEnd(text: string, pos: number, end: number, escapeChar: string): number {
  if (text[pos] !== escapeChar) return -1;
  let next = pos + 1;
  while (next < text.length && (text[next] === ' ' || text[next] === '\t')) next++;
  if (text[next] === '\r') next++;
  if (text[next] !== '\n') return -1;
  next++;
  for (;;) {
    let i = next;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= end || (text[i] !== '#' && text[i] !== '\r' && text[i] !== '\n')) return next;
    const newline = text.indexOf('\n', i);
    if (newline < 0 || newline >= end) return end;
    next = newline + 1;
  }
}

/** A line continuation with the comment lines and empty lines after it (BuildKit skips them): what joining lines removes. */
export function continuationPattern(escapeChar: string): RegExp {
  return escapeChar === '`' ? /`[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*|\r?)\n)*/g : /\\[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*|\r?)\n)*/g;
}
