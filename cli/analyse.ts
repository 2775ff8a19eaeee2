/**
 * One file's analysis as the lint command needs it — findings, the fixed text, the diff — from
 * plain data to plain data, so it runs the same on the main thread and in a lint worker
 * (parallel-lint.ts). Reading files, caches, severity filters and writes stay with the caller.
 */
import { createTwoFilesPatch } from 'diff';
import { fixText } from '../core/fix';
import { lint, type LintOptions, type LintResult } from '../core/lint';
import type { Diagnostic, Severity } from '../core/rule';
import { rules } from '../rules/index';
import { ruleForId } from './rule-ids';

export interface AnalysisRequest {
  file: string;
  text: string;
  /** The build context's directory, where the files the analysis asks for are read (Analysis.contextWanted). */
  contextDir: string;
  /** The engine options without the rules (each thread has its own). */
  engine: Omit<LintOptions, 'rules'>;
  fix: boolean;
  diff: boolean;
  unsafeFixes: boolean;
  reportUnusedIgnores: boolean;
}

export interface Analysis {
  /** Every finding (with the unused suppressions when asked), not yet filtered by severity. */
  diagnostics: Diagnostic[];
  /** The text after the fixes (the input when not fixing). */
  source: string;
  fixedCount: number;
  diff?: string;
  /** Fixes that did not settle within this many passes. */
  unsettledAfter?: number;
  /** Context files the analysis would read (scripts a RUN executes) that the request did not give. */
  contextWanted?: string[];
}

export function analyse(request: AnalysisRequest): Analysis {
  const { file, text } = request;
  const engine: LintOptions = { ...request.engine, rules };
  const reported = (result: LintResult) =>
    request.reportUnusedIgnores ? [...result.diagnostics, ...unusedIgnores(result, engine.severities ?? {})].sort((a, b) => a.start - b.start) : result.diagnostics;
  const wanted = (result: LintResult) => {
    const given = engine.context?.scripts ?? {};
    const missing = result.model.contextScripts.filter((path) => !(path in given));
    return missing.length > 0 ? { contextWanted: missing } : {};
  };
  if (!request.fix && !request.diff) {
    const result = lint(text, engine);
    return { diagnostics: reported(result), source: text, fixedCount: 0, ...wanted(result) };
  }
  const fixed = fixText(text, { ...engine, unsafe: request.unsafeFixes });
  return {
    ...wanted(fixed.result),
    diagnostics: reported(fixed.result),
    source: fixed.output,
    fixedCount: fixed.applied.length,
    diff: fixed.changed && request.diff ? createTwoFilesPatch(`a/${file}`, `b/${file}`, text, fixed.output, undefined, undefined, { context: 3 }) : undefined,
    unsettledAfter: fixed.converged ? undefined : fixed.passes,
  };
}

/** Suppressions that suppressed nothing, for ids of our rules that ran (other tools' ids are theirs to judge). */
function unusedIgnores(result: LintResult, severities: Record<string, Severity | 'off'>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const source = result.model.source;
  for (const s of result.suppressions) {
    for (const id of s.ids) {
      const rule = ruleForId(id);
      if (s.used.has(id) || !rule || severities[rule.meta.id] === 'off') continue;
      const start = source.lineStarts[s.range.start.line] + s.range.start.character;
      out.push({
        ruleId: 'unused-ignore',
        severity: 'warning',
        message: `unused suppression: "${id}" (${rule.meta.id}) reported nothing here`,
        range: s.range,
        start,
        end: start + (s.range.end.character - s.range.start.character),
        fix: null,
      });
    }
  }
  return out;
}
