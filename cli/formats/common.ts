/** What the formatters share: their signature, the path every one of them prints, and XML escaping. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Range } from '../../core/document';
import type { Rule } from '../../core/rule';
import type { FileReport } from '../report';

export interface FormatContext {
  /** The rules that ran, for the rule metadata some formats carry (SARIF). */
  rules: readonly Rule[];
  /** Paths in the output are relative to it. */
  cwd: string;
  toolVersion: string;
  /** Colours (stylish only); decided by the command from flags, NO_COLOR / FORCE_COLOR and the terminal. */
  color?: boolean;
  /** Whether unsafe fixes were enabled (stylish hints at them when not). */
  unsafeFixes?: boolean;
}

export type Formatter = (reports: FileReport[], context: FormatContext) => string;

/**
 * The file's path relative to `cwd` with forward slashes, as CI systems expect; null when the file
 * lies outside `cwd` (another drive, or up the tree), where a relative path would mislead.
 */
export function relativePath(filePath: string, cwd: string): string | null {
  const rel = relative(cwd, resolve(cwd, filePath));
  if (rel === '' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return null;
  return rel.split(sep).join('/');
}

/** The path to print: relative to `cwd` when it lies inside it, else absolute; forward slashes either way. */
export function displayPath(filePath: string, cwd: string): string {
  return relativePath(filePath, cwd) ?? resolve(cwd, filePath).split(sep).join('/');
}

/** The 1-based last line a range touches; a range that ends at the start of a line ends on the one before. */
export function lastLine(range: Range): number {
  return range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
}

/**
 * Text for XML 1.0 content and double-quoted attributes. Characters XML cannot carry at all (most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD; tab and line breaks are written as
 * references so that attribute normalization keeps them.
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"'\t\n\r]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => XML_ENTITIES[c] ?? '\ufffd',
  );
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
