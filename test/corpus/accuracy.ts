/**
 * xlint measured against the reviewed corpus (`../shared/corpus`, see its README): lint every file
 * in-process, match each finding to a reviewed verdict, and compare with what 0.1.0 reported
 * (`baseline-0.1.0.tsv`). Shared by `npm run accuracy` (scripts/accuracy.ts) and test/accuracy.test.ts.
 *
 * Findings are matched to verdicts by (file, rule, stage), the nearest line winning, never by line
 * alone: a rule may rightly move a finding within its stage.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readDockerfile } from '../../cli/inputs';
import { INVALID_DOCKERFILE, lint } from '../../core/lint';
import type { FixSafety, Severity } from '../../core/rule';
import { rules } from '../../rules/index';

/** The build the labels were reviewed for (corpus README): both targets on an amd64 builder, default severities. */
const BUILD = { buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };
export const MIN_PRECISION = 0.95;

export type Verdict = 'TP' | 'FP' | 'NOISE';
export type FixVerdict = 'fix-OK' | 'fix-WRONG' | 'no-fix';

/** Where a finding sits: a line (1-based, as in labels.tsv and `--format json`) and its stage (-1: before the first FROM). */
interface Located {
  file: string;
  line: number;
  rule: string;
  stage: number;
}

export interface Finding extends Located {
  severity: Severity;
  fixSafety: FixSafety | 'none';
  /** Empty for baseline rows. */
  message: string;
}

/** A reviewed verdict on one finding: a corpus label, or the project's own (test/corpus/verdicts.tsv). */
export interface Judgement extends Located {
  verdict: Verdict;
  fix: FixVerdict;
  reason: string;
  origin: 'label' | 'project';
  /** The corpus label this project verdict replaces. */
  overturns?: Judgement;
}

export interface Match {
  finding: Finding;
  judgement: Judgement;
}

/** A finding that should exist; `rule` null (the corpus's misses.tsv names none): any rule counts. `found`: new findings there. */
export interface Miss {
  file: string;
  rule: string | null;
  reason: string;
  origin: 'corpus' | 'project';
  found: Finding[];
}

export interface RuleCounts {
  /** Reported, at any severity. */
  findings: number;
  tp: number;
  fp: number;
  noise: number;
  /** At warning or error: what precision is computed over. */
  tpAboveInfo: number;
  fpAboveInfo: number;
  noiseAboveInfo: number;
  /** fix-WRONG findings still offering a fix of any safety, and a safe one. */
  fixWrongOffered: number;
  fixWrongSafe: number;
  /** Labelled TPs no longer reported. */
  tpLost: number;
  /** Unlabelled findings judged in verdicts.tsv. */
  judgedByProject: number;
  unjudged: number;
}

/** TP / (TP + FP) over judged findings at warning or error; null when there are none. */
export function precision(c: RuleCounts): number | null {
  return c.tpAboveInfo + c.fpAboveInfo === 0 ? null : c.tpAboveInfo / (c.tpAboveInfo + c.fpAboveInfo);
}

export interface RuleAccuracy {
  rule: string;
  before: RuleCounts;
  after: RuleCounts;
}

export interface AccuracyReport {
  corpus: string;
  files: number;
  /** Diagnostics of the pseudo-rule `invalid-dockerfile`: counted, not judged. */
  invalidDockerfile: number;
  unreadable: { file: string; message: string }[];
  rules: RuleAccuracy[];
  lostTPs: Judgement[];
  remainingFPs: Match[];
  noiseAboveInfo: Match[];
  safeWrongFixes: Match[];
  judgedByProject: Match[];
  unjudged: Finding[];
  misses: Miss[];
  overturned: Judgement[];
  /** verdicts.tsv entries that judge no current finding and overturn no label. */
  staleVerdicts: Judgement[];
}

/** The failure conditions of `npm run accuracy` and test/accuracy.test.ts: each lists its offenders. */
export const CHECKS: { title: string; offenders: (report: AccuracyReport) => string[] }[] = [
  { title: 'reports no finding judged FP, at any severity', offenders: (r) => r.remainingFPs.map(describeMatch) },
  { title: 'reports no finding judged NOISE above info', offenders: (r) => r.noiseAboveInfo.map(describeMatch) },
  { title: 'offers no fix judged fix-WRONG as safe', offenders: (r) => r.safeWrongFixes.map(describeMatch) },
  { title: 'still reports every labelled TP', offenders: (r) => r.lostTPs.map(describeJudgement) },
  { title: 'has every finding judged (labels.tsv or test/corpus/verdicts.tsv)', offenders: (r) => r.unjudged.map(describeFinding) },
  {
    title: `has precision >= ${MIN_PRECISION * 100}% per rule at warning/error`,
    offenders: (r) =>
      r.rules
        .filter((a) => (precision(a.after) ?? 1) < MIN_PRECISION)
        .map((a) => `${a.rule}: ${percent(precision(a.after))} (${a.after.tpAboveInfo} TP, ${a.after.fpAboveInfo} FP at warning/error)`),
  },
  { title: 'has no stale entry in test/corpus/verdicts.tsv', offenders: (r) => r.staleVerdicts.map(describeJudgement) },
];

/** Lint the corpus and judge every finding. `reviewDir` holds verdicts.tsv, misses.tsv and baseline-0.1.0.tsv. */
export function measureAccuracy(corpusDir: string, reviewDir: string): AccuracyReport {
  const files = readdirSync(join(corpusDir, 'files')).sort();
  const fromLines = new Map<string, number[]>();
  const findings: Finding[] = [];
  const unreadable: AccuracyReport['unreadable'] = [];
  let invalidDockerfile = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readDockerfile(join(corpusDir, 'files', file));
    } catch (error) {
      unreadable.push({ file, message: (error as Error).message });
      continue;
    }
    // Stages come from the parser, not the model under test, so labels and findings share one key.
    const froms = DockerfileParser.parse(text).getFROMs().map((from) => from.getRange().start.line + 1);
    fromLines.set(file, froms);
    for (const d of lint(text, { ...BUILD, rules }).diagnostics) {
      if (d.ruleId === INVALID_DOCKERFILE) {
        invalidDockerfile++;
        continue;
      }
      const line = d.range.start.line + 1;
      findings.push({ file, line, rule: d.ruleId, stage: stageAt(froms, line), severity: d.severity, fixSafety: d.fix?.safety ?? 'none', message: d.message });
    }
  }
  const stageOf = (file: string, line: number): number => {
    const froms = fromLines.get(file);
    if (!froms) throw new Error(`a verdict names ${file}, which is not a readable file of ${corpusDir}/files`);
    return stageAt(froms, line);
  };

  const labels = readJudgements(join(corpusDir, 'labels.tsv'), 'label', stageOf);
  const verdicts = readJudgements(join(reviewDir, 'verdicts.tsv'), 'project', stageOf);
  const baseline = readTsv(join(reviewDir, 'baseline-0.1.0.tsv'), ['file', 'line', 'rule', 'stage', 'severity', 'fixSafety']).map(
    (row): Finding => ({ file: row.file, line: Number(row.line), rule: row.rule, stage: Number(row.stage), severity: row.severity as Severity, fixSafety: row.fixSafety as FixSafety | 'none', message: '' }),
  );

  // 1. Findings that 0.1.0 also reported carry its label; 2. verdicts.tsv judges the new ones;
  // 3. a verdict left over replaces the label of its (file, rule, stage); 4. anything else is stale.
  const labelled = pairNearest(findings, labels);
  const judged = pairNearest(labelled.restA, verdicts);
  const overturns = pairNearest(judged.restB, labels);
  const effective = new Map<Judgement, Judgement>();
  for (const [verdict, label] of overturns.pairs) {
    verdict.overturns = label;
    effective.set(label, verdict);
  }
  const judge = (label: Judgement): Judgement => effective.get(label) ?? label;

  const after = {
    matches: [...labelled.pairs.map(([finding, label]) => ({ finding, judgement: judge(label) })), ...judged.pairs.map(([finding, judgement]) => ({ finding, judgement }))].sort(
      (a, b) => byPlace(a.finding, b.finding),
    ),
    unjudged: judged.restA.sort(byPlace),
    lost: labelled.restB.map(judge).filter((j) => j.verdict === 'TP').sort(byPlace),
  };
  const base = pairNearest(baseline, labels);
  const before = { matches: base.pairs.map(([finding, label]) => ({ finding, judgement: judge(label) })), unjudged: base.restA, lost: [] };

  const ruleIds = [...new Set([...findings, ...baseline, ...labels, ...verdicts].map((x) => x.rule))].sort();
  const loud = (m: Match) => m.finding.severity !== 'info';
  return {
    corpus: corpusDir,
    files: files.length,
    invalidDockerfile,
    unreadable,
    rules: ruleIds.map((rule) => ({ rule, before: countRule(rule, before), after: countRule(rule, after) })),
    lostTPs: after.lost,
    remainingFPs: after.matches.filter((m) => m.judgement.verdict === 'FP'),
    noiseAboveInfo: after.matches.filter((m) => m.judgement.verdict === 'NOISE' && loud(m)),
    safeWrongFixes: after.matches.filter((m) => m.judgement.fix === 'fix-WRONG' && m.finding.fixSafety === 'safe'),
    judgedByProject: after.matches.filter((m) => m.judgement.origin === 'project' && !m.judgement.overturns),
    unjudged: after.unjudged,
    // Only findings 0.1.0 did not report count: grafana's miss is stage 0, while its stage 1 was already flagged.
    misses: readMisses(corpusDir, reviewDir).map((miss) => ({ ...miss, found: labelled.restA.filter((f) => f.file === miss.file && (miss.rule === null || f.rule === miss.rule)) })),
    overturned: overturns.pairs.map(([verdict]) => verdict).sort(byPlace),
    staleVerdicts: overturns.restA.sort(byPlace),
  };
}

/** Where the corpus is: $XLINT_CORPUS, else `shared/corpus` in the first ancestor of the repo root that has one. */
export function findCorpus(repoRoot: string): { dir: string | null; looked: string[]; fromEnv: boolean } {
  const fromEnv = process.env.XLINT_CORPUS;
  if (fromEnv) return { dir: existsSync(join(fromEnv, 'labels.tsv')) ? resolve(fromEnv) : null, looked: [resolve(fromEnv)], fromEnv: true };
  const looked: string[] = [];
  for (let dir = dirname(resolve(repoRoot)); ; dir = dirname(dir)) {
    const corpus = join(dir, 'shared', 'corpus');
    looked.push(corpus);
    if (existsSync(join(corpus, 'labels.tsv'))) return { dir: corpus, looked, fromEnv: false };
    if (dirname(dir) === dir) return { dir: null, looked, fromEnv: false };
  }
}

export function describeFinding(f: Finding): string {
  return `${f.file}:${f.line} ${f.severity} ${f.rule}${f.fixSafety === 'none' ? '' : ` [${f.fixSafety} fix]`}: ${f.message}`;
}

export function describeJudgement(j: Judgement): string {
  const overturn = j.overturns ? ` (overturns label ${j.overturns.verdict} ${j.overturns.fix}: ${j.overturns.reason})` : '';
  return `${j.file}:${j.line} ${j.rule} ${j.verdict} ${j.fix}: ${j.reason}${overturn}`;
}

export function describeMatch(m: Match): string {
  const moved = m.finding.line === m.judgement.line ? '' : ` (judged at line ${m.judgement.line})`;
  return `${describeFinding(m.finding)}${moved}\n    ${m.judgement.verdict} ${m.judgement.fix}: ${m.judgement.reason}`;
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(0)}%`;
}

function byPlace(a: Located, b: Located): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule);
}

/** Index of the last stage whose FROM is at or before `line` (both 1-based); -1 before the first FROM. */
function stageAt(fromLines: number[], line: number): number {
  let stage = -1;
  while (stage + 1 < fromLines.length && fromLines[stage + 1] <= line) stage++;
  return stage;
}

function countRule(rule: string, c: { matches: Match[]; unjudged: Finding[]; lost: Judgement[] }): RuleCounts {
  const matches = c.matches.filter((m) => m.finding.rule === rule);
  const judgedAs = (verdict: Verdict, list = matches) => list.filter((m) => m.judgement.verdict === verdict).length;
  const aboveInfo = matches.filter((m) => m.finding.severity !== 'info');
  const fixWrong = matches.filter((m) => m.judgement.fix === 'fix-WRONG' && m.finding.fixSafety !== 'none');
  const unjudged = c.unjudged.filter((f) => f.rule === rule).length;
  return {
    findings: matches.length + unjudged,
    tp: judgedAs('TP'),
    fp: judgedAs('FP'),
    noise: judgedAs('NOISE'),
    tpAboveInfo: judgedAs('TP', aboveInfo),
    fpAboveInfo: judgedAs('FP', aboveInfo),
    noiseAboveInfo: judgedAs('NOISE', aboveInfo),
    fixWrongOffered: fixWrong.length,
    fixWrongSafe: fixWrong.filter((m) => m.finding.fixSafety === 'safe').length,
    tpLost: c.lost.filter((j) => j.rule === rule).length,
    judgedByProject: matches.filter((m) => m.judgement.origin === 'project' && !m.judgement.overturns).length,
    unjudged,
  };
}

/**
 * Pairs items of `as` and `bs` with the same (file, rule, stage), nearest lines first; each item is
 * paired at most once. Returns the pairs and what is left of each side.
 */
function pairNearest<A extends Located, B extends Located>(as: A[], bs: B[]): { pairs: [A, B][]; restA: A[]; restB: B[] } {
  const key = (x: Located) => `${x.file}\t${x.rule}\t${x.stage}`;
  const candidates: { a: A; b: B; distance: number }[] = [];
  const bsByKey = new Map<string, B[]>();
  for (const b of bs) bsByKey.set(key(b), [...(bsByKey.get(key(b)) ?? []), b]);
  for (const a of as) for (const b of bsByKey.get(key(a)) ?? []) candidates.push({ a, b, distance: Math.abs(a.line - b.line) });
  candidates.sort((x, y) => x.distance - y.distance || x.a.line - y.a.line || x.b.line - y.b.line);
  const pairedA = new Set<A>();
  const pairedB = new Set<B>();
  const pairs: [A, B][] = [];
  for (const { a, b } of candidates) {
    if (pairedA.has(a) || pairedB.has(b)) continue;
    pairedA.add(a);
    pairedB.add(b);
    pairs.push([a, b]);
  }
  return { pairs, restA: as.filter((a) => !pairedA.has(a)), restB: bs.filter((b) => !pairedB.has(b)) };
}

const VERDICTS: readonly string[] = ['TP', 'FP', 'NOISE'];
const FIX_VERDICTS: readonly string[] = ['fix-OK', 'fix-WRONG', 'no-fix'];

function readJudgements(path: string, origin: Judgement['origin'], stageOf: (file: string, line: number) => number): Judgement[] {
  return readTsv(path, ['file', 'line', 'rule', 'verdict', 'fix', 'reason']).map((row, index) => {
    const where = `${path}:${index + 2}`;
    if (!VERDICTS.includes(row.verdict)) throw new Error(`${where}: verdict "${row.verdict}" is not one of ${VERDICTS.join(', ')}`);
    if (!FIX_VERDICTS.includes(row.fix)) throw new Error(`${where}: fix "${row.fix}" is not one of ${FIX_VERDICTS.join(', ')}`);
    if (!/^[1-9]\d*$/.test(row.line)) throw new Error(`${where}: line "${row.line}" is not a 1-based line number`);
    if (!row.reason.trim()) throw new Error(`${where}: a verdict needs its evidence in "reason"`);
    const line = Number(row.line);
    return { file: row.file, line, rule: row.rule, stage: stageOf(row.file, line), verdict: row.verdict as Verdict, fix: row.fix as FixVerdict, reason: row.reason, origin };
  });
}

/** The project's misses (file, rule, reason) and the corpus's (file, verdict, reason: no rule). */
function readMisses(corpusDir: string, reviewDir: string): Omit<Miss, 'found'>[] {
  const project = readTsv(join(reviewDir, 'misses.tsv'), ['file', 'rule', 'reason']).map((row) => ({ file: row.file, rule: row.rule, reason: row.reason, origin: 'project' as const }));
  const corpus = readTsv(join(corpusDir, 'misses.tsv'), ['file', 'verdict', 'reason']).map((row) => ({ file: row.file, rule: null, reason: `${row.verdict}: ${row.reason}`, origin: 'corpus' as const }));
  return [...project, ...corpus];
}

/** A tab-separated file with exactly these header columns; the last column takes any further tabs. */
function readTsv(path: string, columns: string[]): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').split(/\r?\n/);
  if (header !== columns.join('\t')) throw new Error(`${path}: the header must be "${columns.join('<TAB>')}", not "${header}"`);
  return lines.flatMap((text, index) => {
    if (!text.trim()) return [];
    const cells = text.split('\t');
    if (cells.length < columns.length) throw new Error(`${path}:${index + 2}: ${cells.length} columns, expected ${columns.length}`);
    const last = cells.slice(columns.length - 1).join('\t');
    return [Object.fromEntries(columns.map((name, i) => [name, i === columns.length - 1 ? last : cells[i]]))];
  });
}
