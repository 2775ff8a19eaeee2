/**
 * The GitHub Action (action.yml) as a workflow runs it: each `run:` step of the composite action
 * executed with GitHub's bash command line, its env evaluated from the inputs a workflow passes
 * (the `${{ inputs.* }}`, `${{ github.action_path }}` and `${{ steps.*.outputs.* }}` it uses),
 * step outputs read back from $GITHUB_OUTPUT and step conditions applied. The install step gets
 * the tarball of this tree (`npm pack`, after `npm run build`) and a temporary npm prefix instead
 * of the registry. What GitHub itself does (setup-node, the SARIF upload) is checked by shape.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const CLEAN = 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n';

interface StepRun {
  step: Step;
  /** Its `if` did not hold. */
  skipped: boolean;
  /** A `uses:` step (GitHub's to run): reached, not run here. */
  external: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/** Runs the action's steps in `workspace`, with these inputs over the defaults. */
function runAction(workspace: string, given: Record<string, string>, base: { prefix: string; tarball: string }): StepRun[] {
  const inputs: Record<string, string> = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), package: base.tarball, ...given };
  const outputs: Record<string, Record<string, string>> = {};
  const evaluate = (expression: string): string =>
    expression.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input) return inputs[input[1]] ?? '';
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (output) return outputs[output[1]]?.[output[2]] ?? '';
      if (expr === 'github.action_path') return ROOT;
      throw new Error(`the test does not evaluate \${{ ${expr} }}`);
    });
  const condition = (expr: string): boolean => {
    // The conditions action.yml uses: comparisons joined by &&.
    return expr.split('&&').every((part) => {
      const m = /^\s*(.+?)\s*(==|!=)\s*'([^']*)'\s*$/.exec(part);
      if (!m) throw new Error(`the test does not evaluate the condition ${part}`);
      const value = evaluate(`\${{ ${m[1]} }}`);
      return m[2] === '==' ? value === m[3] : value !== m[3];
    });
  };
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INPUT_|GITHUB_)/i.test(k)));
  const runs: StepRun[] = [];
  for (const [i, step] of action.runs.steps.entries()) {
    if ((step.if && !condition(step.if)) || step.uses) {
      runs.push({ step, skipped: !!step.if && !condition(step.if), external: !!step.uses, status: null, stdout: '', stderr: '', outputs: {} });
      continue;
    }
    const script = join(base.prefix, '..', `step-${i}.sh`);
    const outputFile = join(base.prefix, '..', `output-${i}`);
    writeFileSync(script, step.run!);
    writeFileSync(outputFile, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v))]));
    // GitHub's command line for `shell: bash`.
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...env,
        ...stepEnv,
        PATH: `${join(base.prefix, 'bin')}:${process.env.PATH}`,
        npm_config_prefix: base.prefix,
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        GITHUB_OUTPUT: outputFile,
        GITHUB_WORKSPACE: workspace,
        NO_COLOR: '1',
      },
    });
    const stepOutputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (step.id) outputs[step.id] = stepOutputs;
    runs.push({ step, skipped: false, external: false, status: result.status, stdout: result.stdout, stderr: result.stderr, outputs: stepOutputs });
    if (result.status !== 0) break; // a failed step ends the action
  }
  return runs;
}

const byName = (runs: StepRun[], name: string) => runs.find((r) => (r.step.name ?? r.step.uses ?? '').includes(name))!;

describe('the GitHub Action', { timeout: 180_000 }, () => {
  let tmp: string;
  let tarball: string;
  let count = 0;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'xlint-action-'));
    const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    tarball = join(tmp, JSON.parse(pack.stdout)[0].filename);
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A checked-out repository: an emulated Go build, a clean Dockerfile, a template discovery skips. */
  function workspace(): { dir: string; base: { prefix: string; tarball: string } } {
    const root = join(tmp, `run-${count++}`);
    const dir = join(root, 'repo');
    mkdirSync(join(dir, 'services', 'api'), { recursive: true });
    mkdirSync(join(dir, 'services', 'web'), { recursive: true });
    copyFileSync(join(ROOT, 'examples', 'go-emulated.Dockerfile'), join(dir, 'services', 'api', 'Dockerfile'));
    writeFileSync(join(dir, 'services', 'web', 'Dockerfile'), CLEAN);
    writeFileSync(join(dir, 'Dockerfile.j2'), 'FROM {{ base }}\n');
    mkdirSync(dirname(join(root, 'prefix', 'x')), { recursive: true });
    return { dir, base: { prefix: join(root, 'prefix'), tarball } };
  }

  it('is a composite action: setup-node, install, lint, SARIF upload, fail; no input is expanded inside a script', () => {
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    expect(steps[0].uses).toMatch(/^actions\/setup-node@v\d+$/);
    expect(steps[0].with?.['node-version']).toBe('${{ inputs.node-version }}');
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with).toMatchObject({ sarif_file: '${{ steps.lint.outputs.sarif-file }}', category: 'xlint' });
    for (const step of steps) if (step.run) expect(step.run, step.name).not.toContain('${{');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['paths', 'format', 'failure-threshold', 'sarif']));
    expect(action.outputs['exit-code'].value).toBe('${{ steps.lint.outputs.exit-code }}');
  });

  it('with the defaults: installs the package, annotates the findings, writes SARIF for the upload, fails the job', () => {
    const { dir, base } = workspace();
    const runs = runAction(dir, {}, base);
    const install = byName(runs, 'Install');
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain('0.1.0');

    const lint = byName(runs, 'Lint');
    expect(lint.status, lint.stderr).toBe(0);
    expect(lint.outputs).toEqual({ 'exit-code': '1', 'sarif-file': 'xlint.sarif' });
    // Annotations: GitHub workflow commands, one per finding, at the file's path in the repository.
    const annotations = lint.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations).toContainEqual(expect.stringMatching(/^::warning file=services\/api\/Dockerfile,line=\d+,col=\d+,.*title=xlint\(emulated-build-stage\)::/));
    expect(annotations.every((a) => a.includes('file=services/api/Dockerfile'))).toBe(true);
    expect(lint.stdout + lint.stderr).not.toContain('Dockerfile.j2');

    const sarif = JSON.parse(readFileSync(join(dir, 'xlint.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(results.map((r) => r.ruleId)).toContain('emulated-build-stage');
    expect(results.every((r) => r.locations[0].physicalLocation.artifactLocation.uri === 'services/api/Dockerfile')).toBe(true);

    const upload = byName(runs, 'Upload SARIF');
    expect(upload).toMatchObject({ external: true, skipped: false }); // reached, with the file the lint step wrote
    const fail = byName(runs, 'Fail on findings');
    expect(fail.skipped).toBe(false);
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain('findings at or above the failure threshold');
  });

  it('failure-threshold error passes on warnings; paths on several lines; globs reach xlint unexpanded; sarif off', () => {
    const { dir, base } = workspace();
    const runs = runAction(dir, { 'failure-threshold': 'error', paths: 'services/api\n  services/*/Dockerfile', sarif: 'false', format: 'concise' }, base);
    const lint = byName(runs, 'Lint');
    expect(lint.status, lint.stderr).toBe(0);
    expect(lint.outputs).toEqual({ 'exit-code': '0' });
    expect(byName(runs, 'Upload SARIF').skipped).toBe(true);
    expect(lint.stdout).toMatch(/^services\/api\/Dockerfile:\d+:\d+: warning \[emulated-build-stage\]/m);
    expect(byName(runs, 'Fail on findings').skipped).toBe(true);
  });

  it('failure-threshold none never fails on findings; a path with no Dockerfile still does (exit 2)', () => {
    const { dir, base } = workspace();
    const none = runAction(dir, { 'failure-threshold': 'none' }, base);
    expect(byName(none, 'Lint').outputs['exit-code']).toBe('0');
    mkdirSync(join(dir, 'empty'));
    const empty = runAction(dir, { paths: 'empty', 'failure-threshold': 'none' }, base);
    expect(byName(empty, 'Lint').outputs['exit-code']).toBe('2');
    expect(byName(empty, 'Lint').stderr).toContain('empty: no Dockerfile found in this directory');
    expect(byName(empty, 'Fail on findings').status).toBe(2);
  });

  it('a bad failure-threshold is an error annotation and exit 2', () => {
    const { dir, base } = workspace();
    const runs = runAction(dir, { 'failure-threshold': 'warnings' }, base);
    const lint = byName(runs, 'Lint');
    expect(lint.status).toBe(2);
    expect(lint.stdout).toContain('::error title=xlint::failure-threshold must be error, warning, info or none, not "warnings"');
  });
});
