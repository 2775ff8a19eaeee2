/** The CI formatters, by `--format` name; all share one signature (stylish and json keep their own). */
import { formatCheckstyle } from './checkstyle';
import type { Formatter } from './common';
import { formatGithub } from './github';
import { formatGitlab } from './gitlab';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';

export type { FormatContext, Formatter } from './common';

export const formatters: Record<string, Formatter> = {
  sarif: formatSarif,
  github: formatGithub,
  checkstyle: formatCheckstyle,
  gitlab: formatGitlab,
  junit: formatJunit,
};

export const formatNames: readonly string[] = Object.keys(formatters);
