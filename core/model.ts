/**
 * The build model: stages, platforms, ARG scopes, edges, reachability and classified RUN commands,
 * evaluated for one builder platform and a list of target platforms (DESIGN §1).
 * Pure: text in, data out.
 */
import { type From, type Instruction, type Run } from 'dockerfile-ast';
import { continuationPattern, memoizeInstruction, parseDockerfile, readArguments } from './ast';
import { classifyCommand } from './classify';
import { derivedFact } from './derived';
import { offsetAt, rangeOf, sourceText } from './document';
import { expand, references } from './expand';
import { findContextScripts } from './context-scripts';
import { copySources } from './flow';
import { AUTOMATIC_ARGS, automaticArgs, formatPlatform, isPlatformArg, normalizePlatform, parsePlatform, type Platform } from './platform';
import { basename, MAX_NESTING, readShell, readWords, type ShellCommand, type ShellScript } from './shell';
import type { ArgDeclaration, CommandFacts, Model, ModelError, PlatformFlag, PlatformKind, RunStep, Stage, VariableUse, BuildOptions } from './model-types';

export * from './model-types';

const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

type Scope = Map<string, { value: string | null; declaration: ArgDeclaration | null; env: boolean }>;

export function buildModel(raw: string, options: BuildOptions): Model {
  const source = sourceText(raw);
  const ast = options.parser ? options.parser.parse(source.text) : parseDockerfile(source.text);
  const model: Model = {
    source,
    ast,
    escapeChar: ast.getEscapeCharacter(),
    directives: ast.getDirectives().map((d) => ({ name: d.getName(), value: d.getValue(), line: d.getRange().start.line })),
    buildPlatform: normalizePlatform(options.buildPlatform),
    targetPlatforms: options.targetPlatforms.map(normalizePlatform),
    globalArgs: [],
    stages: [],
    outputStage: -1,
    variableUses: [],
    errors: [],
    limits: [],
    context: options.context ?? {},
    contextScripts: [],
    argumentsOf: new Map(),
    derived: undefined,
  };
  splitStages(model);
  if (model.stages.length === 0) {
    model.errors.push({ message: 'no FROM instruction: a Dockerfile needs at least one stage', range: rangeOf(source, 0, 0) });
    return model;
  }
  const byName = stageNames(model);
  model.outputStage = outputStageOf(model, byName, options.target);
  const build = parsePlatform(model.buildPlatform) ?? { os: 'linux', arch: 'amd64', variant: '' };
  const globals = new Map(model.targetPlatforms.map((t) => [t, globalScope(model, build, parsePlatform(t) ?? build, options.buildArgs ?? {})]));
  for (const stage of model.stages) resolveBase(stage, model, byName, globals);
  readStageBodies(model, byName);
  checkCycles(model, model.errors);
  platformKinds(model);
  windowsStages(model);
  const fromUses = collectFromUses(model);
  const stageUses = model.stages.map((stage) => collectStageUses(model, stage));
  for (const target of model.targetPlatforms) {
    const global = globals.get(target)!;
    for (const use of fromUses) use.values[target] = nonEmpty(global.get(use.name)?.value);
    stagePlatforms(model, target, parsePlatform(target) ?? build, global);
    reachability(model, target);
    argScopes(model, target, global, stageUses, options.buildArgs ?? {});
  }
  for (const stage of model.stages) stage.reachable = stage.reachableFor.length > 0;
  model.variableUses = [...fromUses, ...stageUses.flat()].sort((a, b) => a.start - b.start);
  findContextScripts(model);
  return model;
}

/** Phase 1: the global part (ARGs) and the stages, each with the instructions after its FROM. */
function splitStages(model: Model): void {
  const { source, escapeChar, errors } = model;
  let current: Stage | null = null;
  for (const instruction of model.ast.getInstructions()) {
    const start = offsetAt(source, instruction.getRange().start);
    const end = offsetAt(source, instruction.getRange().end);
    memoizeInstruction(instruction, source.text.slice(start, end));
    model.argumentsOf.set(instruction, readArguments(source.text, start, offsetAt(source, instruction.getInstructionRange().end), end, escapeChar));
    const keyword = instruction.getKeyword();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      errors.push({ message: `unknown instruction "${instruction.getInstruction()}"`, range: instruction.getInstructionRange() });
      continue;
    }
    if (keyword === 'FROM') {
      current = newStage(model, instruction as From, errors);
      model.stages.push(current);
    } else if (!current) {
      if (keyword === 'ARG') append(model.globalArgs, argDeclarations(model, instruction, null));
      else errors.push({ message: `${keyword} before the first FROM: only ARG may come before it`, range: instruction.getInstructionRange() });
    } else {
      current.instructions.push(instruction);
    }
  }
}

/** Stage names, lower-cased (they are case-insensitive), to their index. */
function stageNames(model: Model): Map<string, number> {
  const byName = new Map<string, number>();
  for (const stage of model.stages) {
    if (!stage.name) continue;
    const key = stage.name.toLowerCase();
    if (byName.has(key)) model.errors.push({ message: `duplicate stage name "${stage.name}"`, range: stage.from.getRange() });
    else byName.set(key, stage.index);
  }
  return byName;
}

function outputStageOf(model: Model, byName: Map<string, number>, target: string | undefined): number {
  if (target === undefined) return model.stages.length - 1;
  const index = stageIndexOf(target, byName, model.stages.length);
  if (index !== null) return index;
  model.errors.push({ message: `target stage "${target}" not found`, range: rangeOf(model.source, 0, 0) });
  return model.stages.length - 1;
}

/** Phase 3: ARG declarations, edges (COPY/ADD --from, RUN --mount=from) and RUN commands of each stage. */
function readStageBodies(model: Model, byName: Map<string, number>): void {
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      if (keyword === 'ARG') append(stage.args, argDeclarations(model, instruction, stage.index));
      if (keyword === 'COPY' || keyword === 'ADD' || keyword === 'RUN') collectEdges(stage, instruction, model, byName);
      if (keyword === 'RUN') stage.runs.push(readRun(model, instruction as Run));
    }
  }
}

/** Where an instruction starts in the text (read once, in phase 1). */
export function instructionStart(model: Model, instruction: Instruction): number {
  return model.argumentsOf.get(instruction)!.instructionStart;
}

/** The stages a stage may be built FROM: its parent, or every candidate of `FROM ${VAR}`. */
export function parentCandidates(stage: Stage): number[] {
  return stage.base.kind === 'stage' ? [stage.base.stage] : stage.base.kind === 'variable' ? stage.base.candidates : [];
}

/**
 * Visits every stage once, parents first (a forward reference or a cycle, both model errors, is
 * visited where it is met): linear in stages and candidates, whatever the shape of the FROM graph.
 */
function inParentOrder(model: Model, parentsOf: (stage: Stage) => number[], visit: (stage: Stage) => void): void {
  const state = new Uint8Array(model.stages.length); // 0 new, 1 visiting, 2 done
  for (const root of model.stages) {
    if (state[root.index]) continue;
    // Iterative DFS: 1,000 chained stages must not overflow the stack.
    const stack: [Stage, number][] = [[root, 0]];
    state[root.index] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const parents = parentsOf(top[0]);
      if (top[1] < parents.length) {
        const next = model.stages[parents[top[1]++]];
        if (next && state[next.index] === 0) {
          state[next.index] = 1;
          stack.push([next, 0]);
        }
        continue;
      }
      stack.pop();
      state[top[0].index] = 2;
      visit(top[0]);
    }
  }
}

/** Phase 4: each stage's platform kind (builder, target, constant), inherited through FROM <stage>. */
function platformKinds(model: Model): void {
  const done = new Set<number>();
  inParentOrder(model, parentCandidates, (stage) => {
    const own = platformKind(stage.platformFlag?.text ?? null, model.escapeChar);
    const inherited = parentCandidates(stage).filter((p) => done.has(p)).map((p) => model.stages[p].platform);
    const parents = parentCandidates(stage);
    if (parents.length === 0) stage.platform = own;
    else if (inherited.length === parents.length && inherited.every((p) => p.kind === inherited[0].kind && p.text === inherited[0].text)) stage.platform = inherited[0];
    else stage.platform = inherited.length < parents.length ? own : { kind: 'unknown', text: null };
    done.add(stage.index);
  });
}

/** Windows base images by name: `nanoserver`, `servercore`, `windowsservercore-ltsc2022`, `mcr.microsoft.com/windows`. */
const WINDOWS_IMAGE = /(^|[/:_.-])(nanoserver|servercore|windowsservercore|windows(server)?)([/:_.-]|$)/i;

/** Phase 4b: Windows stages, by base image, platform flag, parent, or a backtick escape with PowerShell. */
function windowsStages(model: Model): void {
  const backtick = model.escapeChar === '`';
  inParentOrder(model, parentCandidates, (stage) => {
    const image = stage.base.kind === 'image' ? stage.base.image : stage.base.kind === 'variable' ? stage.base.text : '';
    const flag = stage.platformFlag?.text.toLowerCase() ?? '';
    const parents = parentCandidates(stage);
    const textOf = (i: Instruction) => model.source.text.slice(instructionStart(model, i), model.argumentsOf.get(i)!.end);
    const powershell = backtick && stage.instructions.some((i) => /^(RUN|SHELL)$/.test(i.getKeyword()) && /\bpowershell|\bpwsh\b|cmd \/S \/C/i.test(textOf(i)));
    stage.windows =
      (parents.length > 0 && parents.every((p) => model.stages[p].windows)) || WINDOWS_IMAGE.test(image) || flag.startsWith('windows/') || powershell;
  });
}

/** Phase 5 (per target): each stage's platform, inherited through FROM <stage>. */
function stagePlatforms(model: Model, target: string, platform: Platform, global: Scope): void {
  const parentOf = (stage: Stage) => (stage.parentFor[target] ?? null) === null ? [] : [stage.parentFor[target]!];
  inParentOrder(model, parentOf, (stage) => {
    const parent = stage.parentFor[target];
    const inherited = parent != null ? model.stages[parent].platformFor[target] : undefined;
    if (inherited !== undefined) stage.platformFor[target] = inherited;
    else if (stage.platformFlag) {
      const value = expand(stage.platformFlag.text, (n) => global.get(n)?.value, model.escapeChar);
      stage.platformFor[target] = parsePlatform(value) ? normalizePlatform(value) : null;
    } else stage.platformFor[target] = formatPlatform(platform);
  });
}

/** Phase 6 (per target): the stages the output stage reaches, which of them run emulated, and its FROM chain. */
function reachability(model: Model, target: string): void {
  const reached = new Set<number>();
  const queue = [model.outputStage];
  while (queue.length > 0) {
    const index = queue.pop()!;
    if (reached.has(index)) continue;
    reached.add(index);
    const stage = model.stages[index];
    const parent = stage.parentFor[target];
    if (parent != null) queue.push(parent);
    for (const edge of stage.edges) if (edge.kind !== 'from' && edge.stage !== null) queue.push(edge.stage);
  }
  for (const stage of model.stages) {
    if (!reached.has(stage.index)) continue;
    stage.reachableFor.push(target);
    const platform = stage.platformFor[target];
    // QEMU runs Linux binaries only: a Windows stage needs a Windows builder, it is never emulated.
    if (stage.runs.length > 0 && !stage.windows && platform !== null && platform !== model.buildPlatform) stage.emulatedOn.push(target);
  }
  const chain = new Set<number>();
  for (let index: number | null | undefined = model.outputStage; index != null && !chain.has(index); index = model.stages[index].parentFor[target]) {
    chain.add(index);
    model.stages[index].inOutputChain = true;
  }
}

/** Phase 7 (per target): ARG and ENV scopes, a parent's final scope seeding its child; every variable use resolved. */
function argScopes(model: Model, target: string, global: Scope, stageUses: VariableUse[][], buildArgs: Record<string, string>): void {
  const finalScopes = new Map<number, Scope>();
  const first = target === model.targetPlatforms[0];
  const parentOf = (stage: Stage) => (stage.parentFor[target] ?? null) === null ? [] : [stage.parentFor[target]!];
  inParentOrder(model, parentOf, (stage) => {
    const parent = stage.parentFor[target];
    const inherited = parent != null ? finalScopes.get(parent) : undefined;
    const scope: Scope = inherited ? new Map(inherited) : new Map();
    const pending = stageUses[stage.index];
    let next = 0;
    let nextRun = 0;
    let nextArg = 0; // stage.args are in instruction order: one pass, not a scan of them per ARG (40,000 ARG lines)
    for (const instruction of stage.instructions) {
      // Uses inside an instruction see the scope before its own declarations.
      while (next < pending.length && pending[next].instruction === instruction) recordUse(pending[next++], scope, global, model, target);
      // What each RUN sees (xx helpers read TARGETPLATFORM from the environment).
      if (first && stage.runs[nextRun]?.instruction === instruction) stage.runs[nextRun++].inScope = new Set(scope.keys());
      const keyword = instruction.getKeyword();
      if (keyword === 'ARG') {
        while (stage.args[nextArg]?.instruction === instruction) declareArg(scope, stage.args[nextArg++], global, buildArgs, model.escapeChar);
      } else if (keyword === 'ENV') {
        for (const { name, value } of envDeclarations(model, instruction)) {
          scope.set(name, { value: expand(value, (n) => scope.get(n)?.value, model.escapeChar), declaration: null, env: true });
        }
      }
    }
    for (; next < pending.length; next++) recordUse(pending[next], scope, global, model, target);
    finalScopes.set(stage.index, scope);
    for (const [name, entry] of scope) (entry.env ? (stage.envValues[name] ??= {}) : (stage.argValues[name] ??= {}))[target] = entry.value;
  });
}

/** `target.push(...items)` without passing every item as a call argument (200,000 ARG names overflow the stack). */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

function newStage(model: Model, from: From, errors: ModelError[]): Stage {
  const index = model.stages.length;
  const args = from.getArguments();
  const name = args.length >= 3 && args[1].getValue().toUpperCase() === 'AS' ? args[2].getValue() : null;
  if (args.length === 0) errors.push({ message: 'FROM without an image', range: from.getRange() });
  else if (args.length === 2 || (args.length >= 3 && !name) || args.length > 3) {
    errors.push({ message: `malformed FROM: expected "FROM [--platform=...] <image> [AS <name>]"`, range: from.getRange() });
  }
  const flag = model.argumentsOf.get(from)!.flags.find((f) => f.name === 'platform');
  let platformFlag: PlatformFlag | null = null;
  if (flag) {
    const range = rangeOf(model.source, flag.start, flag.end);
    if (!flag.value) errors.push({ message: '--platform needs a value', range });
    platformFlag = { text: flag.value, range, valueRange: rangeOf(model.source, flag.valueStart, flag.valueEnd), start: flag.start, end: flag.end };
  }
  return {
    index,
    name,
    from,
    line: from.getRange().start.line,
    base: { kind: 'image', image: args[0]?.getValue() ?? '' },
    platformFlag,
    platform: { kind: 'target', text: null },
    parentFor: {},
    windows: false,
    inOutputChain: false,
    platformFor: {},
    instructions: [],
    args: [],
    runs: [],
    edges: [],
    reachable: false,
    reachableFor: [],
    emulatedOn: [],
    argValues: {},
    envValues: {},
  };
}

function argDeclarations(model: Model, instruction: Instruction, stage: number | null): ArgDeclaration[] {
  const { start, end } = model.argumentsOf.get(instruction)!;
  const words = readWords(model.source.text, start, end, model.escapeChar);
  return words.map((word) => {
    const eq = word.value.indexOf('=');
    return {
      name: eq >= 0 ? word.value.slice(0, eq) : word.value,
      defaultText: eq >= 0 ? word.value.slice(eq + 1) : null,
      stage,
      range: rangeOf(model.source, word.start, word.end),
      start: word.start,
      end: word.end,
      instruction,
    };
  });
}

function stageIndexOf(ref: string, byName: Map<string, number>, count: number): number | null {
  const named = byName.get(ref.toLowerCase());
  if (named !== undefined) return named;
  if (/^\d+$/.test(ref) && Number(ref) < count) return Number(ref);
  return null;
}

/**
 * Phase 2: what each FROM builds on. `FROM ${VAR}` is expanded with each target's global scope
 * (one resolver for every rule): it names a stage for some targets (`build_${TARGETARCH}`) or an
 * image (`ARG GOLANG_IMAGE=golang:1.22`). Only a value that cannot be told (an ARG with no
 * default) falls back to the stages whose names fit the pattern.
 */
function resolveBase(stage: Stage, model: Model, byName: Map<string, number>, globals: Map<string, Scope>): void {
  const image = stage.base.kind === 'image' ? stage.base.image : '';
  const asStage = (name: string): number | null => {
    const index = byName.get(name.toLowerCase());
    return index !== undefined && index !== stage.index ? index : null;
  };
  const refs = references(image, model.escapeChar);
  if (refs.length === 0) {
    const parent = asStage(image);
    if (parent !== null) stage.base = { kind: 'stage', stage: parent };
    else if (image.toLowerCase() === 'scratch') stage.base = { kind: 'scratch' };
    for (const target of model.targetPlatforms) stage.parentFor[target] = parent;
  } else {
    const candidates = new Set<number>();
    const images = new Set<string>();
    let unresolved = false;
    for (const [target, global] of globals) {
      const lookup = (name: string) => global.get(name)?.value;
      let empty = false;
      const value = expand(image, lookup, model.escapeChar, () => (empty = true));
      if (empty) {
        unresolved = true;
        stage.parentFor[target] = null;
        continue;
      }
      const parent = asStage(value);
      stage.parentFor[target] = parent;
      if (parent !== null) candidates.add(parent);
      else images.add(value);
    }
    if (unresolved && candidates.size === 0) {
      // Candidates: stages whose name fits the pattern with each variable as a wildcard; a bare `${VAR}` fits any name, so none.
      const parts = splitByReferences(image, model.escapeChar);
      if (parts.some((p) => p !== null && p !== '')) {
        const pattern = new RegExp('^' + parts.map((part) => (part === null ? '.*' : escapeRegex(part.toLowerCase()))).join('') + '$');
        for (const s of model.stages) if (s.name && s.index !== stage.index && pattern.test(s.name.toLowerCase())) candidates.add(s.index);
      }
    }
    if (candidates.size > 0) stage.base = { kind: 'variable', text: image, candidates: [...candidates].sort((a, b) => a - b) };
    else if (images.size === 1 && !unresolved) {
      const value = [...images][0];
      stage.base = value.toLowerCase() === 'scratch' ? { kind: 'scratch' } : { kind: 'image', image: value };
    }
  }
  const range = stage.from.getImageRange() ?? stage.from.getRange();
  for (const parent of parentCandidates(stage)) {
    stage.edges.push({ kind: 'from', ref: image, stage: parent, instruction: stage.from, range, sources: ['/'] });
  }
}

function splitByReferences(text: string, escapeChar: string): (string | null)[] {
  const parts: (string | null)[] = [];
  let last = 0;
  for (const ref of references(text, escapeChar)) {
    if (ref.start < last) continue;
    parts.push(text.slice(last, ref.start), null);
    last = ref.end;
  }
  parts.push(text.slice(last));
  return parts;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function platformKind(text: string | null, escapeChar = '\\'): { kind: PlatformKind; text: string | null } {
  if (text === null) return { kind: 'target', text: null };
  const names = references(text, escapeChar).map((r) => r.name);
  if (names.length === 0) return { kind: 'constant', text };
  if (names.every((n) => n.startsWith('BUILD') && AUTOMATIC_ARGS.has(n))) return { kind: 'builder', text };
  if (names.every((n) => n.startsWith('TARGET') && AUTOMATIC_ARGS.has(n))) return { kind: 'target', text };
  return { kind: 'unknown', text };
}

function collectEdges(stage: Stage, instruction: Instruction, model: Model, byName: Map<string, number>): void {
  for (const flag of model.argumentsOf.get(instruction)!.flags) {
    const name = flag.name;
    if (name === 'from' && instruction.getKeyword() !== 'RUN') {
      const range = rangeOf(model.source, flag.start, flag.end);
      const valueRange = rangeOf(model.source, flag.valueStart, flag.valueEnd);
      const ref = flag.value;
      const target = stageIndexOf(ref, byName, model.stages.length);
      if (/^\d+$/.test(ref) && (target === null || target >= stage.index)) {
        model.errors.push({ message: `--from=${ref} names stage ${ref}, but only stages 0–${stage.index - 1} come before it`, range });
      }
      stage.edges.push({ kind: 'copy', ref, stage: target, instruction, range: valueRange, sources: copySources(instruction) });
    } else if (name === 'mount') {
      const value = flag.value;
      const options = value.split(',').map((kv) => kv.split('='));
      const from = options.find(([k]) => k.trim().toLowerCase() === 'from');
      if (from && from[1] !== undefined) {
        const valueRange = rangeOf(model.source, flag.valueStart, flag.valueEnd);
        const ref = from[1].trim();
        const source = options.find(([k]) => /^(source|src)$/i.test(k.trim()))?.[1]?.trim() || '/';
        stage.edges.push({ kind: 'mount', ref, stage: stageIndexOf(ref, byName, model.stages.length), instruction, range: valueRange, sources: [source] });
      }
    }
  }
}

function readRun(model: Model, run: Run): RunStep {
  const { flags, bodyStart, end: to } = model.argumentsOf.get(run)!;
  const line = run.getRange().start.line;
  const text = model.source.text;
  const step: RunStep = { instruction: run, line, form: 'shell', commands: [], script: { commands: [], vars: [], assigned: new Set() }, flags, inScope: new Set(), derived: undefined };
  if (bodyStart >= to) return step;
  const json = text[bodyStart] === '[' ? run.getJSONStrings() : [];
  if (json.length > 0 && run.getClosingBracket()) {
    // Exec form: one command, no shell, no expansion.
    step.form = 'exec';
    const words = json.map((arg) => {
      const r = arg.getRange();
      return { value: arg.getJSONValue(), start: offsetAt(model.source, r.start), end: offsetAt(model.source, r.end) };
    });
    const command: ShellCommand = { name: basename(words[0].value), words, assignments: [], start: words[0].start, end: words[words.length - 1].end, depth: 0 };
    step.script.commands.push(command);
  } else {
    const from = bodyStart;
    const heredocs = run.getHeredocs();
    if (heredocs.length > 0) {
      step.form = 'heredoc';
      const firstLineEnd = text.indexOf('\n', from) < 0 ? to : text.indexOf('\n', from);
      const head = text.slice(from, firstLineEnd);
      const headIsOnlyMarkers = /^\s*(<<-?\s*["']?\w+["']?\s*)+$/.test(head);
      if (!headIsOnlyMarkers) {
        readShellInto(step.script, text, from, firstLineEnd, model.escapeChar, true);
      }
      const shellBodies = headIsOnlyMarkers || step.script.commands.some((c) => c.name && /^(sh|bash|ash|dash)$/.test(c.name));
      if (shellBodies) {
        for (const heredoc of heredocs) {
          const content = heredoc.getContentRange();
          if (!content) continue;
          readShellInto(step.script, text, offsetAt(model.source, content.start), offsetAt(model.source, content.end), '\\', false);
        }
      }
    } else {
      readShellInto(step.script, text, from, to, model.escapeChar, false);
    }
  }
  if (step.script.truncated) {
    model.limits.push({ message: `this RUN nests substitutions or sh -c bodies more than ${MAX_NESTING} deep: the commands inside are not read`, range: run.getRange() });
  }
  step.commands = step.script.commands.map((c) => {
    const facts = c as CommandFacts;
    const { kind, toolchain } = classifyCommand(c);
    facts.kind = kind;
    if (toolchain !== undefined) facts.toolchain = toolchain;
    return facts;
  });
  return step;
}

function readShellInto(script: ShellScript, text: string, from: number, to: number, continuation: string, stripHeredocMarkers: boolean): void {
  const read = readShell(text, { continuation }, from, to);
  for (const command of read.commands) {
    if (stripHeredocMarkers) command.words = command.words.filter((w) => !/^-?\w+$/.test(w.value) || !text.slice(Math.max(0, w.start - 2), w.start).includes('<<'));
    script.commands.push(command);
  }
  const seen = new Set(script.vars.map((v) => v.start));
  for (const v of read.vars) if (!seen.has(v.start)) script.vars.push(v);
  for (const name of read.assigned) script.assigned.add(name);
  if (read.truncated) script.truncated = true;
}

function checkCycles(model: Model, errors: ModelError[]): void {
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (index: number, path: number[]): void => {
    if (state.get(index) === 'done') return;
    if (state.get(index) === 'visiting') {
      const names = [...path.slice(path.indexOf(index)), index].map((i) => model.stages[i].name ?? String(i));
      errors.push({ message: `circular dependency between stages: ${names.join(' → ')}`, range: model.stages[index].from.getRange() });
      return;
    }
    state.set(index, 'visiting');
    const stage = model.stages[index];
    const next = stage.edges.filter((e) => e.stage !== null && e.kind !== 'from').map((e) => e.stage!);
    if (stage.base.kind === 'stage') next.push(stage.base.stage);
    for (const n of next) visit(n, [...path, index]);
    state.set(index, 'done');
  };
  for (const stage of model.stages) visit(stage.index, []);
}

function globalScope(model: Model, build: Platform, target: Platform, buildArgs: Record<string, string>): Scope {
  const targetStage = model.stages[model.outputStage]?.name ?? '';
  const scope: Scope = new Map();
  for (const [name, value] of automaticArgs(build, target, targetStage)) scope.set(name, { value, declaration: null, env: false });
  for (const declaration of model.globalArgs) {
    const automatic = AUTOMATIC_ARGS.has(declaration.name);
    let value: string | null;
    if (declaration.defaultText !== null) {
      value = !automatic && declaration.name in buildArgs ? buildArgs[declaration.name] : expand(declaration.defaultText, (n) => scope.get(n)?.value, model.escapeChar);
    } else {
      value = automatic ? (scope.get(declaration.name)?.value ?? null) : (buildArgs[declaration.name] ?? null);
    }
    scope.set(declaration.name, { value, declaration, env: false });
  }
  return scope;
}

function declareArg(scope: Scope, declaration: ArgDeclaration, global: Scope, buildArgs: Record<string, string>, escapeChar: string): void {
  const name = declaration.name;
  const automatic = AUTOMATIC_ARGS.has(name);
  let value: string | null;
  if (declaration.defaultText !== null) {
    value = !automatic && name in buildArgs ? buildArgs[name] : expand(declaration.defaultText, (n) => scope.get(n)?.value, escapeChar);
  } else if (global.has(name)) {
    value = global.get(name)!.value;
  } else {
    value = buildArgs[name] ?? null;
  }
  // Consuming a global platform arg that has a default keeps that shadowing declaration.
  const globalEntry = global.get(name);
  const shadow = declaration.defaultText === null && globalEntry?.declaration?.defaultText != null ? globalEntry.declaration : declaration;
  scope.set(name, { value, declaration: shadow, env: false });
}

function collectFromUses(model: Model): VariableUse[] {
  const uses: VariableUse[] = [];
  const globalNames = new Set(model.globalArgs.map((a) => a.name));
  const add = (instruction: Instruction, raw: string, offset: number) => {
    // BuildKit joins continuation lines before it expands, skipping comment lines and empty lines
    // between them: `$BUILD\` + newline + `# note` + newline + `PLATFORM` is $BUILDPLATFORM.
    const { text, offsets } = joinContinuations(raw, model.escapeChar);
    for (const found of references(text, model.escapeChar)) {
      const ref = { name: found.name, start: offsets[found.start], end: offsets[found.end - 1] + 1 };
      const declared = globalNames.has(ref.name) || AUTOMATIC_ARGS.has(ref.name);
      const shadowing = model.globalArgs.find((a) => a.name === ref.name && a.defaultText !== null && isPlatformArg(a.name));
      uses.push({
        name: ref.name,
        stage: null,
        start: offset + ref.start,
        end: offset + ref.end,
        range: rangeOf(model.source, offset + ref.start, offset + ref.end),
        instruction,
        inShell: false,
        resolution: !declared
          ? { status: 'unresolved', reason: 'not-declared-globally' }
          : shadowing
            ? { status: 'shadowed', declaration: shadowing }
            : { status: 'resolved' },
        values: {},
      });
    }
  };
  for (const stage of model.stages) {
    const range = stage.from.getRange();
    const start = offsetAt(model.source, range.start);
    add(stage.from, model.source.text.slice(start, offsetAt(model.source, range.end)), start);
  }
  return uses;
}

/** The text with line continuations (and the comment lines and empty lines after them) removed, and for each of its characters the offset it had. */
function joinContinuations(raw: string, escapeChar: string): { text: string; offsets: number[] } {
  const continuation = continuationPattern(escapeChar);
  let text = '';
  const offsets: number[] = [];
  let at = 0;
  for (const m of raw.matchAll(continuation)) {
    for (let i = at; i < m.index!; i++) offsets.push(i);
    text += raw.slice(at, m.index);
    at = m.index! + m[0].length;
  }
  for (let i = at; i < raw.length; i++) offsets.push(i);
  offsets.push(raw.length);
  return { text: text + raw.slice(at), offsets };
}

/** Variable uses inside a stage, in document order, before resolution. */
function collectStageUses(model: Model, stage: Stage): VariableUse[] {
  const uses: VariableUse[] = [];
  const runs = new Map(stage.runs.map((r) => [r.instruction as Instruction, r]));
  const make = (instruction: Instruction, name: string, start: number, end: number, inShell: boolean): VariableUse => ({
    name,
    stage: stage.index,
    start,
    end,
    range: rangeOf(model.source, start, end),
    instruction,
    inShell,
    resolution: { status: 'resolved' },
    values: {},
  });
  let nextArg = 0; // stage.args are in instruction order
  for (const instruction of stage.instructions) {
    const run = runs.get(instruction);
    if (run) {
      for (const v of run.script.vars) {
        if (run.script.assigned.has(v.name)) continue; // the script sets it itself
        uses.push(make(instruction, v.name, v.start, v.end, true));
      }
      continue;
    }
    if (instruction.getKeyword() === 'ONBUILD') continue;
    if (instruction.getKeyword() === 'ARG') {
      // BuildKit expands an ARG's default, never its name (`ARG TARGET${X}ARCH` declares that literal name).
      while (stage.args[nextArg]?.instruction === instruction) {
        const declaration = stage.args[nextArg++];
        if (declaration.defaultText === null) continue;
        const at = model.source.text.indexOf('=', declaration.start) + 1;
        for (const ref of references(model.source.text.slice(at, declaration.end), model.escapeChar)) uses.push(make(instruction, ref.name, at + ref.start, at + ref.end, false));
      }
      continue;
    }
    const { instructionStart: start, end } = model.argumentsOf.get(instruction)!;
    const text = model.source.text.slice(start, end);
    const keywordEnd = instruction.getKeyword().length;
    for (const ref of references(text.slice(keywordEnd), model.escapeChar)) {
      uses.push(make(instruction, ref.name, start + keywordEnd + ref.start, start + keywordEnd + ref.end, false));
    }
  }
  return uses;
}

/** Resolution does not depend on the target: it is decided once, from the first target's scope. */
function recordUse(use: VariableUse, scope: Scope, global: Scope, model: Model, target: string): void {
  const entry = scope.get(use.name);
  use.values[target] = nonEmpty(entry?.value);
  if (target !== model.targetPlatforms[0]) return;
  if (entry) {
    const declaration = entry.declaration;
    if (declaration && declaration.defaultText !== null && isPlatformArg(use.name)) use.resolution = { status: 'shadowed', declaration };
    return;
  }
  const globalEntry = global.get(use.name);
  if (isPlatformArg(use.name)) {
    use.resolution = { status: 'unresolved', reason: globalEntry?.declaration ? 'declared-only-globally' : 'not-declared-in-stage' };
  } else if (globalEntry?.declaration) {
    use.resolution = { status: 'unresolved', reason: 'declared-only-globally' };
  } else {
    // Not an arg we know of: the base image's ENV (PATH, GOPATH) or the shell may set it.
    use.resolution = { status: 'resolved' };
    use.values[target] = null;
  }
}

/** One `NAME=value` of an ENV instruction, with the offsets of the whole word (for fixes). */
export interface EnvAssignment {
  name: string;
  /** Quotes removed, expansions kept as written. */
  value: string;
  start: number;
  end: number;
}

/** The assignments of an ENV instruction (`ENV A=1 B=2`; the legacy `ENV A 1` spans to the end). */
export function envDeclarations(model: Model, instruction: Instruction): EnvAssignment[] {
  if (instruction.getKeyword() !== 'ENV') return [];
  // Read once per instruction: the model reads it per target, and rules read it again.
  const known = envRead(model);
  let read = known.get(instruction);
  if (!read) known.set(instruction, (read = readEnv(model, instruction)));
  return read.map((e) => ({ ...e }));
}

const envRead = derivedFact('env assignments', (): Map<Instruction, EnvAssignment[]> => new Map());

function readEnv(model: Model, instruction: Instruction): EnvAssignment[] {
  const { start, end: to } = model.argumentsOf.get(instruction)!;
  const words = readWords(model.source.text, start, to, model.escapeChar);
  if (words.length > 0 && !words[0].value.includes('=')) {
    const rest = model.source.text.slice(words[1]?.start ?? words[0].end, to).trim();
    return [{ name: words[0].value, value: rest, start: words[0].start, end: to }];
  }
  return words
    .filter((w) => w.value.includes('='))
    .map((w) => ({ name: w.value.slice(0, w.value.indexOf('=')), value: w.value.slice(w.value.indexOf('=') + 1), start: w.start, end: w.end }));
}

/**
 * Whether `ARG <name>` is in a stage's scope at `offset`: declared earlier in the stage, or in every
 * stage it may be built FROM (any declaration there precedes the child).
 */
export function argDeclaredBefore(model: Model, stage: Stage, name: string, offset: number, seen: ReadonlySet<number> = new Set()): boolean {
  if (stage.args.some((a) => a.name === name && a.start < offset)) return true;
  const parents = parentCandidates(stage);
  const next = new Set([...seen, stage.index]);
  return parents.length > 0 && parents.every((p) => !next.has(p) && argDeclaredBefore(model, model.stages[p], name, Infinity, next));
}
