/**
 * xlint against the reviewed corpus of real Dockerfiles (../shared/corpus, or $XLINT_CORPUS): the
 * test of a rule is that it is right on files nobody here wrote (DESIGN §2). `npm run accuracy`
 * prints the same measurement as a table, before (0.1.0) and now.
 *
 * The corpus lives outside the repository: without it the suite is skipped with a loud warning;
 * with $XLINT_CORPUS set, a missing corpus is a failure.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS, findCorpus, measureAccuracy, type AccuracyReport } from './corpus/accuracy';

const corpus = findCorpus(join(__dirname, '..'));
const SUITE = 'accuracy on the reviewed corpus';

function checks(corpusDir: string): void {
  let report: AccuracyReport;
  // Lints 280 files once; every check reads the same report.
  beforeAll(() => {
    report = measureAccuracy(corpusDir, join(__dirname, 'corpus'));
  }, 120_000);
  for (const check of CHECKS) {
    it(check.title, () => {
      const offenders = check.offenders(report);
      expect(offenders.length, `${offenders.length} offending (npm run accuracy shows them all with the per-rule table):\n${offenders.join('\n')}\n`).toBe(0);
    });
  }
}

if (corpus.dir) {
  describe(`${SUITE} (${corpus.dir})`, () => checks(corpus.dir!));
} else if (corpus.fromEnv) {
  describe(SUITE, () => {
    it('finds the corpus that $XLINT_CORPUS names', () => {
      throw new Error(`XLINT_CORPUS=${process.env.XLINT_CORPUS}: no labels.tsv there`);
    });
  });
} else {
  const looked = corpus.looked.join(', ');
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED ${SUITE.toUpperCase()}: no shared/corpus/labels.tsv found; looked in ${looked}\n!! (set XLINT_CORPUS=/path/to/corpus to run it, and to make a missing corpus a failure)\n${'!'.repeat(100)}\n`);
  describe.skip(`${SUITE} (SKIPPED: corpus not found in ${looked})`, () => checks(''));
}
