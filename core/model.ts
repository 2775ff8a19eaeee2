/**
 * The build model: stages, platforms, ARG scopes, edges, reachability and classified RUN commands,
 * evaluated for one builder platform and a list of target platforms (DESIGN §1).
 * Pure: text in, data out.
 */
import { DockerfileParser, type Dockerfile, type From, type Instruction, type Run } from 'dockerfile-ast';
import { memoizeInstruction, readArguments, type ArgumentFacts, type FlagFacts } from './ast';
import { classifyCommand, type Classification } from './classify';
import { offsetAt, rangeOf, sourceText, type Range, type SourceText } from './document';
import { expand, references } from './expand';
import { AUTOMATIC_ARGS, automaticArgs, formatPlatform, isPlatformArg, normalizePlatform, parsePlatform, type Platform } from './platform';
import { basename, readShell, readWords, type ShellCommand, type ShellScript } from './shell';

export interface BuildOptions {
  /** The builder's platform, e.g. `linux/amd64`. */
  buildPlatform: string;
  /** The platforms of `--platform`, e.g. `['linux/amd64', 'linux/arm64']`. */
  targetPlatforms: string[];
  /** `--target`: the output stage by name or index; default the last stage. */
  target?: string;
  /** `--build-arg` values for non-platform args. */
  buildArgs?: Record<string, string>;
}

export interface ModelError {
  message: string;
  range: Range;
}

export interface ArgDeclaration {
  name: string;
  /** The default as written (unexpanded), or null for `ARG NAME`. */
  defaultText: string | null;
  /** null for the global scope. */
  stage: number | null;
  range: Range;
  /** Offsets of the `NAME=default` word, for fixes. */
  start: number;
  end: number;
  instruction: Instruction;
}

export type PlatformKind = 'builder' | 'target' | 'constant' | 'unknown';

export interface PlatformFlag {
  text: string;
  range: Range;
  valueRange: Range;
  /** Offsets of `--platform=value`. */
  start: number;
  end: number;
}

export type StageBase =
  | { kind: 'image'; image: string }
  | { kind: 'stage'; stage: number }
  | { kind: 'scratch' }
  /** `FROM build_${TARGETARCH}`: one of several stages (or images), chosen per target. */
  | { kind: 'variable'; text: string; candidates: number[] };

export type EdgeKind = 'from' | 'copy' | 'mount';

export interface Edge {
  kind: EdgeKind;
  /** The reference as written (`build`, `0`, `alpine:3.20`). */
  ref: string;
  /** The stage it names, or null for an image. */
  stage: number | null;
  instruction: Instruction;
  range: Range;
  /** The paths taken from the stage or image: COPY sources, a mount's `source` (default `/`), `/` for FROM. */
  sources: string[];
}

export interface CommandFacts extends ShellCommand, Classification {}

export interface RunStep {
  instruction: Run;
  line: number;
  form: 'shell' | 'exec' | 'heredoc';
  commands: CommandFacts[];
  script: ShellScript;
  flags: FlagFacts[];
  /** Names (ARG and ENV) in scope when this RUN starts (judged once, like variable resolutions, for the first target). */
  inScope: Set<string>;
}

export type Resolution =
  | { status: 'resolved' }
  /** Visible, but a default replaces the automatic platform value. */
  | { status: 'shadowed'; declaration: ArgDeclaration }
  | { status: 'unresolved'; reason: 'not-declared-in-stage' | 'declared-only-globally' | 'not-declared-globally' };

export interface VariableUse {
  name: string;
  /** null for a FROM line, which sees the global scope only. */
  stage: number | null;
  range: Range;
  start: number;
  end: number;
  instruction: Instruction;
  /** Read by the shell at run time (RUN), rather than expanded by the Dockerfile frontend. */
  inShell: boolean;
  resolution: Resolution;
  /** The value per target platform (null when empty or unset). */
  values: Record<string, string | null>;
}

export interface Stage {
  index: number;
  name: string | null;
  from: From;
  line: number;
  base: StageBase;
  /** The `--platform` flag as written on this FROM (ineffective on `FROM <stage>`). */
  platformFlag: PlatformFlag | null;
  /** Effective platform, inherited through `FROM <stage>`. */
  platform: { kind: PlatformKind; text: string | null };
  /** Effective platform per target platform (null when it cannot be told). */
  platformFor: Record<string, string | null>;
  /** Instructions after the FROM. */
  instructions: Instruction[];
  args: ArgDeclaration[];
  runs: RunStep[];
  edges: Edge[];
  reachable: boolean;
  /** Targets whose build reaches this stage. */
  reachableFor: string[];
  /** Targets whose build reaches this stage and runs its RUN steps emulated. */
  emulatedOn: string[];
  /** Every arg visible at the end of the stage: name → value per target (null when unset). */
  argValues: Record<string, Record<string, string | null>>;
  /** Every ENV set at the end of the stage (own or inherited through FROM <stage>): name → value per target. */
  envValues: Record<string, Record<string, string | null>>;
}

export interface Model {
  source: SourceText;
  ast: Dockerfile;
  escapeChar: string;
  directives: { name: string; value: string; line: number }[];
  buildPlatform: string;
  targetPlatforms: string[];
  globalArgs: ArgDeclaration[];
  stages: Stage[];
  outputStage: number;
  variableUses: VariableUse[];
  errors: ModelError[];
  /** Argument offsets and leading flags of every instruction, read once. */
  argumentsOf: Map<Instruction, ArgumentFacts>;
}

const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

type Scope = Map<string, { value: string | null; declaration: ArgDeclaration | null; env: boolean }>;

export function buildModel(raw: string, options: BuildOptions): Model {
  const source = sourceText(raw);
  const ast = DockerfileParser.parse(source.text);
  const escapeChar = ast.getEscapeCharacter();
  const errors: ModelError[] = [];
  const buildPlatform = normalizePlatform(options.buildPlatform);
  const targetPlatforms = options.targetPlatforms.map(normalizePlatform);
  const build = parsePlatform(buildPlatform) ?? { os: 'linux', arch: 'amd64', variant: '' };

  const model: Model = {
    source,
    ast,
    escapeChar,
    directives: ast.getDirectives().map((d) => ({ name: d.getName(), value: d.getValue(), line: d.getRange().start.line })),
    buildPlatform,
    targetPlatforms,
    globalArgs: [],
    stages: [],
    outputStage: -1,
    variableUses: [],
    errors,
    argumentsOf: new Map(),
  };

  // 1. Split instructions into the global part and stages.
  let current: Stage | null = null;
  for (const instruction of ast.getInstructions()) {
    const start = offsetAt(source, instruction.getRange().start);
    const end = offsetAt(source, instruction.getRange().end);
    memoizeInstruction(instruction, source.text.slice(start, end));
    model.argumentsOf.set(instruction, readArguments(source.text, offsetAt(source, instruction.getInstructionRange().end), end, escapeChar));
    const keyword = instruction.getKeyword();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      errors.push({ message: `unknown instruction "${instruction.getInstruction()}"`, range: instruction.getInstructionRange() });
      continue;
    }
    if (keyword === 'FROM') {
      current = newStage(model, instruction as From, errors);
      model.stages.push(current);
    } else if (!current) {
      if (keyword === 'ARG') model.globalArgs.push(...argDeclarations(model, instruction, null));
      else errors.push({ message: `${keyword} before the first FROM: only ARG may come before it`, range: instruction.getInstructionRange() });
    } else {
      current.instructions.push(instruction);
    }
  }
  if (model.stages.length === 0) {
    errors.push({ message: 'no FROM instruction: a Dockerfile needs at least one stage', range: rangeOf(source, 0, 0) });
    return model;
  }

  // 2. Stage bases, edges, RUN commands.
  const byName = new Map<string, number>();
  for (const stage of model.stages) {
    if (stage.name) {
      const key = stage.name.toLowerCase();
      if (byName.has(key)) errors.push({ message: `duplicate stage name "${stage.name}"`, range: stage.from.getRange() });
      else byName.set(key, stage.index);
    }
  }
  for (const stage of model.stages) {
    resolveBase(stage, model, byName);
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      if (keyword === 'ARG') stage.args.push(...argDeclarations(model, instruction, stage.index));
      if (keyword === 'COPY' || keyword === 'ADD' || keyword === 'RUN') collectEdges(stage, instruction, model, byName);
      if (keyword === 'RUN') stage.runs.push(readRun(model, instruction as Run));
    }
  }
  checkCycles(model, errors);
  for (const stage of model.stages) stage.platform = effectivePlatformKind(stage, model, new Set());

  // 3. Output stage.
  model.outputStage = model.stages.length - 1;
  if (options.target !== undefined) {
    const index = stageIndexOf(options.target, byName, model.stages.length);
    if (index === null) errors.push({ message: `target stage "${options.target}" not found`, range: rangeOf(source, 0, 0) });
    else model.outputStage = index;
  }

  // 4. Evaluate per target platform: global scope, stage platforms, reachability, arg scopes.
  const fromUses = collectFromUses(model);
  const uses: VariableUse[] = [];
  const stageUses = model.stages.map((stage) => collectStageUses(model, stage));
  for (const targetText of targetPlatforms) {
    const target = parsePlatform(targetText) ?? build;
    const global = globalScope(model, build, target, options.buildArgs ?? {});
    const lookupGlobal = (name: string) => global.get(name)?.value;
    for (const use of fromUses) {
      use.values[targetText] = nonEmpty(lookupGlobal(use.name));
    }
    // Platforms, in stage order: a stage's parent comes first unless it is a forward reference.
    const platformFor = new Map<number, string | null>();
    const platformOf = (stage: Stage, seen: Set<number>): string | null => {
      if (platformFor.has(stage.index)) return platformFor.get(stage.index)!;
      let result: string | null;
      const parent = parentStage(stage, model, lookupGlobal, escapeChar);
      if (parent !== null && !seen.has(parent)) result = platformOf(model.stages[parent], new Set([...seen, stage.index]));
      else if (stage.platformFlag) {
        const value = expand(stage.platformFlag.text, lookupGlobal, escapeChar);
        result = parsePlatform(value) ? normalizePlatform(value) : null;
      } else result = formatPlatform(target);
      platformFor.set(stage.index, result);
      return result;
    };
    for (const stage of model.stages) stage.platformFor[targetText] = platformOf(stage, new Set());

    // Reachability from the output stage.
    const reached = new Set<number>();
    const queue = [model.outputStage];
    while (queue.length > 0) {
      const index = queue.pop()!;
      if (reached.has(index)) continue;
      reached.add(index);
      const stage = model.stages[index];
      const parent = parentStage(stage, model, lookupGlobal, escapeChar);
      if (parent !== null) queue.push(parent);
      for (const edge of stage.edges) if (edge.kind !== 'from' && edge.stage !== null) queue.push(edge.stage);
    }
    for (const stage of model.stages) {
      if (!reached.has(stage.index)) continue;
      stage.reachableFor.push(targetText);
      const platform = stage.platformFor[targetText];
      if (stage.runs.length > 0 && platform !== null && platform !== buildPlatform) stage.emulatedOn.push(targetText);
    }

    // ARG scopes, in stage order (a parent's final scope seeds its child).
    const finalScopes = new Map<number, Scope>();
    const scopeOf = (stage: Stage, seen: Set<number>): Scope => {
      const done = finalScopes.get(stage.index);
      if (done) return done;
      const parent = parentStage(stage, model, lookupGlobal, escapeChar);
      const scope: Scope = parent !== null && !seen.has(parent) ? new Map(scopeOf(model.stages[parent], new Set([...seen, stage.index]))) : new Map();
      const pending = stageUses[stage.index];
      let next = 0;
      let nextRun = 0;
      for (const instruction of stage.instructions) {
        // Uses inside an instruction see the scope before its own declarations.
        while (next < pending.length && pending[next].instruction === instruction) {
          recordUse(pending[next], scope, global, model, targetText);
          next++;
        }
        // What each RUN sees (xx helpers read TARGETPLATFORM from the environment).
        if (targetText === targetPlatforms[0] && stage.runs[nextRun]?.instruction === instruction) stage.runs[nextRun++].inScope = new Set(scope.keys());
        const keyword = instruction.getKeyword();
        if (keyword === 'ARG') {
          for (const declaration of stage.args.filter((a) => a.instruction === instruction)) {
            declareArg(scope, declaration, global, options.buildArgs ?? {}, escapeChar);
          }
        } else if (keyword === 'ENV') {
          for (const { name, value } of envDeclarations(model, instruction)) {
            scope.set(name, { value: expand(value, (n) => scope.get(n)?.value, escapeChar), declaration: null, env: true });
          }
        }
      }
      for (; next < pending.length; next++) recordUse(pending[next], scope, global, model, targetText);
      finalScopes.set(stage.index, scope);
      return scope;
    };
    for (const stage of model.stages) {
      for (const [name, entry] of scopeOf(stage, new Set())) {
        (entry.env ? (stage.envValues[name] ??= {}) : (stage.argValues[name] ??= {}))[targetText] = entry.value;
      }
    }
  }
  for (const stage of model.stages) stage.reachable = stage.reachableFor.length > 0;

  uses.push(...fromUses);
  for (const list of stageUses) uses.push(...list);
  model.variableUses = uses.sort((a, b) => a.start - b.start);
  return model;
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

function resolveBase(stage: Stage, model: Model, byName: Map<string, number>): void {
  const image = stage.base.kind === 'image' ? stage.base.image : '';
  const parent = byName.get(image.toLowerCase());
  if (parent !== undefined && parent !== stage.index) stage.base = { kind: 'stage', stage: parent };
  else if (image.toLowerCase() === 'scratch') stage.base = { kind: 'scratch' };
  else if (references(image, model.escapeChar).length > 0) {
    // Candidates: stages whose name fits the pattern with each variable as a wildcard.
    const pattern = new RegExp(
      '^' + splitByReferences(image, model.escapeChar).map((part) => (part === null ? '.*' : escapeRegex(part.toLowerCase()))).join('') + '$',
    );
    const candidates = model.stages.filter((s) => s.name && s.index !== stage.index && pattern.test(s.name.toLowerCase())).map((s) => s.index);
    if (candidates.length > 0) stage.base = { kind: 'variable', text: image, candidates };
  }
  if (stage.base.kind === 'stage') {
    stage.edges.push({ kind: 'from', ref: image, stage: stage.base.stage, instruction: stage.from, range: stage.from.getImageRange() ?? stage.from.getRange(), sources: ['/'] });
  } else if (stage.base.kind === 'variable') {
    for (const candidate of stage.base.candidates) {
      stage.edges.push({ kind: 'from', ref: image, stage: candidate, instruction: stage.from, range: stage.from.getImageRange() ?? stage.from.getRange(), sources: ['/'] });
    }
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

/** FROM <stage> runs on its parent's platform, whatever its own flag says. */
function effectivePlatformKind(stage: Stage, model: Model, seen: Set<number>): Stage['platform'] {
  const own = platformKind(stage.platformFlag?.text ?? null, model.escapeChar);
  const parents = stage.base.kind === 'stage' ? [stage.base.stage] : stage.base.kind === 'variable' ? stage.base.candidates : [];
  if (parents.length === 0 || seen.has(stage.index)) return own;
  const inherited = parents.map((p) => effectivePlatformKind(model.stages[p], model, new Set([...seen, stage.index])));
  return inherited.every((p) => p.kind === inherited[0].kind && p.text === inherited[0].text) ? inherited[0] : { kind: 'unknown', text: null };
}

/** The stage a FROM builds on for one target, or null for an image. */
function parentStage(stage: Stage, model: Model, lookupGlobal: (name: string) => string | null | undefined, escapeChar: string): number | null {
  if (stage.base.kind === 'stage') return stage.base.stage;
  if (stage.base.kind !== 'variable') return null;
  const name = expand(stage.base.text, lookupGlobal, escapeChar).toLowerCase();
  const match = model.stages.find((s) => s.name?.toLowerCase() === name && s.index !== stage.index);
  return match ? match.index : null;
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

/** The source paths of a COPY/ADD: every argument but the destination (exec or shell form). */
function copySources(instruction: Instruction): string[] {
  const json = (instruction as Run).getJSONStrings?.() ?? [];
  const values = json.length > 0 ? json.map((s) => s.getJSONValue()) : instruction.getArguments().map((a) => a.getValue());
  return values.slice(0, -1);
}

function readRun(model: Model, run: Run): RunStep {
  const { flags, bodyStart, end: to } = model.argumentsOf.get(run)!;
  const line = run.getRange().start.line;
  const text = model.source.text;
  const step: RunStep = { instruction: run, line, form: 'shell', commands: [], script: { commands: [], vars: [], assigned: new Set() }, flags, inScope: new Set() };
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
  const add = (instruction: Instruction, text: string, offset: number) => {
    for (const ref of references(text, model.escapeChar)) {
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
    const range = instruction.getRange();
    const start = offsetAt(model.source, range.start);
    const text = model.source.text.slice(start, offsetAt(model.source, range.end));
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
  let read = envRead.get(instruction);
  if (!read) envRead.set(instruction, (read = readEnv(model, instruction)));
  return read.map((e) => ({ ...e }));
}

const envRead = new WeakMap<Instruction, EnvAssignment[]>();

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
  const parents = stage.base.kind === 'stage' ? [stage.base.stage] : stage.base.kind === 'variable' ? stage.base.candidates : [];
  const next = new Set([...seen, stage.index]);
  return parents.length > 0 && parents.every((p) => !next.has(p) && argDeclaredBefore(model, model.stages[p], name, Infinity, next));
}
