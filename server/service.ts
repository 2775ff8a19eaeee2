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
import type { IncrementalParser } from '../core/ast';
import { fixText } from '../core/fix';
import { INVALID_DOCKERFILE, lint, type LintOptions, type LintResult } from '../core/lint';
import type { BuildContext } from '../core/model';
import type { Diagnostic, Edit, Fix, Rule } from '../core/rule';
import { rules as allRules } from '../rules/index';
import { ruleDocUrl } from '../rules/docs';
import { TOOL_VERSION } from '../core/version';
import type { EffectiveSettings } from './settings';

export { documentOffset, hover, hoverAt, hoverTable, isPosition, isRange, type HoverTable } from './hover';
import { hoverTable, isRange, type HoverTable } from './hover';

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
  /** What the worker read from the document's build context, as the CLI reads it (fix-all lints with it too). */
  context?: BuildContext;
}

/** What an analysis may be given besides the text: the build context read for it, the document's parser (analysisOf). */
export interface AnalysisInputs {
  context?: BuildContext;
  parser?: IncrementalParser;
}

export function analyze(text: string, settings: EffectiveSettings, rules: readonly Rule[] = allRules, inputs: AnalysisInputs = {}): Analysis {
  return { text, settings, result: lint(text, engineOptions(settings, rules, inputs)), rules, context: inputs.context };
}

/** The engine's options for an editor's settings (analyses, fix-all, the image checks). */
export function engineOptions(settings: EffectiveSettings, rules: readonly Rule[], { context, parser }: AnalysisInputs = {}): LintOptions {
  return {
    rules,
    buildPlatform: settings.buildPlatform,
    targetPlatforms: settings.targetPlatforms,
    severities: settings.severities,
    ruleOptions: settings.ruleOptions,
    context,
    parser,
  };
}

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

/** What a diagnostic carries for the code actions that answer it. */
export interface DiagnosticData {
  fix: 'safe' | 'unsafe' | 'display-only' | null;
}

/**
 * The LSP diagnostics of an analysis. Each links its rule's page as released with `version` (this
 * build's; a development build links the latest), as the CLI's JSON and SARIF do.
 */
export function diagnostics(analysis: Analysis, version: string = TOOL_VERSION): LspDiagnostic[] {
  return analysis.result.diagnostics.map((d) => toLspDiagnostic(analysis, d, version));
}

function toLspDiagnostic(analysis: Analysis, d: Diagnostic, version: string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: toLspRange(analysis, d.start, d.end),
    severity: SEVERITY[d.severity],
    code: d.ruleId,
    source: SOURCE,
    message: d.message,
    data: { fix: d.fix?.safety ?? null } satisfies DiagnosticData,
  };
  if (d.ruleId !== INVALID_DOCKERFILE) out.codeDescription = { href: ruleDocUrl(d.ruleId, version) };
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

/** A diagnostic with the quick fixes that answer it, ready to be picked by range. */
export interface PreparedDiagnostic {
  diagnostic: LspDiagnostic;
  fix: CodeAction | null;
  ignore: CodeAction | null;
}

/**
 * Everything the server answers about one text without the model: its diagnostics, their quick
 * fixes, every hover, and whether a fix-all would change anything. Plain data (the analysis
 * worker sends it to the server thread); valid for exactly the text it was computed on.
 */
export interface Prepared {
  uri: string;
  diagnostics: PreparedDiagnostic[];
  hovers: HoverTable;
  /** Some fix that `source.fixAll.xlint` applies is on offer (with these settings). */
  fixable: boolean;
  unsafeFixes: boolean;
}

export function prepare(analysis: Analysis, uri: string, version: string = TOOL_VERSION): Prepared {
  const instructionLines = instructionLinesOf(analysis);
  // A fix shared by many findings (10,001 edits for 10,000 arch URLs) is converted once, not per finding.
  const textEdits = new Map<Fix, TextEdit[]>();
  return {
    uri,
    diagnostics: analysis.result.diagnostics.map((d) => {
      const lsp = toLspDiagnostic(analysis, d, version);
      return { diagnostic: lsp, fix: quickFix(analysis, uri, d, lsp, textEdits), ignore: ignoreAction(analysis, uri, d, lsp, instructionLines) };
    }),
    hovers: hoverTable(analysis),
    fixable: isFixable(analysis),
    unsafeFixes: analysis.settings.unsafeFixes,
  };
}

/**
 * Code actions for a range: a quick fix per fixable diagnostic there (unsafe ones labelled,
 * display-only ones as suggestions, never preferred), "Ignore <rule> here", and the file's
 * `source.fixAll.xlint`.
 */
export function codeActions(analysis: Analysis, uri: string, range: Range, context: CodeActionRequestContext = {}): CodeAction[] {
  const prepared = prepare(analysis, uri);
  const fixAll = prepared.fixable && kindRequested(FIX_ALL_KIND, context.only) ? fixAllEdits(analysis) : [];
  return selectCodeActions(prepared, range, context, fixAll);
}

/** The code actions of prepared data for a range; `fixAll`: the fix-all edits, when they were asked for. */
export function selectCodeActions(prepared: Prepared, range: Range, context: CodeActionRequestContext = {}, fixAll: TextEdit[] = []): CodeAction[] {
  const actions: CodeAction[] = [];
  const only = Array.isArray(context.only) ? context.only.filter((k) => typeof k === 'string') : undefined;
  // Clients send what they were given back; anything else is ignored, not trusted.
  const named = Array.isArray(context.diagnostics) ? context.diagnostics.filter((c) => c && isRange(c.range)) : [];
  if (kindRequested(QUICK_FIX_KIND, only) && isRange(range)) {
    const ignores: CodeAction[] = [];
    for (const { diagnostic, fix, ignore } of prepared.diagnostics) {
      // The diagnostics under the cursor or selection, and those the client names (Neovim sends a line's).
      const isNamed = named.some((c) => c.code === diagnostic.code && sameRange(c.range, diagnostic.range));
      if (!isNamed && !intersects(diagnostic.range, range)) continue;
      if (fix) actions.push(fix);
      if (ignore && !ignores.some((i) => i.title === ignore.title)) ignores.push(ignore);
    }
    actions.push(...ignores);
  }
  if (kindRequested(FIX_ALL_KIND, only) && fixAll.length > 0) actions.push(fixAllAction(prepared, fixAll));
  return actions;
}

function quickFix(analysis: Analysis, uri: string, d: Diagnostic, lsp: LspDiagnostic, textEdits: Map<Fix, TextEdit[]>): CodeAction | null {
  const fix = d.fix;
  if (!fix || fix.edits.length === 0) return null;
  let edits = textEdits.get(fix);
  if (!edits) textEdits.set(fix, (edits = toTextEdits(analysis, fix.edits)));
  const title = fix.safety === 'safe' ? fix.title : fix.safety === 'unsafe' ? `${fix.title} (unsafe)` : `Suggestion: ${fix.title}`;
  return {
    title,
    kind: QUICK_FIX_KIND,
    diagnostics: [lsp],
    isPreferred: fix.safety === 'safe',
    edit: { changes: { [uri]: edits } },
  };
}

/** The first and last line of every instruction, in order (instructions do not overlap). */
function instructionLinesOf(analysis: Analysis): [number, number][] {
  return analysis.result.model.ast.getInstructions().map((i) => {
    const r = i.getRange();
    return [r.start.line, r.end.line];
  });
}

/** The first line of the instruction on `line`, by binary search (prepare() asks once per diagnostic). */
function instructionStart(lines: [number, number][], line: number): number | null {
  let low = 0;
  let high = lines.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (lines[mid][1] < line) low = mid + 1;
    else if (lines[mid][0] > line) high = mid - 1;
    else return lines[mid][0];
  }
  return null;
}

const IGNORE_PREFIX = /^[ \t]*#\s*xlint\s+ignore\s*=\s*/i;
const IGNORE_IDS = /^[\w,\s-]*$/;

/**
 * A `# xlint ignore=a,b` comment line: the length of its text up to the end of the last id (where
 * another id goes) and the ids. Linear in the line's length: the ids are matched by a regex that
 * cannot backtrack, and trailing space is trimmed, not matched (a lazy group followed by `\s*$`
 * took seconds on an ignore comment followed by 160k spaces and a stray character).
 */
export function readIgnoreComment(line: string): { end: number; ids: string[] } | null {
  const prefix = IGNORE_PREFIX.exec(line);
  if (!prefix) return null;
  const rest = line.slice(prefix[0].length);
  if (!IGNORE_IDS.test(rest)) return null;
  const idsText = rest.trimEnd();
  return { end: prefix[0].length + idsText.length, ids: idsText.split(',').map((s) => s.trim()).filter(Boolean) };
}

/**
 * `# xlint ignore=<id>` on a new line above the instruction, at its indentation and with the file's
 * line ending; added to an `# xlint ignore=` comment already there.
 */
function ignoreAction(analysis: Analysis, uri: string, d: Diagnostic, lsp: LspDiagnostic, instructionLines = instructionLinesOf(analysis)): CodeAction | null {
  if (d.ruleId === INVALID_DOCKERFILE) return null;
  const { model } = analysis.result;
  const at = instructionStart(instructionLines, d.range.start.line);
  if (at === null) return null;
  const source = model.source;
  const above = at > 0 ? lineText(source, at - 1) : null;
  const comment = above === null ? null : readIgnoreComment(above);
  let edit: Edit;
  if (comment) {
    if (comment.ids.includes(d.ruleId)) return null;
    const end = source.lineStarts[at - 1] + comment.end;
    edit = { start: end, end, text: (comment.ids.length > 0 ? ',' : '') + d.ruleId };
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

function fixAllAction(prepared: Prepared, edits: TextEdit[]): CodeAction {
  return {
    title: prepared.unsafeFixes ? 'Fix all xlint problems (safe and unsafe fixes)' : 'Fix all auto-fixable xlint problems',
    kind: FIX_ALL_KIND,
    edit: { changes: { [prepared.uri]: edits } },
  };
}

function isFixable(analysis: Analysis): boolean {
  return analysis.result.diagnostics.some((d) => d.fix && (d.fix.safety === 'safe' || (analysis.settings.unsafeFixes && d.fix.safety === 'unsafe')));
}

/**
 * Every safe fix (and the unsafe ones with `xlint.unsafeFixes`), to a fixed point, as minimal
 * line edits against the document: untouched lines keep their place, so do cursors and marks.
 */
export function fixAllEdits(analysis: Analysis): TextEdit[] {
  if (!isFixable(analysis)) return [];
  const fixed = fixText(analysis.text, { ...engineOptions(analysis.settings, analysis.rules, { context: analysis.context }), unsafe: analysis.settings.unsafeFixes });
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
