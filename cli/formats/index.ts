/** Every `--format` of the lint command, by name; one signature for all. The first is the default. */
import { formatCheckstyle } from './checkstyle';
import type { Formatter } from './common';
import { formatConcise } from './concise';
import { formatGithub } from './github';
import { formatGitlab } from './gitlab';
import { formatJson } from './json';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';
import { formatStylish } from './stylish';

export type { FormatContext, Formatter } from './common';

export const formatters: Record<string, Formatter> = {
  stylish: formatStylish,
  concise: formatConcise,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
  checkstyle: formatCheckstyle,
  gitlab: formatGitlab,
  junit: formatJunit,
};

export const formatNames: readonly string[] = Object.keys(formatters);

/** The formats that print from a file's text (FileReport.source), not from its findings alone. */
export const FORMATS_READING_SOURCE: ReadonlySet<string> = new Set(['json', 'sarif']);
