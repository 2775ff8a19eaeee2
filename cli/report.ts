/** What the lint command produced for one file, in the shape formatters read. */
import type { Diagnostic } from '../core/rule';

export interface FileReport {
  filePath: string;
  diagnostics: Diagnostic[];
  /** The linted text (after fixes), for code frames. */
  source: string;
  /** Why the file could not be linted; then diagnostics is empty. */
  error?: string;
  /** Fixes written (or shown with --diff). */
  fixedCount: number;
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
  unsafeFixable: number;
  failedFiles: number;
}

export function summarize(reports: FileReport[]): Summary {
  const summary: Summary = { errors: 0, warnings: 0, infos: 0, fixable: 0, unsafeFixable: 0, failedFiles: 0 };
  for (const report of reports) {
    if (report.error) summary.failedFiles++;
    for (const d of report.diagnostics) {
      if (d.severity === 'error') summary.errors++;
      else if (d.severity === 'warning') summary.warnings++;
      else summary.infos++;
      if (d.fix?.safety === 'safe') summary.fixable++;
      if (d.fix?.safety === 'unsafe') summary.unsafeFixable++;
    }
  }
  return summary;
}
