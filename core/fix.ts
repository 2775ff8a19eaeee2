/**
 * Applies fixes: edits as data, sorted, an edit overlapping an earlier one waits for the next pass,
 * passes repeat until nothing changes (bounded), and every pass is re-parsed and checked: a fix may
 * not change the number of stages, drop a comment, touch a parser directive or add a parse error.
 */
import { lint, type LintOptions, type LintResult } from './lint';
import { append, type Model } from './model';
import type { Diagnostic, Edit, Fix, FixSafety } from './rule';

export interface FixOptions extends LintOptions {
  /** Apply unsafe fixes too (`--unsafe-fixes`). */
  unsafe?: boolean;
  maxPasses?: number;
}

export interface FixResult {
  /** The fixed text, with the original BOM. */
  output: string;
  changed: boolean;
  /** Diagnostics whose fixes were applied, over all passes. */
  applied: Diagnostic[];
  passes: number;
  /** True when the passes ran out before the text stopped changing. */
  converged: boolean;
  /** The lint result of the final text. */
  result: LintResult;
}

export function fixableSafeties(unsafe: boolean | undefined): FixSafety[] {
  return unsafe ? ['safe', 'unsafe'] : ['safe'];
}

export function fixText(raw: string, options: FixOptions): FixResult {
  const allowed = fixableSafeties(options.unsafe);
  const maxPasses = options.maxPasses ?? 10;
  const applied: Diagnostic[] = [];
  let result = lint(raw, options);
  const bom = result.model.source.bom ? '\ufeff' : '';
  let text = result.model.source.text;
  let passes = 0;
  let converged = false;
  // A Dockerfile the model cannot read completely is not rewritten.
  if (result.model.errors.length > 0) return { output: raw, changed: false, applied, passes, converged: true, result };
  while (passes < maxPasses) {
    const candidates = result.diagnostics.filter((d) => d.fix && allowed.includes(d.fix.safety));
    const chosen = chooseNonOverlapping(candidates);
    if (chosen.length === 0) {
      converged = true;
      break;
    }
    passes++;
    let next = applyEdits(text, chosen.flatMap((d) => d.fix!.edits));
    let nextResult = lint(bom + next, options);
    if (violation(result.model, nextResult.model)) {
      // Find the fixes that are fine on their own; drop the rest.
      const kept: Diagnostic[] = [];
      for (const d of chosen) {
        const attempt = applyEdits(text, [...kept, d].flatMap((k) => k.fix!.edits));
        if (!violation(result.model, lint(bom + attempt, options).model)) kept.push(d);
      }
      if (kept.length === 0) break;
      next = applyEdits(text, kept.flatMap((d) => d.fix!.edits));
      nextResult = lint(bom + next, options);
      chosen.length = 0;
      append(chosen, kept);
    }
    if (next === text) {
      converged = true;
      break;
    }
    append(applied, chosen);
    text = next;
    result = nextResult;
  }
  return { output: bom + text, changed: applied.length > 0, applied, passes, converged, result };
}

/**
 * Fixes in document order; one that overlaps an accepted one waits for the next pass. A Fix object
 * shared by several findings (one edit for a whole stage or instruction) is taken once. Accepted
 * edits are kept sorted, so each check is a binary search: linear-logarithmic in the edits.
 */
function chooseNonOverlapping(diagnostics: Diagnostic[]): Diagnostic[] {
  // Each fix's first edit computed once: in the comparator it was recomputed per comparison, and a
  // fix shared by 20,000 findings has 20,001 edits (issue 11, fuzz fixture over-bound-shared-fix).
  const first = new Map<Fix, number>();
  for (const d of diagnostics) if (!first.has(d.fix!)) first.set(d.fix!, firstEdit(d.fix!));
  const sorted = [...diagnostics].sort((a, b) => first.get(a.fix!)! - first.get(b.fix!)!);
  const taken: Edit[] = [];
  const seen = new Set<Fix>();
  const chosen: Diagnostic[] = [];
  for (const d of sorted) {
    const fix = d.fix!;
    if (seen.has(fix)) continue;
    if (fix.edits.some((e) => overlapsTaken(taken, e))) continue;
    for (const e of fix.edits) taken.splice(insertionIndex(taken, e.start), 0, e);
    seen.add(fix);
    chosen.push(d);
  }
  return chosen;
}

/** First index whose edit starts at or after `start`. */
function insertionIndex(taken: Edit[], start: number): number {
  let lo = 0;
  let hi = taken.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (taken[mid].start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function overlapsTaken(taken: Edit[], edit: Edit): boolean {
  const i = insertionIndex(taken, edit.start);
  // Neighbours only: accepted edits do not overlap each other, so sorted by start they are sorted by end too.
  return [taken[i - 1], taken[i], taken[i + 1]].some((t) => t !== undefined && overlaps(edit, t));
}

function firstEdit(fix: Fix): number {
  return fix.edits.reduce((min, e) => Math.min(min, e.start), Infinity);
}

function overlaps(a: Edit, b: Edit): boolean {
  // Two insertions at the same point would race for order: treat them as overlapping too.
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

/** Applies non-overlapping edits in one pass over the text (insertions at one point keep their order). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((edit, i) => ({ edit, i })).sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.i - b.i);
  const parts: string[] = [];
  let at = 0;
  for (const { edit } of sorted) {
    parts.push(text.slice(at, edit.start), edit.text);
    at = Math.max(at, edit.end);
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** What no fix may do. */
function violation(before: Model, after: Model): string | null {
  if (after.stages.length !== before.stages.length) return 'changed the number of stages';
  if (after.errors.length > before.errors.length) return 'introduced a parse error';
  const directives = (m: Model) => JSON.stringify(m.directives.map((d) => [d.name, d.value, d.line]));
  if (directives(after) !== directives(before)) return 'touched a parser directive';
  const comments = (m: Model) => m.ast.getComments().map((c) => c.getContent()).sort().join('\n');
  if (comments(after) !== comments(before)) return 'changed a comment';
  if (after.escapeChar !== before.escapeChar) return 'changed the escape character';
  return null;
}
