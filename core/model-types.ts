/** The build model's types: what core/model.ts computes and every rule reads (DESIGN §1). */
import type { Dockerfile, From, Instruction, Run } from 'dockerfile-ast';
import type { ArgumentFacts, FlagFacts, IncrementalParser } from './ast';
import type { Classification } from './classify';
import type { Range, SourceText } from './document';
import type { ShellCommand, ShellScript } from './shell';

export interface BuildOptions {
  /** The builder's platform, e.g. `linux/amd64`. */
  buildPlatform: string;
  /** The platforms of `--platform`, e.g. `['linux/amd64', 'linux/arm64']`. */
  targetPlatforms: string[];
  /** `--target`: the output stage by name or index; default the last stage. */
  target?: string;
  /** `--build-arg` values for non-platform args. */
  buildArgs?: Record<string, string>;
  /** Facts an adapter read from the build context (the engine reads no files itself). */
  context?: BuildContext;
  /** The parser of this document's previous text (an editor's): the instructions that did not change are taken over. */
  parser?: IncrementalParser;
}

/** What the files next to a Dockerfile say about its build, as read by the CLI. */
export interface BuildContext {
  /** .NET project files (`*.csproj`, `*.fsproj`, `*.vbproj`) and whether they publish with NativeAOT. */
  dotnetProjects?: { path: string; publishAot: boolean }[];
  /**
   * Files of the context that RUN executes (Model.contextScripts), by context-relative path: their
   * text, or null when there is no such small, readable file. Absent when the adapter reads no
   * context files (the editor): the model then names none, and spends nothing looking for them.
   */
  scripts?: Record<string, string | null>;
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

export interface CommandFacts extends ShellCommand, Classification {
  /** The build-context script this command runs, when that script's commands make it a build (core/context-scripts.ts). */
  script?: string;
}

export interface RunStep {
  instruction: Run;
  line: number;
  form: 'shell' | 'exec' | 'heredoc';
  commands: CommandFacts[];
  script: ShellScript;
  flags: FlagFacts[];
  /** Names (ARG and ENV) in scope when this RUN starts (judged once, like variable resolutions, for the first target). */
  inScope: Set<string>;
  /** Facts read from this RUN on first use (core/derived.ts). */
  derived: Map<symbol, unknown> | undefined;
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
  /** The stage this FROM builds on, per target platform (null for an image, or when it cannot be told). */
  parentFor: Record<string, number | null>;
  /** A Windows stage (nanoserver, servercore, `--platform=windows/...`): it needs a Windows builder and never runs under QEMU. */
  windows: boolean;
  /** The output stage or a stage it is built FROM, for some target: its files are the image. */
  inOutputChain: boolean;
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
  /** Facts left unknown because the input passed a bound (MAX_NESTING, the flow trace cap): rules stay silent on them. */
  limits: ModelError[];
  /** Facts of the build context given by the adapter ({} when none). */
  context: BuildContext;
  /**
   * Context-relative paths of files copied from the build context that a RUN may execute: what an
   * adapter reads into BuildContext.scripts (each path a candidate; several may name one file).
   */
  contextScripts: string[];
  /** Argument offsets and leading flags of every instruction, read once. */
  argumentsOf: Map<Instruction, ArgumentFacts>;
  /** Facts derived from the model on first use, by the rules and their helpers (core/derived.ts). */
  derived: Map<symbol, unknown> | undefined;
}
