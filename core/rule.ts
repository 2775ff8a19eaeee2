/** What a rule is: metadata first (id, severity, fix availability, docs), then a check that reads the model. */
import type { Range } from './document';
import type { ImageFacts, ImageIndex } from './images';
import type { Model } from './model';

export type Severity = 'error' | 'warning' | 'info';
export type FixSafety = 'safe' | 'unsafe' | 'display-only';

/** One text replacement, in offsets of the BOM-less text the model was built from. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** Imperative: "Add ARG TARGETARCH after FROM". */
  title: string;
  safety: FixSafety;
  edits: Edit[];
}

export interface RuleDocs {
  /** What it finds, one paragraph. */
  what: string;
  /** What it deliberately does not report (cases that look alike but are right), so users and reviewers know the line. */
  leftAlone: string;
  /** Why it matters. */
  why: string;
  bad: string;
  good: string;
  /** When the fix is safe, unsafe or display-only, and why. */
  fixSafety: string;
  /** The BuildKit check or hadolint rule it mirrors; their suppressions are honoured. */
  mirrors?: { buildkit?: string; hadolint?: string };
  references?: string[];
  /** For rules that read registry facts (`--check-images`): what the registry answers for the images of `bad` and `good`. */
  registry?: Record<string, ImageFacts>;
}

export interface RuleMeta {
  id: string;
  severity: Severity;
  /** One line, imperative: "Declare platform args before using them". */
  description: string;
  /** The safeties this rule's fixes may have; the engine refuses any other. Empty: no fix. */
  fixes: FixSafety[];
  /** Message templates by id, with `{{placeholders}}`. */
  messages: Record<string, string>;
  docs: RuleDocs;
  /** JSON schema of the rule's options (`"rules": {"id": ["warning", {...}]}`); none when absent. */
  options?: Record<string, unknown>;
}

export interface Report {
  messageId: string;
  data?: Record<string, string | number>;
  /** This finding's severity, where it differs from the rule's (information a rule also reports); a configured severity wins. */
  severity?: Severity;
  /** Offsets in the model's text. */
  start: number;
  end: number;
  fix?: Fix;
}

export interface RuleContext {
  model: Model;
  /** The rule's options from the configuration (validated against meta.options), or {}. */
  options: Record<string, unknown>;
  /** The registries' answers about pulled images (empty unless `--check-images`). */
  images: ImageIndex;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export interface Diagnostic {
  ruleId: string;
  severity: Severity;
  message: string;
  range: Range;
  start: number;
  end: number;
  fix: Fix | null;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
