/**
 * The language service: a document's text and settings in, LSP data out. No connection, no files,
 * no timers (rcjsuen's layering): the server only calls these, and tests call them directly.
 */
import { diffLines } from 'diff';
import type {
  CodeAction,
  Diagnostic as LspDiagnostic,
  Position,
  Range,
  TextEdit,
} from 'vscode-languageserver';
import { lineStartsOf, lineText, offsetAt, positionAt, positionInLines } from '../core/document';
import { fixText } from '../core/fix';
import { INVALID_DOCKERFILE, lint, type LintResult } from '../core/lint';
import type { Diagnostic, Edit, Rule } from '../core/rule';
import { rules as allRules } from '../rules/index';
import { ruleDocUrl } from '../rules/docs';
import type { EffectiveSettings } from './settings';

export { hover } from './hover';

export const SOURCE = 'xlint';
/** `editor.codeActionsOnSave: { "source.fixAll.xlint": "explicit" }` */
export const FIX_ALL_KIND = 'source.fixAll.xlint';
export const QUICK_FIX_KIND = 'quickfix';

/** One document linted once: every request on the same version and settings reads this. */
export interface Analysis {
  /** The document's text as the editor has it (a BOM, if any, included). */
  text: string;
  settings: EffectiveSettings;
  result: LintResult;
  rules: readonly Rule[];
}

export function analyze(text: string, settings: EffectiveSettings, rules: readonly Rule[] = allRules): Analysis {
  const result = lint(text, {
    rules,
    buildPlatform: settings.buildPlatform,
    targetPlatforms: settings.targetPlatforms,
    severities: settings.severities,
    ruleOptions: settings.ruleOptions,
  });
  return { text, settings, result, rules };
}

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

/** What a diagnostic carries for the code actions that answer it. */
export interface DiagnosticData {
  fix: 'safe' | 'unsafe' | 'display-only' | null;
}

export function diagnostics(analysis: Analysis): LspDiagnostic[] {
  return analysis.result.diagnostics.map((d) => toLspDiagnostic(analysis, d));
}

function toLspDiagnostic(analysis: Analysis, d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: toLspRange(analysis, d.start, d.end),
    severity: SEVERITY[d.severity],
    code: d.ruleId,
    source: SOURCE,
    message: d.message,
    data: { fix: d.fix?.safety ?? null } satisfies DiagnosticData,
  };
  if (d.ruleId !== INVALID_DOCKERFILE) out.codeDescription = { href: ruleDocUrl(d.ruleId) };
  return out;
}

/**
 * The model's offsets and positions refer to the text without its BOM; an editor that keeps the BOM
 * in the document (most drop it) counts it as a character of line 0.
 */
function bomShift(analysis: Analysis): number {
  return analysis.result.model.source.bom && analysis.text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

function toLspPosition(analysis: Analysis, offset: number): Position {
  const p = positionAt(analysis.result.model.source, offset);
  return p.line === 0 ? { line: 0, character: p.character + bomShift(analysis) } : p;
}

function toLspRange(analysis: Analysis, start: number, end: number): Range {
  return { start: toLspPosition(analysis, start), end: toLspPosition(analysis, end) };
}

/** An LSP position → an offset in the model's (BOM-less) text. */
export function offsetOf(analysis: Analysis, position: Position): number {
  const character = position.line === 0 ? Math.max(0, position.character - bomShift(analysis)) : position.character;
  return offsetAt(analysis.result.model.source, { line: position.line, character });
}

function toTextEdits(analysis: Analysis, edits: Edit[]): TextEdit[] {
  return edits.map((e) => ({ range: toLspRange(analysis, e.start, e.end), newText: e.text }));
}

/** Whether a requested `only` kind asks for actions of `kind` (`source` asks for `source.fixAll.xlint`). */
export function kindRequested(kind: string, only: string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((k) => kind === k || kind.startsWith(k + '.'));
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function intersects(a: Range, b: Range): boolean {
  return before(a.start, b.end) && before(b.start, a.end);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The parts of an LSP CodeActionContext the service reads. */
export interface CodeActionRequestContext {
  only?: string[];
  diagnostics?: { code?: string | number; range: Range }[];
}

/**
 * Code actions for a range: a quick fix per fixable diagnostic there (unsafe ones labelled,
 * display-only ones as suggestions, never preferred), "Ignore <rule> here", and the file's
 * `source.fixAll.xlint`.
 */
export function codeActions(analysis: Analysis, uri: string, range: Range, context: CodeActionRequestContext = {}): CodeAction[] {
  const actions: CodeAction[] = [];
  const only = context.only;
  if (kindRequested(QUICK_FIX_KIND, only)) {
    const ignores: CodeAction[] = [];
    for (const d of analysis.result.diagnostics) {
      const lsp = toLspDiagnostic(analysis, d);
      // The diagnostics under the cursor or selection, and those the client names (Neovim sends a line's).
      const named = context.diagnostics?.some((c) => c.code === lsp.code && sameRange(c.range, lsp.range));
      if (!named && !intersects(lsp.range, range)) continue;
      const fix = quickFix(analysis, uri, d, lsp);
      if (fix) actions.push(fix);
      const ignore = ignoreAction(analysis, uri, d, lsp);
      if (ignore && !ignores.some((i) => i.title === ignore.title)) ignores.push(ignore);
    }
    actions.push(...ignores);
  }
  if (kindRequested(FIX_ALL_KIND, only)) {
    const fixAll = fixAllAction(analysis, uri);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function quickFix(analysis: Analysis, uri: string, d: Diagnostic, lsp: LspDiagnostic): CodeAction | null {
  const fix = d.fix;
  if (!fix || fix.edits.length === 0) return null;
  const title = fix.safety === 'safe' ? fix.title : fix.safety === 'unsafe' ? `${fix.title} (unsafe)` : `Suggestion: ${fix.title}`;
  return {
    title,
    kind: QUICK_FIX_KIND,
    diagnostics: [lsp],
    isPreferred: fix.safety === 'safe',
    edit: { changes: { [uri]: toTextEdits(analysis, fix.edits) } },
  };
}

const IGNORE_COMMENT = /^([ \t]*#\s*xlint\s+ignore\s*=\s*)([\w,\s-]*?)(\s*)$/i;

/**
 * `# xlint ignore=<id>` on a new line above the instruction, at its indentation and with the file's
 * line ending; added to an `# xlint ignore=` comment already there.
 */
function ignoreAction(analysis: Analysis, uri: string, d: Diagnostic, lsp: LspDiagnostic): CodeAction | null {
  if (d.ruleId === INVALID_DOCKERFILE) return null;
  const { model } = analysis.result;
  const line = d.range.start.line;
  const instruction = model.ast.getInstructions().find((i) => i.getRange().start.line <= line && line <= i.getRange().end.line);
  if (!instruction) return null;
  const at = instruction.getRange().start.line;
  const source = model.source;
  const above = at > 0 ? lineText(source, at - 1) : null;
  const match = above === null ? null : IGNORE_COMMENT.exec(above);
  let edit: Edit;
  if (match) {
    const ids = match[2].split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.includes(d.ruleId)) return null;
    const end = source.lineStarts[at - 1] + match[1].length + match[2].length;
    edit = { start: end, end, text: (ids.length > 0 ? ',' : '') + d.ruleId };
  } else {
    const indent = /^[ \t]*/.exec(lineText(source, at))![0];
    const start = source.lineStarts[at];
    edit = { start, end: start, text: `${indent}# xlint ignore=${d.ruleId}${source.eol}` };
  }
  return {
    title: `Ignore ${d.ruleId} here`,
    kind: QUICK_FIX_KIND,
    diagnostics: [lsp],
    isPreferred: false,
    edit: { changes: { [uri]: toTextEdits(analysis, [edit]) } },
  };
}

function fixAllAction(analysis: Analysis, uri: string): CodeAction | null {
  const edits = fixAllEdits(analysis);
  if (edits.length === 0) return null;
  return {
    title: analysis.settings.unsafeFixes ? 'Fix all xlint problems (safe and unsafe fixes)' : 'Fix all auto-fixable xlint problems',
    kind: FIX_ALL_KIND,
    edit: { changes: { [uri]: edits } },
  };
}

/**
 * Every safe fix (and the unsafe ones with `xlint.unsafeFixes`), to a fixed point, as minimal
 * line edits against the document: untouched lines keep their place, so do cursors and marks.
 */
export function fixAllEdits(analysis: Analysis): TextEdit[] {
  const fixable = analysis.result.diagnostics.some((d) => d.fix && (d.fix.safety === 'safe' || (analysis.settings.unsafeFixes && d.fix.safety === 'unsafe')));
  if (!fixable) return [];
  const fixed = fixText(analysis.text, {
    rules: analysis.rules,
    buildPlatform: analysis.settings.buildPlatform,
    targetPlatforms: analysis.settings.targetPlatforms,
    severities: analysis.settings.severities,
    ruleOptions: analysis.settings.ruleOptions,
    unsafe: analysis.settings.unsafeFixes,
  });
  if (!fixed.changed || fixed.output === analysis.text) return [];
  return minimalEdits(analysis.text, fixed.output);
}

/** Line-level edits that turn `before` into `after`. */
export function minimalEdits(before: string, after: string): TextEdit[] {
  const starts = lineStartsOf(before);
  const position = (offset: number): Position => positionInLines(starts, offset);
  const edits: TextEdit[] = [];
  let offset = 0;
  let pending: { start: number; end: number; text: string } | null = null;
  const flush = () => {
    if (pending) edits.push({ range: { start: position(pending.start), end: position(pending.end) }, newText: pending.text });
    pending = null;
  };
  for (const change of diffLines(before, after)) {
    if (change.added) {
      pending ??= { start: offset, end: offset, text: '' };
      pending.text += change.value;
    } else if (change.removed) {
      pending ??= { start: offset, end: offset, text: '' };
      offset += change.value.length;
      pending.end = offset;
    } else {
      flush();
      offset += change.value.length;
    }
  }
  flush();
  return edits;
}
