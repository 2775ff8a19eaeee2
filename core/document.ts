/** Source text facts computed once: BOM, line endings, offsets ↔ positions. */

/** 0-based, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface SourceText {
  /** The text without its BOM: every offset and position refers to this. */
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
  lineStarts: number[];
}

export function sourceText(raw: string): SourceText {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  const lineStarts = [0];
  let crlf = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      lineStarts.push(i + 1);
      if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    }
  }
  const lf = lineStarts.length - 1 - crlf;
  return { text, bom, eol: crlf > lf ? '\r\n' : '\n', lineStarts };
}

export function positionAt(source: SourceText, offset: number): Position {
  return positionInLines(source.lineStarts, offset);
}

/** The offsets at which lines start in a text (LF-terminated; a CR before the LF stays on its line). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The position of an offset, given the line starts of its text. */
export function positionInLines(starts: number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - starts[low] };
}

export function offsetAt(source: SourceText, position: Position): number {
  const start = source.lineStarts[position.line];
  if (start === undefined) return source.text.length;
  return Math.min(start + position.character, source.text.length);
}

export function rangeOf(source: SourceText, start: number, end: number): Range {
  return { start: positionAt(source, start), end: positionAt(source, end) };
}

export function lineText(source: SourceText, line: number): string {
  const start = source.lineStarts[line] ?? source.text.length;
  const next = source.lineStarts[line + 1] ?? source.text.length;
  return source.text.slice(start, next).replace(/\r?\n$/, '');
}
