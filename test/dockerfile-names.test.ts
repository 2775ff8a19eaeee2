/**
 * Which files are Dockerfiles (core/dockerfile-names.ts), and the places that use that list: the
 * CLI's directory discovery with .gitignore / .ignore / --no-ignore, the pre-commit hooks' `files`
 * pattern (checked under Python's `re`, which pre-commit uses) and the VS Code extension's language
 * contribution. The CLI runs are of the built bundle (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyName, EDITOR_DOCUMENT_GLOB, EDITOR_FILENAME_PATTERNS, EDITOR_FILENAMES, isDockerfileName, preCommitFilesPattern } from '../core/dockerfile-names';
import { renderClientPackage, renderHooks } from '../scripts/gen-names';
import { project, xlint } from './cli-run';

const ROOT = join(__dirname, '..');
const CLEAN = 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n';
const TEMPLATE = 'FROM {{ base_image }}\n{% for p in packages %}RUN apk add {{ p }}\n{% endfor %}\n';

/** Linted when found in a directory. */
const DOCKERFILES = [
  'Dockerfile',
  'dockerfile',
  'Containerfile',
  'Containerfile.prod',
  'prod.Containerfile',
  'Dockerfile.prod',
  'Dockerfile.arm64.debug',
  'api.Dockerfile',
  'web.dockerfile',
  'svc/Dockerfile',
  'deep/er/tree/Containerfile.dev',
];
/** Of the family by name, something else by extension: never picked up by walking. */
const NOT_DOCKERFILES = [
  'Dockerfile.dockerignore',
  'api.Dockerfile.dockerignore',
  'Dockerfile.j2',
  'Dockerfile.prod.j2',
  'Dockerfile.tpl',
  'Dockerfile.tmpl',
  'Dockerfile.in',
  'Dockerfile.template',
  'Containerfile.template',
  'Dockerfile.md',
  'Dockerfile.txt',
  'Dockerfile.patch',
];
/** Not of the family at all. */
const UNRELATED = ['Dockerfile-prod', 'Dockerfile~', '.Dockerfile.swp', 'README.md', 'dockerfiles', 'Makefile', '.dockerfile'];

const basename = (path: string) => path.split('/').pop()!;

describe('the names', () => {
  it.each(DOCKERFILES)('%s is a Dockerfile', (path) => expect(isDockerfileName(basename(path))).toBe(true));
  it.each(NOT_DOCKERFILES)('%s is of the family but not a Dockerfile', (path) => {
    const kind = classifyName(basename(path));
    // *.Dockerfile.dockerignore is not of the family (it does not end in .Dockerfile) and not a Dockerfile either.
    expect(kind.dockerfile).toBe(false);
  });
  it.each(UNRELATED)('%s is not a Dockerfile', (path) => expect(classifyName(path)).toEqual({ dockerfile: false, family: false }));

  it('says what an excluded name is', () => {
    expect(classifyName('Dockerfile.dockerignore')).toEqual({ dockerfile: false, family: true, kind: 'an ignore file' });
    expect(classifyName('Dockerfile.J2')).toEqual({ dockerfile: false, family: true, kind: 'a template' });
    expect(classifyName('Dockerfile.md')).toEqual({ dockerfile: false, family: true, kind: 'a document' });
  });
});

describe('the pre-commit hooks pass exactly the files discovery picks up', () => {
  it('.pre-commit-hooks.yaml carries the generated pattern (npm run docs)', () => {
    const yaml = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    expect(yaml, 'stale: run npm run docs').toBe(renderHooks(yaml));
    expect(yaml.match(/^\s*files:/gm)).toHaveLength(2);
  });

  it("under Python's re.search, as pre-commit applies it, on every name above", () => {
    const paths = [...DOCKERFILES, ...NOT_DOCKERFILES, ...UNRELATED].flatMap((p) => [p, `services/api/${p}`]);
    const script = 'import json, re, sys\nd = json.load(sys.stdin)\nprint(json.dumps([bool(re.search(d["pattern"], p)) for p in d["paths"]]))';
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify({ pattern: preCommitFilesPattern(), paths }), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const matched = JSON.parse(run.stdout) as boolean[];
    expect(Object.fromEntries(paths.map((p, i) => [p, matched[i]]))).toEqual(Object.fromEntries(paths.map((p) => [p, isDockerfileName(basename(p))])));
  });
});

describe('the VS Code extension knows the same names', () => {
  it('client/package.json carries the generated filenames and filenamePatterns (npm run docs)', () => {
    const text = readFileSync(join(ROOT, 'client', 'package.json'), 'utf8');
    expect(text, 'stale: run npm run docs').toBe(renderClientPackage(text));
    const language = JSON.parse(text).contributes.languages.find((l: { id: string }) => l.id === 'dockerfile');
    expect(language.filenames).toEqual(EDITOR_FILENAMES);
    expect(language.filenamePatterns).toEqual(EDITOR_FILENAME_PATTERNS);
  });

  it("the extension's document selector is built from the module", () => {
    const source = readFileSync(join(ROOT, 'client', 'src', 'extension.ts'), 'utf8');
    expect(source).toContain("from '../../core/dockerfile-names'");
    expect(source).toContain('pattern: EDITOR_DOCUMENT_GLOB');
    expect(EDITOR_DOCUMENT_GLOB).toBe('**/{Dockerfile,Containerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile.*,*.Containerfile,*.containerfile}');
  });
});

function filesOf(run: { stdout: string; stderr: string; status: number | null }): string[] {
  expect(run.stdout, run.stderr).not.toBe('');
  return (JSON.parse(run.stdout) as { filePath: string }[]).map((r) => r.filePath).sort();
}

function tree(extra: Record<string, string> = {}): string {
  return project({
    ...Object.fromEntries(DOCKERFILES.map((p) => [p, CLEAN])),
    ...Object.fromEntries(NOT_DOCKERFILES.map((p) => [p, TEMPLATE])),
    ...Object.fromEntries(UNRELATED.map((p) => [p, 'not a Dockerfile\n'])),
    ...extra,
  });
}

describe('directory discovery', () => {
  it('finds every Dockerfile kind and nothing else: templates, ignore files and docs do not fail the run', () => {
    const dir = tree();
    const run = xlint(['--format', 'json', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(filesOf(run)).toEqual([...DOCKERFILES].sort());
  });

  it('a file named explicitly is linted whatever its name', () => {
    const dir = tree();
    const run = xlint(['--format', 'json', 'Dockerfile.j2'], { cwd: dir });
    expect(run.status).toBe(2); // it is a template: invalid-dockerfile, as asked
    expect(filesOf(run)).toEqual(['Dockerfile.j2']);
  });

  it('honours .gitignore and .ignore, nested ones and .git/info/exclude; `!` re-includes', () => {
    const dir = tree({
      '.gitignore': 'deep/\n*.dockerfile\n',
      'svc/.ignore': 'Dockerfile\n',
      'keep/.gitignore': '!Dockerfile.prod\n',
      'keep/Dockerfile.prod': CLEAN,
      'keep/Dockerfile': CLEAN,
      'sub/.gitignore': 'Dockerfile*\n!Dockerfile.keep\n',
      'sub/Dockerfile': CLEAN,
      'sub/Dockerfile.keep': CLEAN,
      'excluded/Dockerfile': CLEAN,
      '.git/info/exclude': 'excluded/\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    const expected = [...DOCKERFILES.filter((p) => !p.startsWith('deep/') && p !== 'web.dockerfile' && p !== 'svc/Dockerfile'), 'keep/Dockerfile', 'keep/Dockerfile.prod', 'sub/Dockerfile.keep'];
    const run = xlint(['--format', 'json'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(filesOf(run)).toEqual(expected.sort());

    // The ignore files above a directory given apply too (up to the repository's root).
    expect(filesOf(xlint(['--format', 'json', 'sub'], { cwd: dir }))).toEqual(['sub/Dockerfile.keep']);
    // A directory named explicitly is walked even when an ignore file above it ignores it.
    expect(filesOf(xlint(['--format', 'json', 'deep'], { cwd: dir }))).toEqual(['deep/er/tree/Containerfile.dev']);
    // Named files are linted even when ignored.
    expect(filesOf(xlint(['--format', 'json', 'svc/Dockerfile'], { cwd: dir }))).toEqual(['svc/Dockerfile']);
  });

  it("--no-ignore lints what the ignore files and the config's ignore leave out", () => {
    const dir = tree({ '.gitignore': 'deep/\n', 'svc/.ignore': '*\n', '.xlintrc.json': '{"ignore": ["api.Dockerfile"]}' });
    expect(filesOf(xlint(['--format', 'json'], { cwd: dir }))).toEqual(DOCKERFILES.filter((p) => !/^(deep|svc)\/|^api\./.test(p)).sort());
    const all = xlint(['--format', 'json', '--no-ignore'], { cwd: dir });
    expect(all.status, all.stderr).toBe(0);
    expect(filesOf(all)).toEqual([...DOCKERFILES].sort());
  });

  it('--no-ignore and --ignore <rules> live side by side', () => {
    const dir = project({ Dockerfile: 'FROM --platform=linux/amd64 alpine\nRUN true\n', '.gitignore': 'Dockerfile\n', 'x/Dockerfile': CLEAN });
    const run = xlint(['--format', 'json', '--no-ignore', '--ignore', 'constant-platform,final-stage-on-buildplatform'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(filesOf(run)).toEqual(['Dockerfile', 'x/Dockerfile']);
  });

  it('an empty directory, a directory called Dockerfile, a tree of templates: a message and exit 2', () => {
    const dir = project({ 'empty/.keep': '', 'Dockerfile/notes.txt': 'x\n', 'templates/Dockerfile.j2': TEMPLATE, 'ignored/Dockerfile': CLEAN, 'ignored/.ignore': 'Dockerfile\n' });
    const empty = xlint(['empty'], { cwd: dir });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('xlint: empty: no Dockerfile found in this directory (looked for Dockerfile, Containerfile, Dockerfile.*, *.Dockerfile');
    const named = xlint(['Dockerfile'], { cwd: dir });
    expect(named.status).toBe(2);
    expect(named.stderr).toContain('xlint: Dockerfile: no Dockerfile found in this directory');
    const templates = xlint(['templates'], { cwd: dir });
    expect(templates.status).toBe(2);
    expect(templates.stderr).toContain('not Dockerfiles by their names: Dockerfile.j2 (a template) (name a file to lint it anyway)');
    const ignored = xlint(['ignored'], { cwd: dir });
    expect(ignored.status).toBe(2);
    expect(ignored.stderr).toContain('1 path left out by .gitignore or .ignore files (--no-ignore includes them)');
    expect(xlint(['--no-ignore', 'ignored'], { cwd: dir }).status).toBe(0);
    // --exit-zero does not hide it: nothing was linted.
    expect(xlint(['--exit-zero', 'empty'], { cwd: dir }).status).toBe(2);
  });

  it('a glob whose files are all ignored says so', () => {
    const dir = project({ 'a/Dockerfile': CLEAN, '.gitignore': 'a/\n' });
    const run = xlint(['a/*'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is ignored by a .gitignore or .ignore file (--no-ignore lints them)');
    expect(xlint(['--no-ignore', 'a/*'], { cwd: dir }).status).toBe(0);
  });

  it('an ignore file that cannot be read is named, not obeyed', () => {
    const dir = project({ 'Dockerfile': CLEAN });
    mkdirSync(join(dir, 'big'));
    writeFileSync(join(dir, 'big', '.gitignore'), '#'.repeat(1024 * 1024 + 1));
    writeFileSync(join(dir, 'big', 'Dockerfile'), CLEAN);
    const run = xlint(['--format', 'json'], { cwd: dir });
    expect(run.stderr).toContain('big/.gitignore: file too large');
    expect(filesOf(run)).toEqual(['Dockerfile', 'big/Dockerfile']);
  });
});
