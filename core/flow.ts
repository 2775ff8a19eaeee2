/**
 * The file-flow model: which paths each stage's RUN steps write, which paths each `COPY --from` /
 * `RUN --mount=from` takes and where they land, what each RUN executes, and where a path goes
 * from there (DESIGN §1: files flow by path, not by stage). Computed once per model, lazily: rules
 * that ask nothing of files never pay for it. Pure: reads the model only.
 */
import type { Instruction } from 'dockerfile-ast';
import { expand } from './expand';
import { derivedFact } from './derived';
import type { CommandFacts, Edge, Model, RunStep, Stage } from './model-types';

export interface Product {
  /** Absolute path the command writes; a directory when it ends with `/`. */
  path: string;
  run: RunStep;
  /** The command that made the file (for a `cp` of a product: the command that made the original). */
  command: CommandFacts;
  /** Named by the command (`-o`, `GOBIN`, `--output`, a `cp` destination) rather than the tool's default (the working directory). */
  explicit: boolean;
  /** The `cp`, `mv` or `tar` that put a copy of another product here. */
  via?: CommandFacts;
}

/** Files that come into a stage from another stage or an image. */
export interface Intake {
  edge: Edge;
  /** Absolute source paths in the other stage or image. */
  sources: string[];
  /** Absolute destination: a COPY's destination, or a mount's target (only during its RUN). */
  dest: string;
}

/** Files that come into a stage from the build context (`COPY`/`ADD` without `--from`). */
export interface ContextCopy {
  instruction: Instruction;
  /** The line of the COPY (0-based), to tell the RUN steps it precedes. */
  line: number;
  /** Sources as absolute paths in the context, without a trailing `/` (`` for all of it: `COPY . .`). */
  sources: string[];
  /** Absolute destination. */
  dest: string;
}

export interface Execution {
  run: RunStep;
  command: CommandFacts;
  /** The absolute path run (`./bin/tool`, `/usr/local/bin/tool`), or null for a name looked up on PATH. */
  path: string | null;
  name: string;
}

export interface StageFlow {
  products: Product[];
  intakes: Intake[];
  contextCopies: ContextCopy[];
  executions: Execution[];
  /** The working directory when each instruction runs. */
  workdirAt: Map<Instruction, string>;
  /** The directories of PATH (the image's default when no ENV sets it). */
  pathDirs: string[];
  /** The flow of the stage this one is built FROM: its files are here too. */
  parent: StageFlow | null;
}

export interface Landing {
  stage: Stage;
  /** The path the file has there. */
  path: string;
  /** How it got there: a COPY or mount edge, or null when the stage is built FROM the one that holds it. */
  edge: Edge | null;
}

const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** Cap on the (stage, path) pairs one trace visits: no input makes a trace superlinear. */
const TRACE_LIMIT = 5000;

/** The flow of every stage, computed on first use. */
export const flowOf = derivedFact('flows', buildFlows);

function buildFlows(model: Model): StageFlow[] {
  const out: StageFlow[] = new Array(model.stages.length);
  const first = model.targetPlatforms[0];
  // Parents come first in document order unless a FROM names a later stage (a model error): then start at /.
  for (const stage of model.stages) {
    const parent = stage.parentFor[first] ?? (stage.base.kind === 'stage' ? stage.base.stage : null);
    const inherited = parent !== null && parent < stage.index ? out[parent] : undefined;
    out[stage.index] = stageFlow(model, stage, inherited);
  }
  return out;
}

function stageFlow(model: Model, stage: Stage, parent: StageFlow | undefined): StageFlow {
  const first = model.targetPlatforms[0];
  const value = (name: string): string | undefined => stage.envValues[name]?.[first] ?? stage.argValues[name]?.[first] ?? undefined;
  const resolve = (text: string, cwd: string) => absolute(expand(text, (n) => value(n), model.escapeChar), cwd);
  const flow: StageFlow = {
    products: [],
    intakes: [],
    contextCopies: [],
    executions: [],
    workdirAt: new Map(),
    pathDirs: (value('PATH') ?? '').split(':').filter((d) => d.startsWith('/')),
    parent: parent ?? null,
  };
  if (flow.pathDirs.length === 0) flow.pathDirs = parent?.pathDirs ?? DEFAULT_PATH;
  let workdir = parent ? lastWorkdir(parent) : '/';
  const runs = new Map(stage.runs.map((r) => [r.instruction as Instruction, r]));
  const edgesAt = new Map<Instruction, Edge[]>();
  for (const edge of stage.edges) if (edge.kind !== 'from') edgesAt.set(edge.instruction, [...(edgesAt.get(edge.instruction) ?? []), edge]);
  for (const instruction of stage.instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'WORKDIR') {
      const { start, end } = model.argumentsOf.get(instruction)!;
      workdir = resolve(model.source.text.slice(start, end).trim(), workdir);
    }
    flow.workdirAt.set(instruction, workdir);
    if ((keyword === 'COPY' || keyword === 'ADD') && !model.argumentsOf.get(instruction)!.flags.some((f) => f.name === 'from')) {
      const values = copyArguments(instruction);
      const sources = values
        .slice(0, -1)
        .filter((s) => !s.startsWith('<<') && !/^[\w+.-]+:\/\/|^git@/.test(s))
        .map((s) => absolute(s, '/').replace(/\/$/, ''));
      if (sources.length > 0) flow.contextCopies.push({ instruction, line: instruction.getRange().start.line, sources, dest: resolve(values[values.length - 1], workdir) });
    }
    for (const edge of edgesAt.get(instruction) ?? []) {
      const dest = edge.kind === 'mount' ? mountTarget(edge, model) : copyDestination(instruction);
      if (dest === null) continue;
      flow.intakes.push({ edge, sources: edge.sources.map((s) => resolve(s, '/')), dest: resolve(dest, workdir) });
    }
    const run = runs.get(instruction);
    if (run) readRunFlow(flow, run, workdir, resolve, value);
  }
  return flow;
}

function lastWorkdir(flow: StageFlow): string {
  let last = '/';
  for (const dir of flow.workdirAt.values()) last = dir;
  return last;
}

/** Products and executions of one RUN, following `cd` at the top level of the script. */
function readRunFlow(flow: StageFlow, run: RunStep, workdir: string, resolve: (text: string, cwd: string) => string, value: (n: string) => string | undefined): void {
  let cwd = workdir;
  for (const command of run.commands) {
    if (command.name === null || command.words.length === 0) continue;
    if (command.name === 'cd' && command.depth === 0) {
      const to = command.words[1]?.value;
      if (to && !to.startsWith('-')) cwd = resolve(to, cwd);
      continue;
    }
    const word = command.words[0].value;
    flow.executions.push({ run, command, name: command.name, path: word.includes('/') ? resolve(word, cwd) : null });
    const script = shellScript(command);
    if (script !== undefined) flow.executions.push({ run, command, name: basename(script), path: resolve(script, cwd) });
    const assigned = (name: string) => command.assignments.find((a) => a.name === name)?.value ?? value(name);
    for (const path of writes(command, cwd, assigned)) {
      flow.products.push({ path: resolve(path.path, cwd), run, command, explicit: path.explicit });
    }
    copyProducts(flow, run, command, cwd, resolve);
  }
}

/** The option value after `-o` / `--output` (also `-o=X`, `--output=X`, `-oX` for C compilers). */
function optionValue(command: CommandFacts, names: string[]): string | undefined {
  const words = command.words.map((w) => w.value);
  for (let i = 1; i < words.length; i++) {
    for (const name of names) {
      if (words[i] === name) return words[i + 1];
      if (words[i].startsWith(name + '=')) return words[i].slice(name.length + 1);
    }
  }
  return undefined;
}

/** Where a build command writes: explicit outputs, else the tool's default under the working directory. */
function writes(command: CommandFacts, cwd: string, assigned: (name: string) => string | undefined): { path: string; explicit: boolean }[] {
  // What a project script writes is not in the Dockerfile.
  if (command.script !== undefined) return [];
  if (command.kind !== 'build' && command.kind !== 'cross-helper') {
    // Any other tool that names its output (`xk6 build --output ./k6`, `curl -o`, `wget -O`); apt's -o is an option.
    if (/^(apt|apt-get|dpkg|apk|yum|dnf)$/.test(command.name ?? '')) return [];
    const named = optionValue(command, command.name === 'wget' ? ['-O', '--output-document'] : ['-o', '--output']);
    return named !== undefined && named !== '-' && named !== '/dev/null' ? [{ path: named, explicit: true }] : [];
  }
  const sub = command.words.slice(1).find((w) => !w.value.startsWith('-'))?.value;
  const name = command.name ?? '';
  const out = optionValue(command, ['-o', '--output', '--out', '--target-dir', '--out-dir', '--dest']);
  if ((name === 'go' || name === 'xx-go') && sub === 'install') {
    const gobin = assigned('GOBIN');
    if (gobin) return [{ path: dir(gobin), explicit: true }];
    return [{ path: dir(assigned('GOPATH') ?? '/go') + 'bin/', explicit: false }];
  }
  if (name === 'cargo' || name === 'xx-cargo') {
    if (sub === 'install') {
      const root = optionValue(command, ['--root']) ?? assigned('CARGO_INSTALL_ROOT') ?? assigned('CARGO_HOME') ?? '/usr/local/cargo';
      return [{ path: dir(root) + 'bin/', explicit: optionValue(command, ['--root']) !== undefined }];
    }
    const target = optionValue(command, ['--target-dir']) ?? assigned('CARGO_TARGET_DIR');
    const outDir = optionValue(command, ['--out-dir', '--artifact-dir']);
    const paths = [{ path: dir(target ?? 'target'), explicit: target !== undefined }];
    if (outDir) paths.push({ path: dir(outDir), explicit: true });
    return paths;
  }
  if (command.toolchain === 'python') return pythonWrites(command, cwd, assigned);
  if (command.toolchain === 'node' && command.words.some((w) => w.value === '-g' || w.value === '--global')) return [{ path: '/usr/local/lib/node_modules/', explicit: false }];
  if (out !== undefined) return [{ path: out, explicit: true }];
  // C compilers also take `-oNAME`.
  const glued = command.words.find((w) => /^-o[^=-]/.test(w.value) && command.toolchain === 'c');
  if (glued) return [{ path: glued.value.slice(2), explicit: true }];
  const paths = [{ path: dir(cwd), explicit: false }];
  if (command.toolchain === 'c' && command.words.some((w) => w.value === 'install')) paths.push({ path: '/usr/local/', explicit: false });
  return paths;
}

/** Where pip and its peers install: the target, prefix or user directory, the active virtualenv, or the interpreter's prefix. */
function pythonWrites(command: CommandFacts, cwd: string, assigned: (name: string) => string | undefined): { path: string; explicit: boolean }[] {
  const words = command.words.map((w) => w.value);
  const explicit = optionValue(command, ['--target', '-t', '--prefix', '--root', '-w', '--wheel-dir']);
  if (explicit !== undefined) return [{ path: dir(explicit), explicit: true }];
  if (words.includes('--user')) return [{ path: '/root/.local/', explicit: false }];
  if (/^(poetry|pipenv)$/.test(command.name ?? '') || (command.name === 'uv' && words[1] === 'sync')) return [{ path: dir(cwd) + '.venv/', explicit: false }, { path: '/usr/local/', explicit: false }];
  if (words.includes('setup.py') || (words[1] === '-m' && words[2] === 'build') || words.includes('wheel')) return [{ path: dir(cwd), explicit: false }];
  // `/opt/venv/bin/pip install`: the virtualenv that pip belongs to.
  const onPath = (assigned('PATH') ?? '').split(':').find((d) => /\/bin\/?$/.test(d) && !DEFAULT_PATH.includes(d.replace(/\/$/, '')));
  const prefix = /^(.*)\/bin\/[^/]+$/.exec(words[0])?.[1] ?? assigned('VIRTUAL_ENV') ?? onPath?.replace(/\/bin\/?$/, '');
  return [{ path: prefix ? dir(prefix) : '/usr/local/', explicit: false }];
}

/** `cp`/`mv`/`install`/`ln` of a product, or a `tar` archive of one: the copy is a product too, of the same command. */
function copyProducts(flow: StageFlow, run: RunStep, command: CommandFacts, cwd: string, resolve: (text: string, cwd: string) => string): void {
  if (command.name === 'tar') return archiveProducts(flow, run, command, cwd, resolve);
  if (!/^(cp|mv|install|ln|rsync)$/.test(command.name ?? '')) return;
  const operands = command.words.slice(1).map((w) => w.value).filter((v) => !v.startsWith('-'));
  // `install -m 755 src dst`: the mode is an operand of -m.
  if (command.name === 'install') {
    const mode = command.words.findIndex((w) => w.value === '-m');
    if (mode > 0) operands.splice(operands.indexOf(command.words[mode + 1]?.value ?? ''), 1);
  }
  if (operands.length < 2) return;
  const dest = resolve(operands[operands.length - 1], cwd);
  const intoDir = dest.endsWith('/') || operands.length > 2;
  for (const source of operands.slice(0, -1).map((s) => resolve(s, cwd))) {
    const made = productAt(flow, source);
    if (!made) continue;
    flow.products.push({ path: intoDir ? dir(dest) + basename(source) : dest, run, command: made.command, explicit: true, via: command });
  }
}

/** The latest product of this stage or a stage it is built FROM at (or under) a path. */
function productAt(flow: StageFlow, path: string): Product | undefined {
  for (let f: StageFlow | null = flow; f; f = f.parent) {
    for (let i = f.products.length - 1; i >= 0; i--) if (overlaps(f.products[i].path, path)) return f.products[i];
  }
  return undefined;
}

/** Every file a command made, with the stage it is in (a `cp` or `tar` of it in a stage built FROM it included). */
export function productsOfCommand(model: Model, command: CommandFacts): { stage: Stage; product: Product }[] {
  return productsByCommand(model).get(command) ?? [];
}

const productsByCommand = derivedFact('products by command', (model: Model) => {
  const index = new Map<CommandFacts, { stage: Stage; product: Product }[]>();
  const flow = flowOf(model);
  for (const stage of model.stages) {
    for (const product of flow[stage.index].products) (index.get(product.command) ?? index.set(product.command, []).get(product.command)!).push({ stage, product });
  }
  return index;
});

/** `tar -C /out -czf /app.tgz .`: the archive holds what its inputs hold. */
function archiveProducts(flow: StageFlow, run: RunStep, command: CommandFacts, cwd: string, resolve: (text: string, cwd: string) => string): void {
  const words = command.words.slice(1).map((w) => w.value);
  // The bundled flags (`-czf`, `czf`) with `c` (create); `-C` is the directory option.
  const mode = words.find((w) => /^-?[a-zA-Z]+$/.test(w) && w !== '-C' && w.includes('c')) ?? (words.includes('--create') ? '--create' : '');
  if (!mode) return;
  let archive: string | undefined;
  let base = cwd;
  const inputs: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-C' || w === '--directory') base = resolve(words[++i] ?? '.', cwd);
    else if (w.startsWith('--file=')) archive = w.slice(7);
    else if (w === '-f' || w === '--file' || (/^-?[a-zA-Z]*f$/.test(w) && w === mode)) archive = words[++i];
    else if (!w.startsWith('-') && w !== mode) inputs.push(w);
  }
  if (!archive) return;
  const made = inputs.map((input) => productAt(flow, resolve(input, base))).find((p) => p !== undefined);
  if (made) flow.products.push({ path: resolve(archive, cwd), run, command: made.command, explicit: true, via: command });
}

/** The script a shell runs (`sh ./build.sh`, `bash -e hack/build.sh`); none for `sh -c '...'`, whose commands are read as commands. */
export function shellScript(command: CommandFacts): string | undefined {
  if (!/^(sh|bash|ash|dash)$/.test(command.name ?? '') || command.words.some((w) => /^-\w*c\w*$/.test(w.value))) return undefined;
  return command.words.slice(1).find((w) => !w.value.startsWith('-'))?.value;
}

/** COPY/ADD sources and destination: the arguments (exec or shell form). */
function copyArguments(instruction: Instruction): string[] {
  const json = (instruction as { getJSONStrings?: () => { getJSONValue(): string }[] }).getJSONStrings?.() ?? [];
  return json.length > 0 ? json.map((s) => s.getJSONValue()) : instruction.getArguments().map((a) => a.getValue());
}

/** COPY/ADD sources: every argument but the last. */
export function copySources(instruction: Instruction): string[] {
  return copyArguments(instruction).slice(0, -1);
}

/** COPY/ADD destination: the last argument. */
function copyDestination(instruction: Instruction): string | null {
  const values = copyArguments(instruction);
  return values.length >= 2 ? values[values.length - 1] : null;
}

function mountTarget(edge: Edge, model: Model): string | null {
  const flag = model.argumentsOf.get(edge.instruction)?.flags.find((f) => f.name === 'mount' && /(^|,)\s*from=/i.test(f.value));
  const target = flag?.value.split(',').map((kv) => kv.split('=')).find(([k]) => /^(target|dst|destination)$/i.test(k.trim()))?.[1];
  return target?.trim() || null;
}

/** An absolute, normalized path; a trailing `/` (a directory) is kept. */
export function absolute(path: string, cwd: string): string {
  const joined = path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const trailing = (joined.endsWith('/') || /\/\.$/.test(joined)) && parts.length > 0 ? '/' : '';
  return '/' + parts.join('/') + trailing;
}

function dir(path: string): string {
  return path.endsWith('/') ? path : path + '/';
}

function basename(path: string): string {
  const parts = path.replace(/\/$/, '').split('/');
  return parts[parts.length - 1];
}

/** The part of a source path before its first glob character, as a directory when it was cut. */
function globFree(path: string): string {
  const i = path.search(/[*?[]/);
  return i < 0 ? path : path.slice(0, path.lastIndexOf('/', i) + 1) || '/';
}

/** One path holds the other (or they are the same): files written at one are read at the other. */
export function overlaps(a: string, b: string): boolean {
  const x = globFree(a).replace(/\/$/, '');
  const y = globFree(b).replace(/\/$/, '');
  return x === y || x === '' || y === '' || y.startsWith(x + '/') || x.startsWith(y + '/');
}

/** Where a file at `path` lands when `source` of the other stage is copied to `dest`. */
export function landing(path: string, source: string, dest: string): string {
  const src = globFree(source).replace(/\/$/, '');
  const p = path.replace(/\/$/, '');
  const cut = src !== source.replace(/\/$/, '');
  if (p === src) return dest.endsWith('/') && !cut ? dir(dest) + basename(src) : dest;
  if (p.startsWith(src + '/') || src === '') {
    // A directory's contents go into the destination; a glob's matches keep their names there.
    return dir(dest) + p.slice(src.length + 1) + (path.endsWith('/') ? '/' : '');
  }
  // Only part of the path is copied (a file inside a product directory).
  return dest.endsWith('/') ? dir(dest) + basename(source) : dest;
}

/**
 * Every stage a file at `path` in `from` reaches through COPY --from, RUN --mount=from and FROM,
 * transitively, with the path it has there. Only stages the build reaches are followed.
 */
export function trace(model: Model, from: Stage, path: string): Landing[] {
  const out: Landing[] = [];
  const seen = new Set<string>([`${from.index}:${path}`]);
  const queue: Landing[] = [{ stage: from, path, edge: null }];
  const children = childrenOf(model);
  const taken = intakesByStage(model);
  while (queue.length > 0) {
    if (seen.size >= TRACE_LIMIT) {
      noteLimit(model, from, path);
      break;
    }
    const current = queue.shift()!;
    const next: Landing[] = [];
    for (const child of children[current.stage.index]) next.push({ stage: child, path: current.path, edge: null });
    for (const { consumer, intake } of taken[current.stage.index]) {
      for (const source of intake.sources) {
        if (overlaps(source, current.path)) next.push({ stage: consumer, path: landing(current.path, source, intake.dest), edge: intake.edge });
      }
    }
    for (const item of next) {
      const key = `${item.stage.index}:${item.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
      queue.push(item);
    }
  }
  return out;
}

export interface Taken {
  /** The reachable stage that copies or mounts the files. */
  consumer: Stage;
  intake: Intake;
}

/** For each stage, the COPY --from / RUN --mount=from intakes of reachable stages that take its files. */
export const intakesByStage = derivedFact('intakes by stage', (model: Model): Taken[][] => {
  const flow = flowOf(model);
  const lists: Taken[][] = model.stages.map(() => []);
  for (const consumer of model.stages) {
    if (!consumer.reachable) continue;
    for (const intake of flow[consumer.index].intakes) {
      if (intake.edge.stage !== null && intake.edge.stage !== consumer.index) lists[intake.edge.stage].push({ consumer, intake });
    }
  }
  return lists;
});

/** Says once per model that a trace stopped at its cap: what lies past it is unknown, not absent. */
function noteLimit(model: Model, from: Stage, path: string): void {
  if (model.limits.some((l) => l.message.startsWith('the files of this build'))) return;
  model.limits.push({ message: `the files of this build flow through more than ${TRACE_LIMIT} places (from ${path} in stage ${from.index}): where they go past that is not followed`, range: from.from.getRange() });
}

/** Reachable stages built FROM each stage (for any target). */
export const childrenOf = derivedFact('children', (model: Model): Stage[][] => {
  const lists: Stage[][] = model.stages.map(() => []);
  for (const stage of model.stages) {
    if (!stage.reachable) continue;
    for (const edge of stage.edges) if (edge.kind === 'from' && edge.stage !== null && edge.stage !== stage.index) lists[edge.stage].push(stage);
  }
  return lists;
});

/** Commands every base image has: a copied directory is not where they come from. */
export const BASE_COMMANDS = new Set(
  ('sh bash ash dash echo printf cd set export unset test [ true false exit exec env ls cat cp mv rm ln mkdir rmdir chmod chown touch ' +
    'tar gzip gunzip unzip find xargs grep sed awk sort head tail tr cut wc tee sleep id whoami uname which command ' +
    'apt apt-get dpkg apk yum dnf microdnf rpm zypper curl wget git install useradd adduser groupadd addgroup su sudo').split(' '),
);

/**
 * Whether a RUN executes something copied to `path`: a path under it, or a name found in a PATH
 * directory the copy filled (a file copied there by its name; any name but a base command for a directory).
 */
export function executes(execution: Execution, path: string, pathDirs: string[]): boolean {
  if (execution.path !== null) return overlaps(execution.path, path);
  const target = path.replace(/\/$/, '');
  return pathDirs.some((d) => {
    const candidate = `${d.replace(/\/$/, '')}/${execution.name}`;
    // A path without a trailing slash may be a file or a directory: either way it can hold the command.
    return candidate === target || (candidate.startsWith(target + '/') && !BASE_COMMANDS.has(execution.name));
  });
}
