/**
 * Writes the copies of core/dockerfile-names.ts that cannot import it: the `files` pattern of
 * .pre-commit-hooks.yaml and the language contribution of client/package.json (run by
 * `npm run docs`; test/dockerfile-names.test.ts fails when either is stale). Each render is a
 * pure text-to-text function that changes only those values, so hand-written layout stays.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_FILENAME_PATTERNS, EDITOR_FILENAMES, preCommitFilesPattern } from '../core/dockerfile-names';

/** Every hook's `files:` line, set to the generated pattern (single-quoted YAML: `'` doubled). */
export function renderHooks(yaml: string): string {
  const quoted = `'${preCommitFilesPattern().replace(/'/g, "''")}'`;
  return yaml.replace(/^(\s*files:\s*).*$/gm, (_, key: string) => `${key}${quoted}`);
}

/** The `dockerfile` language's `filenames` and `filenamePatterns` in client/package.json. */
export function renderClientPackage(json: string): string {
  const list = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
  return json
    .replace(/("filenames":\s*)\[[^\]]*\]/, (_, key: string) => `${key}${list(EDITOR_FILENAMES)}`)
    .replace(/("filenamePatterns":\s*)\[[^\]]*\]/, (_, key: string) => `${key}${list(EDITOR_FILENAME_PATTERNS)}`);
}

export function writeNameLists(root: string): void {
  for (const [file, render] of [
    ['.pre-commit-hooks.yaml', renderHooks],
    [join('client', 'package.json'), renderClientPackage],
  ] as const) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const rendered = render(text);
    if (rendered !== text) writeFileSync(path, rendered);
  }
}
