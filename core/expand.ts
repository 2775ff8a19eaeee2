/** Dockerfile-level variable expansion (FROM, --platform, ARG defaults), as BuildKit's shell lexer does it. */

/** A lookup returns the value, or undefined when the name is not set. */
export type Lookup = (name: string) => string | null | undefined;

export interface Reference {
  name: string;
  start: number;
  end: number;
}

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `onEmpty` hears of each name that expanded to nothing for want of a value (no default operator). */
export function expand(text: string, lookup: Lookup, escapeChar = '\\', onEmpty?: (name: string) => void): string {
  if (!text.includes('$')) return text;
  let out = '';
  let last = 0;
  for (const m of matches(text, escapeChar)) {
    out += text.slice(last, m.index);
    const name = m[1] ?? m[4];
    const value = lookup(name);
    const set = value !== undefined && value !== null;
    const nonEmpty = set && value !== '';
    const operator = m[2];
    const operand = m[3] ?? '';
    if (!operator) {
      out += value ?? '';
      if (!nonEmpty) onEmpty?.(name);
    }
    else if (operator === '-') out += set ? value : expand(operand, lookup, escapeChar, onEmpty);
    else if (operator === ':-') out += nonEmpty ? value : expand(operand, lookup, escapeChar, onEmpty);
    else if (operator === '+') out += set ? expand(operand, lookup, escapeChar, onEmpty) : '';
    else if (operator === ':+') out += nonEmpty ? expand(operand, lookup, escapeChar, onEmpty) : '';
    else out += value ?? '';
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

/** Every `$NAME` / `${NAME...}` in the text, including those inside `${X:-$Y}` defaults. */
export function references(text: string, escapeChar = '\\'): Reference[] {
  if (!text.includes('$')) return [];
  const out: Reference[] = [];
  for (const m of matches(text, escapeChar)) {
    const name = m[1] ?? m[4];
    out.push({ name, start: m.index, end: m.index + m[0].length });
    if (m[3]) {
      const operandStart = m.index + m[0].length - 1 - m[3].length;
      for (const inner of references(m[3], escapeChar)) {
        out.push({ name: inner.name, start: operandStart + inner.start, end: operandStart + inner.end });
      }
    }
  }
  return out;
}

function* matches(text: string, escapeChar: string): Generator<RegExpExecArray> {
  const regex = new RegExp(REFERENCE.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text))) {
    if (m.index > 0 && text[m.index - 1] === escapeChar) continue;
    yield m;
  }
}
