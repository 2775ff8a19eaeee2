/**
 * The hooks of .pre-commit-hooks.yaml under Debian's real `pre-commit`, in a temporary git repo:
 * the lint hook blocks an emulation-prone Dockerfile; the fix hook rewrites it so the commit passes.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeWithParts, onPath } from './real-parts';

const ROOT = join(__dirname, '..', '..');

function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', ...env },
  });
}

/** A git repo holding this working tree (committed or not), as pre-commit clones hook repos by rev. */
function snapshotThisRepo(into: string): string {
  const tracked = sh('git', ['ls-files', '--cached', '--others', '--exclude-standard'], ROOT).stdout.split('\n').filter(Boolean);
  for (const file of tracked) {
    try {
      mkdirSync(dirname(join(into, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(into, file));
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  sh('git', ['init', '-q'], into);
  sh('git', ['add', '-A'], into);
  sh('git', ['commit', '-qm', 'snapshot'], into);
  return sh('git', ['rev-parse', 'HEAD'], into).stdout.trim();
}

describeWithParts('pre-commit hooks', ['pre-commit', 'git'].filter((c) => !onPath(c)), () => {
  let base: string;
  let hookRepo: string;
  let rev: string;
  let home: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'xlint-precommit-'));
    hookRepo = join(base, 'xlint');
    mkdirSync(hookRepo);
    rev = snapshotThisRepo(hookRepo);
    home = join(base, 'pre-commit-home');
  });

  function project(hook: string): string {
    const dir = mkdtempSync(join(base, 'project-'));
    sh('git', ['init', '-q'], dir);
    writeFileSync(join(dir, '.pre-commit-config.yaml'), `repos:\n- repo: ${hookRepo}\n  rev: ${rev}\n  hooks:\n  - id: ${hook}\n`);
    copyFileSync(join(ROOT, 'examples/go-emulated.Dockerfile'), join(dir, 'Dockerfile'));
    expect(sh('pre-commit', ['install'], dir, { PRE_COMMIT_HOME: home }).status).toBe(0);
    sh('git', ['add', '-A'], dir);
    return dir;
  }

  it('the lint hook blocks the commit of an emulation-prone Dockerfile', () => {
    const dir = project('xlint');
    const commit = sh('git', ['commit', '-m', 'add Dockerfile'], dir, { PRE_COMMIT_HOME: home });
    expect(commit.status, commit.stdout + commit.stderr).not.toBe(0);
    expect(commit.stdout + commit.stderr).toContain('emulated-build-stage');
    expect(sh('git', ['rev-parse', '--verify', 'HEAD'], dir).status).not.toBe(0); // nothing committed
  }, 300_000);

  it('the fix hook rewrites it, and the commit then passes', () => {
    const dir = project('xlint-fix');
    const first = sh('git', ['commit', '-m', 'add Dockerfile'], dir, { PRE_COMMIT_HOME: home });
    expect(first.status).not.toBe(0); // pre-commit fails a commit whose files a hook changed
    const fixed = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(fixed).toMatch(/^FROM --platform=\$BUILDPLATFORM golang:1\.22 AS build$/m);
    expect(fixed).toMatch(/GOOS=\$TARGETOS GOARCH=\$TARGETARCH/);
    sh('git', ['add', '-A'], dir);
    const second = sh('git', ['commit', '-m', 'add Dockerfile'], dir, { PRE_COMMIT_HOME: home });
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(sh('git', ['show', 'HEAD:Dockerfile'], dir).stdout).toBe(fixed);
  }, 300_000);

  it("the hooks' files pattern: a template beside the Dockerfiles is not passed, a prod.Containerfile is", () => {
    // The generated pattern (core/dockerfile-names.ts): Dockerfile.j2 would be invalid-dockerfile (exit 2) if passed.
    const dir = mkdtempSync(join(base, 'names-'));
    sh('git', ['init', '-q'], dir);
    writeFileSync(join(dir, '.pre-commit-config.yaml'), `repos:\n- repo: ${hookRepo}\n  rev: ${rev}\n  hooks:\n  - id: xlint\n`);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n');
    writeFileSync(join(dir, 'Dockerfile.j2'), 'FROM {{ base_image }}\n{% for p in packages %}RUN apk add {{ p }}\n{% endfor %}\n');
    writeFileSync(join(dir, 'Dockerfile.dockerignore'), 'node_modules\n');
    expect(sh('pre-commit', ['install'], dir, { PRE_COMMIT_HOME: home }).status).toBe(0);
    sh('git', ['add', '-A'], dir);
    const clean = sh('git', ['commit', '-m', 'templates'], dir, { PRE_COMMIT_HOME: home });
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);

    copyFileSync(join(ROOT, 'examples/go-emulated.Dockerfile'), join(dir, 'prod.Containerfile'));
    sh('git', ['add', '-A'], dir);
    const blocked = sh('git', ['commit', '-m', 'containerfile'], dir, { PRE_COMMIT_HOME: home });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/prod\.Containerfile[\s\S]*emulated-build-stage/);
  }, 300_000);
});
