/** The engine: build the model once, run every rule on it, apply suppressions. */
import { lineText, offsetAt, rangeOf, type Range } from './document';
import type { ImageIndex } from './images';
import { buildModel, type BuildOptions, type Model } from './model';
import { formatMessage, type Diagnostic, type Rule, type Severity } from './rule';

export interface LintOptions extends BuildOptions {
  rules: readonly Rule[];
  /** Per-rule severity overrides; "off" disables the rule. */
  severities?: Record<string, Severity | 'off'>;
  /** Per-rule options, from the configuration. */
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** What registries said about the images the build pulls (`--check-images`), read by an adapter; none: not judged. */
  images?: ImageIndex;
}

/** The pseudo-rule under which a malformed Dockerfile's errors are reported. */
export const INVALID_DOCKERFILE = 'invalid-dockerfile';
/** The pseudo-rule under which a file too complex to model fully is reported (information: the rules stayed silent on what is unknown). */
export const MODEL_LIMIT = 'model-limit';

export interface Suppression {
  /** Rule ids (ours, or the BuildKit / hadolint ids our rules mirror) as written. */
  ids: string[];
  /** The comment, for `--report-unused-ignores`. */
  range: Range;
  /** Lines it covers (0-based, inclusive); the whole file for a global one. */
  fromLine: number;
  toLine: number;
  used: Set<string>;
}

export interface LintResult {
  model: Model;
  diagnostics: Diagnostic[];
  suppressions: Suppression[];
}

export function lint(text: string, options: LintOptions): LintResult {
  const model = buildModel(text, options);
  return lintModel(model, options);
}

const NO_IMAGES: ImageIndex = new Map();

export function lintModel(model: Model, options: LintOptions): LintResult {
  const diagnostics: Diagnostic[] = [];
  const suppressions = readSuppressions(model);
  for (const rule of options.rules) {
    const override = options.severities?.[rule.meta.id];
    if (override === 'off') continue;
    const configured = override ?? null;
    rule.check({
      model,
      options: options.ruleOptions?.[rule.meta.id] ?? {},
      images: options.images ?? NO_IMAGES,
      report(report) {
        const template = rule.meta.messages[report.messageId];
        if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown message id "${report.messageId}"`);
        if (report.fix && !rule.meta.fixes.includes(report.fix.safety)) {
          throw new Error(`rule ${rule.meta.id} offered a ${report.fix.safety} fix but declares only [${rule.meta.fixes.join(', ')}]`);
        }
        const range = rangeOf(model.source, report.start, report.end);
        if (isSuppressed(suppressions, rule, range.start.line)) return;
        diagnostics.push({
          ruleId: rule.meta.id,
          severity: configured ?? report.severity ?? rule.meta.severity,
          message: formatMessage(template, report.data),
          range,
          start: report.start,
          end: report.end,
          fix: report.fix ?? null,
        });
      },
    });
  }
  for (const error of model.errors) {
    diagnostics.push({
      ruleId: INVALID_DOCKERFILE,
      severity: 'error',
      message: error.message,
      range: error.range,
      start: offsetAt(model.source, error.range.start),
      end: offsetAt(model.source, error.range.end),
      fix: null,
    });
  }
  for (const limit of model.limits) {
    diagnostics.push({
      ruleId: MODEL_LIMIT,
      severity: 'info',
      message: `too complex to model fully: ${limit.message}`,
      range: limit.range,
      start: offsetAt(model.source, limit.range.start),
      end: offsetAt(model.source, limit.range.end),
      fix: null,
    });
  }
  diagnostics.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return { model, diagnostics, suppressions };
}

function isSuppressed(suppressions: Suppression[], rule: Rule, line: number): boolean {
  const names = [rule.meta.id, rule.meta.docs.mirrors?.buildkit, rule.meta.docs.mirrors?.hadolint].filter((n): n is string => !!n);
  let suppressed = false;
  for (const s of suppressions) {
    if (line < s.fromLine || line > s.toLine) continue;
    for (const id of s.ids) {
      if (id === 'all' || names.some((n) => n.toLowerCase() === id.toLowerCase())) {
        s.used.add(id);
        suppressed = true;
      }
    }
  }
  return suppressed;
}

// Matched against trimmed lines; no two adjacent unbounded \s* (that backtracks quadratically on a run of spaces).
const XLINT_COMMENT = /^#\s*xlint\s+(global\s+)?ignore\s*=\s*([\w-]+(?:\s*,\s*[\w-]+)*),?$/i;
const HADOLINT_COMMENT = /^#\s*hadolint\s+(global\s+)?ignore\s*=\s*([\w-]+(?:\s*,\s*[\w-]+)*),?$/i;

/**
 * `# xlint ignore=a,b` covers the next instruction (a whole stage when that is a FROM);
 * `# xlint global ignore=a` the file; `# check=skip=A,B` the BuildKit checks; `# hadolint ignore=DL3029` likewise.
 */
function readSuppressions(model: Model): Suppression[] {
  const out: Suppression[] = [];
  const lastLine = model.source.lineStarts.length - 1;
  for (const directive of model.directives) {
    if (directive.name.toLowerCase() !== 'check') continue;
    const skip = /(?:^|;)\s*skip\s*=\s*([^;]*)/i.exec(directive.value);
    if (!skip) continue;
    const ids = skip[1].split(',').map((s) => s.trim()).filter(Boolean);
    out.push({ ids, range: lineRange(model, directive.line), fromLine: 0, toLine: lastLine, used: new Set() });
  }
  const instructions = model.ast.getInstructions();
  // dockerfile-ast reads a leading `# hadolint ignore=X` as a parser directive: take those lines too.
  const commentLines = [
    ...model.ast.getComments().map((c) => c.getRange()),
    ...model.ast.getDirectives().map((d) => d.getRange()),
  ];
  for (const range of commentLines) {
    const line = range.start.line;
    const text = lineText(model.source, line).trim();
    const match = XLINT_COMMENT.exec(text) ?? HADOLINT_COMMENT.exec(text);
    if (!match) continue;
    const ids = match[2].split(',').map((s) => s.trim()).filter(Boolean);
    if (match[1]) {
      out.push({ ids, range, fromLine: 0, toLine: lastLine, used: new Set() });
      continue;
    }
    const next = instructions.find((i) => i.getRange().start.line > line);
    if (!next) continue;
    let toLine = next.getRange().end.line;
    if (next.getKeyword() === 'FROM') {
      const stage = model.stages.find((s) => s.from === next);
      const following = stage ? model.stages[stage.index + 1] : undefined;
      toLine = following ? following.line - 1 : lastLine;
    }
    out.push({ ids, range, fromLine: next.getRange().start.line, toLine, used: new Set() });
  }
  return out;
}

function offsetOfLine(model: Model, line: number): number {
  return model.source.lineStarts[line] ?? model.source.text.length;
}

function lineRange(model: Model, line: number): Range {
  return rangeOf(model.source, offsetOfLine(model, line), offsetOfLine(model, line + 1));
}
