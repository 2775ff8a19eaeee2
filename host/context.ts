/**
 * What the engine may want from a Dockerfile's build context, read here because the engine reads
 * no files: the .NET project files beside it (and below it) and whether they publish
 * with NativeAOT, which makes `-a $TARGETARCH` need a cross linker; and the scripts its RUN steps
 * execute (Model.contextScripts). Bounded: small files only, three directories down, a capped
 * number of them, errors ignored (the context is a hint, never a reason to fail a lint).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BuildContext } from '../core/model';
import { readRegularFile } from './read-file';

const PROJECT_FILE = /\.(cs|fs|vb)proj$/i;
const MAX_PROJECT_BYTES = 1 << 20;
const MAX_PROJECTS = 200;
const MAX_DEPTH = 3;
const MAX_DIRECTORIES = 500;
const SKIPPED_DIRECTORY = /^(\..*|node_modules|bin|obj|vendor|target|dist)$/;
const PUBLISH_AOT = /<PublishAot>\s*true\s*<\/PublishAot>/i;
const MAX_SCRIPT_BYTES = 256 * 1024;
const MAX_SCRIPTS = 64;

const byDirectory = new Map<string, { context: BuildContext; readAt: number }>();
/** Directories remembered by a long-lived process (the language server): the oldest are dropped. */
const MAX_REMEMBERED = 256;

/**
 * The build context facts of the context directory `dir` (by default a Dockerfile's directory), read
 * once per directory in a run, or again once `maxAgeMs` old (the language server outlives changes
 * to the project files, and must not walk the folders on every keystroke).
 */
export function readBuildContext(dir: string, maxAgeMs = Infinity): BuildContext {
  const now = Date.now();
  const known = byDirectory.get(dir);
  if (known && now - known.readAt <= maxAgeMs) return known.context;
  const context = readContext(dir);
  byDirectory.delete(dir);
  if (byDirectory.size >= MAX_REMEMBERED) byDirectory.delete(byDirectory.keys().next().value!);
  byDirectory.set(dir, { context, readAt: now });
  return context;
}

/**
 * The .NET project facts for a Dockerfile that mentions `dotnet` (readBuildContext); none for any
 * other, so that a large tree walks no extra folders.
 */
export function readDotnetContext(text: string, dir: string, maxAgeMs = Infinity): BuildContext | undefined {
  return /\bdotnet\b/i.test(text) ? readBuildContext(dir, maxAgeMs) : undefined;
}

function readContext(dir: string): BuildContext {
  const projects: NonNullable<BuildContext['dotnetProjects']> = [];
  for (const file of projectFiles(dir)) {
    try {
      projects.push({ path: relative(dir, file), publishAot: PUBLISH_AOT.test(readRegularFile(file, MAX_PROJECT_BYTES).toString('utf8')) });
    } catch {
      // Unreadable, too large or not a regular file: not a fact we know.
    }
  }
  // Empty when none are found: read and none there, which a cached finding must check again.
  return { dotnetProjects: projects };
}

/** Project files up to three directories down (`src/App/App.csproj`), skipping hidden, build-output and dependency folders. */
function projectFiles(root: string): string[] {
  const out: string[] = [];
  let queue = [root];
  let visited = 0;
  for (let depth = 0; depth <= MAX_DEPTH && queue.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of queue) {
      if (++visited > MAX_DIRECTORIES || out.length >= MAX_PROJECTS) return out;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.isFile() && PROJECT_FILE.test(entry.name)) out.push(join(dir, entry.name));
        else if (entry.isDirectory() && !SKIPPED_DIRECTORY.test(entry.name)) next.push(join(dir, entry.name));
      }
    }
    queue = next;
  }
  return out.slice(0, MAX_PROJECTS);
}

/**
 * The text of each file at these paths of the context directory `dir` (the engine's
 * Model.contextScripts), or null when it is not a small, readable text file.
 */
export function readContextScripts(dir: string, paths: readonly string[]): Record<string, string | null> {
  const scripts: Record<string, string | null> = {};
  for (const path of paths.slice(0, MAX_SCRIPTS)) {
    try {
      const bytes = readRegularFile(join(dir, path), MAX_SCRIPT_BYTES);
      scripts[path] = bytes.includes(0) ? null : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      scripts[path] = null;
    }
  }
  return scripts;
}

/** Whether `dir` is a directory, as a build context given with --context must be. */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
