/** Writes docs/rules/<id>.md and docs/rules/README.md from the rules' metadata. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRuleDoc, renderRulesIndex } from '../rules/docs';
import { rules } from '../rules/index';

const dir = join(process.cwd(), 'docs', 'rules');
mkdirSync(dir, { recursive: true });
for (const rule of rules) writeFileSync(join(dir, `${rule.meta.id}.md`), renderRuleDoc(rule));
writeFileSync(join(dir, 'README.md'), renderRulesIndex(rules));
console.log(`wrote ${rules.length} rule docs to ${dir}`);
