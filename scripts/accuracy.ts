/**
 * `npm run accuracy`: xlint against the reviewed corpus of real Dockerfiles (../shared/corpus, or
 * $XLINT_CORPUS). Prints per rule what 0.1.0 reported → what this tree reports, then every finding
 * that needs attention; exits 1 when a check of test/accuracy.test.ts fails.
 */
import { join } from 'node:path';
import {
  CHECKS,
  describeFinding,
  describeJudgement,
  describeMatch,
  findCorpus,
  measureAccuracy,
  percent,
  precision,
  type AccuracyReport,
  type RuleCounts,
} from '../test/corpus/accuracy';

const root = process.cwd();
const corpus = findCorpus(root);
if (!corpus.dir) {
  console.error(`xlint accuracy: no corpus found; looked in ${corpus.looked.join(', ')}${corpus.fromEnv ? ' ($XLINT_CORPUS)' : ''}`);
  process.exit(2);
}
const report = measureAccuracy(corpus.dir, join(root, 'test', 'corpus'));

console.log(`xlint accuracy on ${report.files} files of ${report.corpus} (linux/amd64 + linux/arm64 on amd64)`);
console.log(`invalid-dockerfile diagnostics (not judged): ${report.invalidDockerfile}; unreadable files: ${report.unreadable.length}`);
for (const u of report.unreadable) console.log(`  ${u.file}: ${u.message}`);
console.log('\nper rule, 0.1.0 → now (TP/FP/NOISE: judged findings still reported; fix-WRONG: still offering a fix)\n');
console.log(table(report));

section('labelled TPs no longer reported', report.lostTPs.map(describeJudgement));
section('findings judged FP still reported', report.remainingFPs.map(describeMatch));
section('findings judged NOISE reported above info', report.noiseAboveInfo.map(describeMatch));
section('fixes judged fix-WRONG offered as safe', report.safeWrongFixes.map(describeMatch));
section('new findings judged in test/corpus/verdicts.tsv', report.judgedByProject.map(describeMatch));
section('unjudged findings (judge each in test/corpus/verdicts.tsv)', report.unjudged.map(describeFinding));
const found = report.misses.filter((m) => m.found.length > 0);
const notFound = report.misses.filter((m) => m.found.length === 0);
const describeMiss = (m: AccuracyReport['misses'][number]) =>
  `${m.file} ${m.rule ?? '(any rule)'} [${m.origin} misses.tsv]: ${m.reason}${m.found.map((f) => `\n    found: ${describeFinding(f)}`).join('')}`;
section('misses now found', found.map(describeMiss));
section('misses not found', notFound.map(describeMiss));
section('labels overturned by test/corpus/verdicts.tsv', report.overturned.map(describeJudgement));

const failed = CHECKS.map((check) => ({ title: check.title, count: check.offenders(report).length }));
console.log('\nchecks:');
for (const { title, count } of failed) console.log(`  ${count === 0 ? 'ok  ' : 'FAIL'} ${title}${count === 0 ? '' : ` (${count})`}`);
process.exit(failed.some((f) => f.count > 0) ? 1 : 0);

function section(title: string, lines: string[]): void {
  console.log(`\n${title}: ${lines.length}`);
  for (const line of lines) console.log(`  ${line}`);
}

function table(r: AccuracyReport): string {
  const change = (pick: (c: RuleCounts) => number | string) => (c: { before: RuleCounts; after: RuleCounts }) => `${pick(c.before)} → ${pick(c.after)}`;
  const now = (pick: (c: RuleCounts) => number) => (c: { after: RuleCounts }) => String(pick(c.after));
  const columns: [string, (c: { before: RuleCounts; after: RuleCounts }) => string][] = [
    ['findings', change((c) => c.findings)],
    ['TP', change((c) => c.tp)],
    ['TP lost', now((c) => c.tpLost)],
    ['FP', change((c) => c.fp)],
    ['NOISE>info', change((c) => c.noiseAboveInfo)],
    ['fix-WRONG', change((c) => c.fixWrongOffered)],
    ['…as safe', change((c) => c.fixWrongSafe)],
    ['judged new', now((c) => c.judgedByProject)],
    ['unjudged', now((c) => c.unjudged)],
    ['precision', change((c) => percent(precision(c)))],
  ];
  const total = { rule: 'total', before: sum(r.rules.map((a) => a.before)), after: sum(r.rules.map((a) => a.after)) };
  const rows = [['rule', ...columns.map(([name]) => name)], ...[...r.rules, total].map((a) => [a.rule, ...columns.map(([, cell]) => cell(a))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** Every count is a plain sum over the rules; precision is then recomputed from the sums. */
function sum(counts: RuleCounts[]): RuleCounts {
  const total = { ...counts[0] };
  for (const key of Object.keys(total) as (keyof RuleCounts)[]) total[key] = counts.reduce((n, c) => n + c[key], 0);
  return total;
}
