/**
 * Scripts from the build context that a RUN executes (`COPY install-runc / && RUN /install-runc`,
 * `COPY . . && RUN sh hack/build.sh`): a build hidden behind a project script is build work too
 * (issue #10, cause 8). The engine reads no files: it names the context paths it would read
 * (Model.contextScripts), an adapter gives their text back (BuildContext.scripts), and a RUN
 * command whose script plainly compiles (`make`, `go build`, `gcc`...) is classified as that build.
 * A script that is not given, or that only calls other scripts, is opaque: nothing is guessed.
 */
import { classifyCommand } from './classify';
import { BASE_COMMANDS, flowOf, shellScript, type ContextCopy, type Execution, type StageFlow } from './flow';
import type { CommandFacts, Model } from './model-types';
import { basename, readShell } from './shell';

/**
 * The last phase of the model: finds executed context files, and classifies the commands whose
 * scripts were given. Only in the stages where a build behind a script changes a finding: built on
 * the target platform, emulated for some target, and not the image itself (its FROM chain runs on
 * the target by necessity). The flow model is computed only when such a stage runs something a
 * context copy may have put there.
 */
export function findContextScripts(model: Model): void {
  const given = model.context.scripts;
  if (given === undefined) return;
  const stages = model.stages.filter((s) => s.reachable && !s.windows && !s.inOutputChain && s.platform.kind === 'target' && s.emulatedOn.length > 0);
  // Cheapest first: a command that runs some file, then a COPY from the context that may have put it there.
  if (!stages.some((s) => s.runs.some((r) => r.commands.some((c) => executedWord(c) !== undefined)))) return;
  const copies = rawContextCopies(model);
  const candidate = (command: CommandFacts) => {
    const word = executedWord(command);
    return word !== undefined && copies.some((copy) => mayLand(copy, word)) ? word : undefined;
  };
  if (!stages.some((s) => s.runs.some((r) => r.commands.some(candidate)))) return;
  const flows = flowOf(model);
  const wanted = new Set<string>();
  let classified = false;
  for (const stage of stages) {
    const flow = flows[stage.index];
    for (const execution of flow.executions) {
      // The file the command runs (for `sh build.sh`, the script, not the shell).
      const word = candidate(execution.command);
      if (word === undefined || execution.name !== basename(word)) continue;
      const candidates = contextPathsOf(execution, flow);
      for (const path of candidates) wanted.add(path);
      const script = candidates.find((path) => typeof given[path] === 'string');
      if (script !== undefined) classified = classifyByScript(execution.command, script, given[script]!) || classified;
    }
  }
  model.contextScripts = [...wanted];
  // The flows were read before these commands were known builds: what they write is computed again on first use.
  if (classified) {
    model.derived = undefined;
    for (const stage of model.stages) for (const run of stage.runs) run.derived = undefined;
  }
}

interface RawCopy {
  sources: string[];
  /** As written (not resolved against WORKDIR). */
  dest: string;
}

/**
 * Every COPY/ADD from the context, its words read roughly from the text (quotes, brackets and line
 * continuations dropped): enough to tell, without the flow model, that a command cannot come from
 * one. A word with a variable may be anything (`*`).
 */
function rawContextCopies(model: Model): RawCopy[] {
  const out: RawCopy[] = [];
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const args = model.argumentsOf.get(instruction)!;
      if ((keyword !== 'COPY' && keyword !== 'ADD') || args.flags.some((f) => f.name === 'from')) continue;
      const values = model.source.text
        .slice(args.bodyStart, args.end)
        .split(/[\s,[\]"']+/)
        .filter((w) => w !== '' && w !== model.escapeChar)
        .map((w) => (w.includes('$') ? '*' : w));
      if (values.length >= 2) out.push({ sources: values.slice(0, -1), dest: values[values.length - 1] });
    }
  }
  return out;
}

/**
 * The file a command not yet known to do anything for a cross build executes: its path
 * (`./install-runc`, not a system one like `/bin/sh`), a shell's script (`sh build.sh`, not
 * `sh -c`), or a name that may be on PATH (not a command every base image has).
 */
function executedWord(command: CommandFacts): string | undefined {
  if (command.kind !== 'other' || command.name === null || command.words.length === 0) return undefined;
  const first = command.words[0].value;
  if (/^(sh|bash|ash|dash)$/.test(command.name)) return shellScript(command);
  if (first.includes('/')) return /^\/(usr\/)?s?bin\//.test(first) ? undefined : first;
  return BASE_COMMANDS.has(command.name) ? undefined : first;
}

/** Whether the file a command runs may be one this copy put there: a source of its name, or a copied directory it may sit in. */
function mayLand(copy: RawCopy, word: string): boolean {
  const name = basename(word);
  for (const source of copy.sources) {
    const sourceName = basename(source.replace(/\/+$/, ''));
    if (sourceName === name || (/[*?[]/.test(sourceName) && globMatches(sourceName, name))) return true;
    if (namesFile(sourceName)) continue;
    // A name on PATH from a copied `bin` directory; a path inside the copy's destination (relative ones may be).
    if (copy.dest === '*') return true;
    if (!word.includes('/') ? /\/bin\/?$/.test(copy.dest) : !word.startsWith('/') || !copy.dest.startsWith('/') || word.startsWith(copy.dest.replace(/\/+$/, '') + '/')) return true;
  }
  return false;
}

/** A build command in the script makes the command that runs it that build (the first one names the toolchain). */
function classifyByScript(command: CommandFacts, path: string, text: string): boolean {
  const build = readShell(text).commands.map(classifyCommand).find((c) => c.kind === 'build');
  if (!build) return false;
  command.kind = 'build';
  if (build.toolchain !== undefined) command.toolchain = build.toolchain;
  command.script = path;
  return true;
}

/** Context paths the executed file may have come from, latest copy first (this stage's, then its parents'). */
function contextPathsOf(execution: Execution, flow: StageFlow): string[] {
  const targets = execution.path !== null ? [execution.path] : flow.pathDirs.map((d) => `${d.replace(/\/$/, '')}/${execution.name}`);
  const out: string[] = [];
  let ownStage = true;
  for (let f: StageFlow | null = flow; f; f = f.parent, ownStage = false) {
    for (let i = f.contextCopies.length - 1; i >= 0; i--) {
      const copy = f.contextCopies[i];
      // A copy after the RUN in the same stage is not there yet.
      if (ownStage && copy.line > execution.run.line) continue;
      for (const target of targets) for (const path of sourcesLanding(copy, target)) if (!out.includes(path)) out.push(path);
    }
  }
  return out;
}

/** The context paths that `copy` puts at `target`: a source copied as a file, or a file inside a copied directory. */
function sourcesLanding(copy: ContextCopy, target: string): string[] {
  const dest = copy.dest.replace(/\/$/, '');
  const intoDirectory = copy.dest.endsWith('/') || copy.sources.length > 1;
  const out: string[] = [];
  for (const source of copy.sources) {
    const name = basename(source);
    if (/[*?[]/.test(source)) {
      // `COPY scripts/*.sh /usr/local/bin/`: a match keeps its name in the destination directory.
      const directory = source.slice(0, source.lastIndexOf('/'));
      const targetName = basename(target);
      if (!/[*?[]/.test(directory) && target === `${dest}/${targetName}` && globMatches(name, targetName)) out.push(relative(`${directory}/${targetName}`));
      continue;
    }
    // A file source.
    if (source !== '' && target === (intoDirectory ? `${dest}/${name}` : dest)) out.push(relative(source));
    // A directory source (`.`, `hack`; not `go.mod`): its contents go into the destination.
    if (target.startsWith(dest + '/') && !namesFile(name)) out.push(relative(`${source}/${target.slice(dest.length + 1)}`));
  }
  return out;
}

/** A source name with an extension (`go.mod`, `build.sh`) is taken for a file: a directory's contents are not looked for under it. */
function namesFile(name: string): boolean {
  return /.\.\w+$/.test(name);
}

function relative(path: string): string {
  return path.replace(/^\/+/, '');
}

function globMatches(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${regex}$`).test(name);
}
