/**
 * Table-driven rule tests (ESLint's RuleTester, in Docker terms): valid Dockerfiles stay silent;
 * invalid ones report exactly the listed findings, their safe fixes give `output`, the output is
 * clean for the rule and a second `--fix` changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { fixText } from '../core/fix';
import type { ImageAnswer, ImageIndex } from '../core/images';
import { lint } from '../core/lint';
import type { BuildContext, BuildOptions } from '../core/model';
import type { FixSafety, Rule, Severity } from '../core/rule';

export interface Case {
  name?: string;
  code: string;
  platforms?: string[];
  buildPlatform?: string;
  target?: string;
  /** What the registry answers about the images the build pulls (rules that read registry facts). */
  images?: Record<string, ImageAnswer>;
  /** Facts of the build context (project files, the scripts RUN executes), as the CLI reads them. */
  context?: BuildContext;
}

export interface Expected {
  messageId: string;
  /** 1-based, like the CLI prints them. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** A substring of the message, or a pattern it must match. */
  message?: string | RegExp;
  /** The safety of the offered fix, or null for none. */
  fix?: FixSafety | null;
  /** The finding's severity, where the case is about it (information below the rule's default). */
  severity?: Severity;
}

export interface InvalidCase extends Case {
  errors: Expected[];
  /** The text after `--fix` (safe fixes only); omit when the case has no safe fix. */
  output?: string;
  /** The text after `--fix --unsafe-fixes`. */
  unsafeOutput?: string;
}

/** Strips the indentation common to all lines and the first newline: readable Dockerfiles in tables. */
export function df(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const common = Math.min(...indents);
  return lines.map((l) => l.slice(common)).join('\n').replace(/\n[ ]*$/, '\n');
}

function options(rule: Rule, c: Case): BuildOptions & { rules: Rule[]; images?: ImageIndex } {
  return {
    images: c.images ? new Map(Object.entries(c.images)) : undefined,
    rules: [rule],
    buildPlatform: c.buildPlatform ?? 'linux/amd64',
    targetPlatforms: c.platforms ?? ['linux/amd64', 'linux/arm64'],
    target: c.target,
    context: c.context,
  };
}

export function ruleTester(rule: Rule, cases: { valid: (Case | string)[]; invalid: InvalidCase[] }): void {
  const valid = cases.valid.map((c) => (typeof c === 'string' ? { code: c } : c));
  const seen = new Set<string>();
  for (const c of [...valid, ...cases.invalid]) {
    const key = JSON.stringify([c.code, c.platforms, c.buildPlatform, c.target, c.images, c.context]);
    if (seen.has(key)) throw new Error(`${rule.meta.id}: duplicate case:\n${c.code}`);
    seen.add(key);
  }

  describe(rule.meta.id, () => {
    describe('valid', () => {
      for (const c of valid) {
        it(c.name ?? c.code.split('\n').slice(0, 3).join(' ⏎ '), () => {
          const result = lint(c.code, options(rule, c));
          expect(result.model.errors).toEqual([]);
          expect(result.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`)).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const c of cases.invalid) {
        it(c.name ?? c.code.split('\n').slice(0, 3).join(' ⏎ '), () => {
          const opts = options(rule, c);
          const result = lint(c.code, opts);
          const actual = result.diagnostics.map((d, i) => {
            const want = c.errors[i];
            const got: Record<string, unknown> = {
              messageId: Object.entries(rule.meta.messages).find(([, t]) => sameTemplate(t, d.message))?.[0],
              line: d.range.start.line + 1,
              column: d.range.start.character + 1,
            };
            if (want?.endLine !== undefined) got.endLine = d.range.end.line + 1;
            if (want?.endColumn !== undefined) got.endColumn = d.range.end.character + 1;
            if (want?.fix !== undefined) got.fix = d.fix?.safety ?? null;
            if (want?.severity !== undefined) got.severity = d.severity;
            if (want?.message !== undefined) {
              const ok = typeof want.message === 'string' ? d.message.includes(want.message) : want.message.test(d.message);
              got.message = ok ? want.message : d.message;
            }
            return got;
          });
          expect(actual).toEqual(c.errors.map((e) => ({ ...e })));

          const fixed = fixText(c.code, opts);
          expect(fixed.output).toBe(c.output ?? c.code);
          if (c.output !== undefined) {
            expect(fixed.result.model.errors).toEqual([]);
            expect(fixed.result.diagnostics.filter((d) => d.fix?.safety === 'safe')).toEqual([]);
            expect(fixText(fixed.output, opts).output).toBe(fixed.output);
          }
          if (c.unsafeOutput !== undefined) {
            const unsafe = fixText(c.code, { ...opts, unsafe: true });
            expect(unsafe.output).toBe(c.unsafeOutput);
            expect(fixText(unsafe.output, { ...opts, unsafe: true }).output).toBe(unsafe.output);
          }
        });
      }
    });
  });
}

/** Whether a message was produced from a template (placeholders match anything). */
function sameTemplate(template: string, message: string): boolean {
  const pattern = template.split(/\{\{\s*\w+\s*\}\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(message);
}
