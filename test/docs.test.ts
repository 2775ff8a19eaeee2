/** Keeps each rule's four parts in step: source, test table, generated doc, and doc examples that behave. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVALID_DOCKERFILE, lint, MODEL_LIMIT } from '../core/lint';
import { parseConfig } from '../config/config';
import { configSchema } from '../config/schema';
import { renderRuleDoc, renderRulesIndex } from '../rules/docs';
import { rules } from '../rules/index';

const root = join(__dirname, '..');
const platforms = { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };

describe('rule catalog', () => {
  it('has unique kebab-case ids', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('has an up-to-date config schema and validator (run `npm run docs`)', () => {
    const written = JSON.parse(readFileSync(join(root, 'schema/xlintrc.schema.json'), 'utf8'));
    expect(written).toEqual(configSchema(rules));
    expect(readFileSync(join(root, 'config/generated/validate-config.js'), 'utf8')).toContain(JSON.stringify(configSchema(rules)));
  });

  it('has a schema that refuses an empty ignore pattern (minLength 1), as the config check does', () => {
    expect((configSchema(rules) as { properties: { ignore: { items: { minLength?: number } } } }).properties.ignore.items.minLength).toBe(1);
    expect(() => parseConfig('{"ignore": ["vendor/", ""]}', '.xlintrc.json')).toThrow('.xlintrc.json: key "ignore.1": an empty pattern');
  });

  it('has a page for every id a finding can carry, which the server links as codeDescription (model-limit included)', () => {
    for (const id of [...rules.map((r) => r.meta.id), MODEL_LIMIT, INVALID_DOCKERFILE]) {
      expect(existsSync(join(root, 'docs/rules', `${id}.md`)), `docs/rules/${id}.md`).toBe(true);
    }
  });

  it('has an up-to-date rules index (run `npm run docs`)', () => {
    expect(readFileSync(join(root, 'docs/rules/README.md'), 'utf8')).toBe(renderRulesIndex(rules));
  });

  for (const rule of rules) {
    describe(rule.meta.id, () => {
      it('has its source, test table and up-to-date doc', () => {
        expect(existsSync(join(root, 'rules', `${rule.meta.id}.ts`))).toBe(true);
        expect(existsSync(join(root, 'test/rules', `${rule.meta.id}.test.ts`))).toBe(true);
        const doc = join(root, 'docs/rules', `${rule.meta.id}.md`);
        expect(existsSync(doc), `${doc} missing: run npm run docs`).toBe(true);
        expect(readFileSync(doc, 'utf8'), 'stale doc: run npm run docs').toBe(renderRuleDoc(rule));
      });

      it('has complete metadata', () => {
        const { meta } = rule;
        expect(meta.description).not.toMatch(/\.$/);
        expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
        for (const field of ['what', 'why', 'bad', 'good', 'fixSafety'] as const) expect(meta.docs[field].trim()).not.toBe('');
      });

      it('flags its bad example and not its good one', () => {
        const images = new Map(Object.entries(rule.meta.docs.registry ?? {}));
        const bad = lint(rule.meta.docs.bad, { ...platforms, rules: [rule], images });
        expect(bad.diagnostics.length).toBeGreaterThan(0);
        const good = lint(rule.meta.docs.good, { ...platforms, rules: [rule], images });
        expect(good.diagnostics).toEqual([]);
      });
    });
  }
});
