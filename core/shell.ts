/**
 * Reads the shell text of a RUN into simple commands, with exact offsets.
 *
 * Why our own lexer: fixes insert text before a command and after its last argument, so every
 * word needs its offsets in the Dockerfile; shell-quote (the fast tokenizer) gives none and
 * splits `$(...)`, `${X:-y}` and backticks apart, and the full parsers cost 60–160 ms to load
 * (DESIGN §5/§6). This is a word/operator lexer with a small command splitter on top: quotes,
 * escapes, `$VAR`/`${VAR}`, `$(...)` and backticks (read recursively), `if/for/case` keywords,
 * redirections, and Dockerfile line continuations, which it skips in place so offsets stay
 * those of the document.
 */

export interface VarRef {
  name: string;
  /** Offsets of the whole reference (`$X` or `${X:-d}`) in the source text. */
  start: number;
  end: number;
}

export interface ShellWord {
  /** The word with quotes and escapes removed; expansions are kept as written (`$TARGETARCH`). */
  value: string;
  start: number;
  end: number;
}

export interface ShellAssignment {
  name: string;
  value: string;
  start: number;
  end: number;
}

export interface ShellCommand {
  /** Basename of the command word (`/usr/local/go/bin/go` → `go`), null for a bare assignment. */
  name: string | null;
  /** The command word and its arguments, redirections excluded. */
  words: ShellWord[];
  /** `NAME=value` prefixes, including those given through `env`. */
  assignments: ShellAssignment[];
  start: number;
  end: number;
  /** 0 at top level, 1+ inside `$(...)`, backticks or `sh -c`. */
  depth: number;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** Nesting past MAX_NESTING was left unread: the commands inside it are unknown. */
  truncated?: boolean;
  vars: VarRef[];
  /** Names the script itself assigns (`A=1`, `export A=1`, `for A in`, `read A`). */
  assigned: Set<string>;
}

export interface ShellOptions {
  /** The Dockerfile escape character: `<escape><newline>` joins lines and is skipped. */
  continuation?: string;
}

type Token =
  | { kind: 'word'; word: ShellWord }
  | { kind: 'op'; op: string; start: number; end: number };

const NAME_START = /[A-Za-z_]/;
const OPERATORS = ['&&', '||', ';;', '|&', '>>', '<<<', '<<-', '<<', '>&', '<&', '&>', '>|', ';', '&', '|', '(', ')', '<', '>'];
const OPERATOR_START = new Set(OPERATORS.map((op) => op[0]));
const SEPARATORS = new Set(['&&', '||', ';;', '|&', ';', '&', '|', '(', ')', '\n']);
const REDIRECTS = new Set(['>>', '<<<', '<<-', '<<', '>&', '<&', '&>', '>|', '<', '>']);
/** Keywords after which a new command starts (`if make; then go build; fi`). */
const COMMAND_PREFIX_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'while', 'until', 'do', '!', '{', 'time']);
const COMMAND_END_KEYWORDS = new Set(['fi', 'done', 'esac', '}']);
/** Commands that run their arguments as a command (`env GOARCH=arm64 go build`). */
const WRAPPERS = new Set(['env', 'sudo', 'nice', 'nohup', 'exec', 'command', 'time', 'stdbuf']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** Characters that end a run of plain word characters: blanks, operator starts, quotes, backslash, `$`, backtick. */
const WORD_STOP = new Uint8Array(128);
for (const c of ' \t\n\r\'"\\$`') WORD_STOP[c.charCodeAt(0)] = 1;
for (const c of OPERATOR_START) WORD_STOP[c.charCodeAt(0)] = 1;
/** Inside double quotes: the closing quote, backslash, `$` and backtick. */
const QUOTED_STOP = new Uint8Array(128);
for (const c of '"\\$`') QUOTED_STOP[c.charCodeAt(0)] = 1;

function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

/** The words of a Dockerfile argument list (ARG, ENV), quotes removed, with offsets. */
export function readWords(text: string, from: number, to: number, continuation = '\\'): ShellWord[] {
  const ignored: ShellScript = { commands: [], vars: [], assigned: new Set() };
  const words: ShellWord[] = [];
  for (const token of new Lexer(text, from, to, continuation, ignored, 0).tokens()) if (token.kind === 'word') words.push(token.word);
  return words;
}

export function readShell(text: string, options: ShellOptions = {}, from = 0, to = text.length): ShellScript {
  const script: ShellScript = { commands: [], vars: [], assigned: new Set() };
  readInto(script, text, from, to, options.continuation ?? '\\', 0);
  return script;
}

/**
 * Substitutions and `sh -c` bodies nested deeper than this are kept as opaque words: input must not
 * drive the recursion (or the rescans of unclosed `$(`) without bound.
 */
export const MAX_NESTING = 32;

function readInto(script: ShellScript, text: string, from: number, to: number, continuation: string, depth: number): void {
  if (depth > MAX_NESTING) {
    script.truncated = true;
    return;
  }
  const lexer = new Lexer(text, from, to, continuation, script, depth);
  splitCommands(lexer.tokens(), script, text, continuation, depth);
}

class Lexer {
  private pos: number;
  constructor(
    private readonly text: string,
    from: number,
    private readonly to: number,
    private readonly continuation: string,
    private readonly script: ShellScript,
    private readonly depth: number,
  ) {
    this.pos = from;
  }

  tokens(): Token[] {
    const out: Token[] = [];
    while (this.pos < this.to) {
      const c = this.text[this.pos];
      if (this.skipContinuation()) continue;
      if (c === '\n') {
        out.push({ kind: 'op', op: '\n', start: this.pos, end: this.pos + 1 });
        this.pos++;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
      } else if (c === '#') {
        while (this.pos < this.to && this.text[this.pos] !== '\n') this.pos++;
      } else {
        const op = this.operatorAt(this.pos);
        if (op) {
          out.push({ kind: 'op', op, start: this.pos, end: this.pos + op.length });
          this.pos += op.length;
        } else {
          out.push({ kind: 'word', word: this.word() });
        }
      }
    }
    return out;
  }

  private operatorAt(pos: number): string | null {
    if (!OPERATOR_START.has(this.text[pos])) return null;
    for (const op of OPERATORS) if (this.text.startsWith(op, pos) && pos + op.length <= this.to) return op;
    return null;
  }

  /** Skips `<continuation>[ \t]*\r?\n` and the comment or blank lines Docker drops after it. */
  private skipContinuation(): boolean {
    if (this.text[this.pos] !== this.continuation) return false;
    let p = this.pos + 1;
    while (p < this.to && (this.text[p] === ' ' || this.text[p] === '\t' || this.text[p] === '\r')) p++;
    if (p >= this.to || this.text[p] !== '\n') return false;
    p++;
    for (;;) {
      let q = p;
      while (q < this.to && (this.text[q] === ' ' || this.text[q] === '\t' || this.text[q] === '\r')) q++;
      if (q < this.to && (this.text[q] === '#' || this.text[q] === '\n')) {
        while (q < this.to && this.text[q] !== '\n') q++;
        p = q + 1;
        continue;
      }
      break;
    }
    this.pos = Math.min(p, this.to);
    return true;
  }

  private word(): ShellWord {
    const start = this.pos;
    let value = '';
    let end = this.pos;
    while (this.pos < this.to) {
      const c = this.text[this.pos];
      if (this.skipContinuation()) continue;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
      if (this.operatorAt(this.pos)) break;
      if (c === "'") {
        const close = this.text.indexOf("'", this.pos + 1);
        const stop = close < 0 || close >= this.to ? this.to : close;
        value += this.text.slice(this.pos + 1, stop);
        this.pos = Math.min(stop + 1, this.to);
      } else if (c === '"') {
        this.pos++;
        while (this.pos < this.to && this.text[this.pos] !== '"') {
          if (this.skipContinuation()) continue;
          const d = this.text[this.pos];
          if (d === '\\' && this.pos + 1 < this.to) {
            const next = this.text[this.pos + 1];
            value += '$`"\\'.includes(next) ? next : d + next;
            this.pos += 2;
          } else if (d === '$' || d === '`') {
            value += this.expansion();
          } else {
            value += this.plainRun(QUOTED_STOP);
          }
        }
        this.pos = Math.min(this.pos + 1, this.to);
      } else if (c === '\\') {
        value += this.text[this.pos + 1] ?? '';
        this.pos += 2;
      } else if (c === '$' || c === '`') {
        value += this.expansion();
      } else {
        value += this.plainRun(WORD_STOP);
      }
      end = this.pos;
    }
    return { value, start, end: Math.min(end, this.to) };
  }

  /** A run of plain characters at once, up to the next character in `stops` or a continuation. */
  private plainRun(stops: Uint8Array): string {
    let p = this.pos + 1;
    while (p < this.to) {
      const code = this.text.charCodeAt(p);
      if ((code < 128 && stops[code] === 1) || this.text[p] === this.continuation) break;
      p++;
    }
    const run = this.text.slice(this.pos, p);
    this.pos = p;
    return run;
  }

  /** Reads `$X`, `${...}`, `$(...)`, `$((...))` or a backtick substitution; returns it as written. */
  private expansion(): string {
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '`') {
      const close = this.findClosingBacktick(this.pos + 1);
      readInto(this.script, this.text, this.pos + 1, close, this.continuation, this.depth + 1);
      this.pos = Math.min(close + 1, this.to);
      return this.text.slice(start, this.pos);
    }
    const next = this.text[this.pos + 1];
    if (next === '(') {
      const arithmetic = this.text[this.pos + 2] === '(';
      const close = this.findClosing(this.pos + 2, '(', ')');
      if (!arithmetic) readInto(this.script, this.text, this.pos + 2, close, this.continuation, this.depth + 1);
      this.pos = Math.min(close + 1, this.to);
      return this.text.slice(start, this.pos);
    }
    if (next === '{') {
      const close = this.findClosing(this.pos + 2, '{', '}');
      const inner = this.text.slice(this.pos + 2, close);
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(inner.replace(/^#/, ''));
      this.pos = Math.min(close + 1, this.to);
      if (name) {
        this.script.vars.push({ name: name[0], start, end: this.pos });
        // `${X:-$Y}`: the default can reference variables too.
        const operand = inner.slice(name[0].length + (inner.startsWith('#') ? 1 : 0));
        for (const m of operand.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
          const at = start + 2 + (inner.startsWith('#') ? 1 : 0) + name[0].length + m.index!;
          this.script.vars.push({ name: m[1], start: at, end: at + m[0].length + (m[0][1] === '{' ? 1 : 0) });
        }
      }
      return this.text.slice(start, this.pos);
    }
    if (next !== undefined && NAME_START.test(next)) {
      let p = this.pos + 2;
      while (p < this.to && isNameChar(this.text.charCodeAt(p))) p++;
      this.script.vars.push({ name: this.text.slice(this.pos + 1, p), start, end: p });
      this.pos = p;
      return this.text.slice(start, p);
    }
    // `$1`, `$?`, `$$`, `$@` or a lone `$`.
    this.pos += next !== undefined && /[0-9?$@*#!-]/.test(next) ? 2 : 1;
    return this.text.slice(start, this.pos);
  }

  private findClosing(from: number, open: string, close: string): number {
    let depth = 1;
    let p = from;
    while (p < this.to) {
      const c = this.text[p];
      if (c === '\\') p += 2;
      else if (c === "'") {
        const q = this.text.indexOf("'", p + 1);
        p = q < 0 ? this.to : q + 1;
      } else if (c === open) {
        depth++;
        p++;
      } else if (c === close) {
        if (--depth === 0) return p;
        p++;
      } else p++;
    }
    return this.to;
  }

  private findClosingBacktick(from: number): number {
    let p = from;
    while (p < this.to && this.text[p] !== '`') p += this.text[p] === '\\' ? 2 : 1;
    return Math.min(p, this.to);
  }
}

function splitCommands(tokens: Token[], script: ShellScript, text: string, continuation: string, depth: number): void {
  let words: ShellWord[] = [];
  let inCasePatterns = false;
  let caseHeader = false;

  const flush = () => {
    if (words.length > 0) pushCommand(words, script, text, continuation, depth);
    words = [];
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'op') {
      if (REDIRECTS.has(token.op)) {
        // The redirection target is not an argument; a file-descriptor number before it neither.
        const last = words[words.length - 1];
        if (last && /^\d+$/.test(last.value) && last.end === token.start) words.pop();
        if (tokens[i + 1]?.kind === 'word') i++;
        continue;
      }
      if (token.op === ')' && inCasePatterns) {
        inCasePatterns = false;
        words = [];
        continue;
      }
      if (token.op === ';;') inCasePatterns = true;
      if (SEPARATORS.has(token.op)) flush();
      continue;
    }
    const value = token.word.value;
    if (inCasePatterns) {
      if (value === 'esac') inCasePatterns = false;
      continue;
    }
    if (caseHeader) {
      if (value === 'in') {
        caseHeader = false;
        inCasePatterns = true;
      }
      continue;
    }
    if (words.length === 0) {
      if (COMMAND_PREFIX_KEYWORDS.has(value)) continue;
      if (COMMAND_END_KEYWORDS.has(value)) continue;
      if (value === 'case') {
        caseHeader = true;
        continue;
      }
      if (value === 'for') {
        const variable = tokens[i + 1];
        if (variable?.kind === 'word') script.assigned.add(variable.word.value);
        // Skip `for NAME in words` up to its separator; the loop body follows `do`.
        while (i + 1 < tokens.length && !(tokens[i + 1].kind === 'op' && SEPARATORS.has((tokens[i + 1] as { op: string }).op))) i++;
        continue;
      }
    }
    words.push(token.word);
  }
  flush();
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

function pushCommand(all: ShellWord[], script: ShellScript, text: string, continuation: string, depth: number): void {
  const assignments: ShellAssignment[] = [];
  let i = 0;
  const takeAssignments = () => {
    for (; i < all.length; i++) {
      const m = ASSIGNMENT.exec(all[i].value);
      if (!m) break;
      assignments.push({ name: m[1], value: all[i].value.slice(m[0].length), start: all[i].start, end: all[i].end });
    }
  };
  takeAssignments();
  while (i < all.length && WRAPPERS.has(basename(all[i].value))) {
    i++;
    while (i < all.length && all[i].value.startsWith('-')) i++; // `env -i`, `nice -n` (value follows)
    takeAssignments();
  }
  const words = all.slice(i);
  const name = words.length > 0 ? basename(words[0].value) : null;
  for (const a of assignments) script.assigned.add(a.name);
  if (name === 'export' || name === 'readonly' || name === 'declare' || name === 'local' || name === 'read') {
    for (const w of words.slice(1)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(w.value);
      if (m && !w.value.startsWith('-')) script.assigned.add(m[1]);
    }
  }
  const first = all[0];
  const last = all[all.length - 1];
  script.commands.push({ name, words, assignments, start: first.start, end: last.end, depth });

  // `sh -c "script"`: read the script too, where its text sits verbatim between quotes.
  if (name && SHELLS.has(name)) {
    const flagIndex = words.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w.value));
    const body = flagIndex >= 0 ? words[flagIndex + 1] : undefined;
    if (body) {
      const quoted = /^['"]/.test(text[body.start]) ? 1 : 0;
      // Substitutions inside a double-quoted body were read with the word; the body reads them again.
      const inside = (start: number) => start >= body.start && start < body.end;
      for (let i = script.commands.length - 1; i >= 0; i--) if (inside(script.commands[i].start)) script.commands.splice(i, 1);
      for (let i = script.vars.length - 1; i >= 0; i--) if (inside(script.vars[i].start)) script.vars.splice(i, 1);
      readInto(script, text, body.start + quoted, body.end - quoted, continuation, depth + 1);
    }
  }
}

export function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}
