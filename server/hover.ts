/**
 * Hovers that say where things run: on a FROM, the stage's platform in words and whether its RUN
 * steps are emulated for each target; on `$TARGETARCH` and the other args, the value per target or
 * why it is empty. Reads the model only.
 */
import type { Hover, Position, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetAt, positionAt } from '../core/document';
import { REASON_TEXT, unresolvedReason } from '../core/explain';
import type { ArgDeclaration, Model, Stage, VariableUse } from '../core/model';
import { isPlatformArg } from '../core/platform';
import type { Analysis } from './service';

/**
 * One hover target: the model's answer for every offset in `[start, end)` of the document's text
 * (offsets count a BOM the editor kept), with the range the hover highlights.
 */
export interface HoverEntry {
  start: number;
  end: number;
  range: Range;
  value: string;
}

/**
 * Every hover a document can show, computed once per analysis (in the analysis worker) so the server
 * answers hovers without the model: variable uses first, then ARG declarations, then FROM lines,
 * each list in model order (the first entry that contains an offset wins, as `find` would).
 */
export interface HoverTable {
  /** 1 when the editor's text starts with a BOM the model dropped: offsets before it are moved onto it. */
  shift: number;
  uses: HoverEntry[];
  declarations: HoverEntry[];
  stages: HoverEntry[];
}

export function hoverTable(analysis: Analysis): HoverTable {
  const model = analysis.result.model;
  const shift = model.source.bom && analysis.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const toLsp = (start: number, end: number): Range => {
    const range = { start: positionAt(model.source, start), end: positionAt(model.source, end) };
    if (range.start.line === 0) range.start.character += shift;
    if (range.end.line === 0) range.end.character += shift;
    return range;
  };
  const entry = (start: number, end: number, value: string, inclusive = false): HoverEntry => ({
    start: start + shift,
    end: end + shift + (inclusive ? 1 : 0),
    range: toLsp(start, end),
    value,
  });
  const uses = model.variableUses.map((use) => entry(use.start, use.end, variableHover(model, use)));
  const declarations: HoverEntry[] = [];
  for (const declaration of [...model.globalArgs, ...model.stages.flatMap((s) => s.args)]) {
    // An ARG with nothing to say is kept (empty): the lookup then falls through to the FROM, as it always has.
    declarations.push(entry(declaration.start, declaration.end, argHover(model, declaration) ?? ''));
  }
  const stages = model.stages.map((stage) => {
    const r = stage.from.getRange();
    return entry(offsetAt(model.source, r.start), offsetAt(model.source, r.end), stageHover(model, stage), true);
  });
  return { shift, uses, declarations, stages };
}

/** The hover at an offset of the document's text (the text the table was computed on). */
export function hoverAt(table: HoverTable, offset: number): Hover | null {
  const at = Math.max(offset, table.shift);
  const hit = (entries: HoverEntry[]) => entries.find((e) => e.start <= at && at < e.end);
  const use = hit(table.uses);
  if (use) return { contents: { kind: 'markdown', value: use.value }, range: use.range };
  const declaration = hit(table.declarations);
  if (declaration?.value) return { contents: { kind: 'markdown', value: declaration.value }, range: declaration.range };
  const stage = hit(table.stages);
  if (stage) return { contents: { kind: 'markdown', value: stage.value }, range: stage.range };
  return null;
}

/** A hover computed directly on an analysis (tests, in-process callers): the same table, one lookup. */
export function hover(analysis: Analysis, position: Position): Hover | null {
  const offset = documentOffset(analysis.text, position);
  return offset === null ? null : hoverAt(hoverTable(analysis), offset);
}

/**
 * An LSP position → an offset in `text`, as the protocol defines it: a character past the end of
 * its line means the line's end; a line past the end of the text, or a position that is not one
 * (negative, fractional, missing), has no offset.
 */
export function documentOffset(text: string, position: Position): number | null {
  if (!isPosition(position)) return null;
  const document = TextDocument.create('file:///x', 'dockerfile', 0, text);
  if (position.line >= document.lineCount) return null;
  return document.offsetAt(position);
}

export function isPosition(value: unknown): value is Position {
  if (!value || typeof value !== 'object') return false;
  const { line, character } = value as Position;
  return Number.isSafeInteger(line) && line >= 0 && Number.isSafeInteger(character) && character >= 0;
}

export function isRange(value: unknown): value is Range {
  return !!value && typeof value === 'object' && isPosition((value as Range).start) && isPosition((value as Range).end);
}

function stageTitle(stage: Stage): string {
  return `stage ${stage.index}${stage.name ? ` "${stage.name}"` : ''}`;
}

function code(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

export function stageHover(model: Model, stage: Stage): string {
  const lines: string[] = [];
  const output = stage.index === model.outputStage;
  lines.push(`**xlint: ${stageTitle(stage)}**${output ? ' — the output stage' : ''}`, '');
  const written = stage.platformFlag ? ` (${code(`--platform=${stage.platformFlag.text}`)})` : '';
  const parent = stage.base.kind === 'stage' ? model.stages[stage.base.stage] : null;
  if (parent) {
    lines.push(`Built \`FROM\` ${stageTitle(parent)}: it runs on its parent's platform and inherits its args and env.`);
    if (stage.platformFlag) lines.push(`The ${code(`--platform=${stage.platformFlag.text}`)} here has no effect: BuildKit ignores it on \`FROM <stage>\`.`);
  } else if (stage.base.kind === 'variable') {
    const names = stage.base.candidates.map((i) => stageTitle(model.stages[i])).join(', ');
    lines.push(`Built from ${code(stage.base.text)}: one stage per target, chosen from ${names || 'no stage (an image)'}.`);
  } else {
    switch (stage.platform.kind) {
      case 'builder':
        lines.push(`Pinned to the builder's platform${written}: it runs natively on the ${model.buildPlatform} builder and, built once, serves every target.`);
        break;
      case 'target':
        lines.push(`Runs on the target platform${written}: built once per target (${model.targetPlatforms.join(', ')}).`);
        break;
      case 'constant':
        lines.push(`Pinned to ${code(stage.platform.text ?? '')} for every target${written}.`);
        break;
      default:
        lines.push(`Its platform cannot be told from the Dockerfile${written}.`);
    }
  }
  if (stage.base.kind === 'scratch') lines.push('`FROM scratch` has no filesystem: nothing in it can `RUN`.');
  lines.push('', '| target | stage runs on | RUN steps |', '|---|---|---|');
  for (const target of model.targetPlatforms) {
    const platform = stage.platformFor[target];
    let run: string;
    if (!stage.reachableFor.includes(target)) run = 'not built for this target';
    else if (stage.runs.length === 0) run = 'none: nothing to emulate';
    else if (platform === null) run = 'unknown';
    else if (stage.emulatedOn.includes(target)) run = `**emulated** (QEMU on the ${model.buildPlatform} builder)`;
    else run = 'native';
    lines.push(`| ${target} | ${platform ?? 'unknown'} | ${run} |`);
  }
  if (stage.emulatedOn.length > 0 && !output) {
    lines.push('', 'Emulated RUN steps are often 8–17× slower than native. Cross-compile instead: `FROM --platform=$BUILDPLATFORM` with `ARG TARGETOS TARGETARCH`.');
  }
  if (!stage.reachable) lines.push('', 'Not built: the output stage does not reach this stage.');
  return lines.join('\n');
}

function valuesTable(model: Model, values: Record<string, string | null | undefined>): string[] {
  const lines = ['| target | value |', '|---|---|'];
  for (const target of model.targetPlatforms) {
    const value = values[target];
    lines.push(`| ${target} | ${value === null || value === undefined || value === '' ? '*(empty)*' : code(value)} |`);
  }
  return lines;
}

export function variableHover(model: Model, use: VariableUse): string {
  const where = use.stage === null ? 'in a `FROM` line (global scope)' : `in ${stageTitle(model.stages[use.stage])}`;
  const kind = isPlatformArg(use.name) ? 'automatic platform arg' : 'variable';
  const lines = [`**xlint: ${code('$' + use.name)}** — ${kind}, ${where}${use.inShell ? ', read by the shell at run time' : ''}`, ''];
  const stage = use.stage === null ? null : model.stages[use.stage];
  const known =
    use.stage === null || isPlatformArg(use.name) || (stage && (use.name in stage.argValues || use.name in stage.envValues)) || use.resolution.status !== 'resolved';
  if (!known) {
    lines.push('Not an `ARG` or `ENV` of this Dockerfile: its value comes from the base image or the shell at run time.');
    return lines.join('\n');
  }
  lines.push(...valuesTable(model, use.values));
  const reason = unresolvedReason(use.resolution);
  if (reason) {
    lines.push('', `**${reason === 'shadowed' ? 'Pinned' : 'Empty'}**: ${REASON_TEXT[reason] ?? reason}.`);
    if (use.resolution.status === 'shadowed') {
      const d = use.resolution.declaration;
      lines.push(`The default is set on line ${d.range.start.line + 1}: ${code(`ARG ${d.name}=${d.defaultText ?? ''}`)}.`);
    }
  } else if (Object.values(use.values).every((v) => v === null)) {
    lines.push('', 'Empty for every target.');
  }
  return lines.join('\n');
}

function argHover(model: Model, declaration: ArgDeclaration): string | null {
  const title = `**xlint: ${code(`ARG ${declaration.name}${declaration.defaultText !== null ? '=' + declaration.defaultText : ''}`)}**`;
  const platformArg = isPlatformArg(declaration.name);
  if (declaration.stage === null) {
    if (!platformArg) return null;
    return declaration.defaultText === null
      ? `${title} — global\n\nVisible in \`FROM\` lines only; a stage sees it after its own \`ARG ${declaration.name}\`.`
      : `${title} — global\n\n**Pinned**: ${REASON_TEXT.shadowed}, in every stage that declares \`ARG ${declaration.name}\`.`;
  }
  const stage = model.stages[declaration.stage];
  const values = stage.argValues[declaration.name];
  if (!values) return null;
  const lines = [`${title} — in ${stageTitle(stage)}`, '', ...valuesTable(model, values)];
  if (platformArg && declaration.defaultText !== null) lines.push('', `**Pinned**: ${REASON_TEXT.shadowed}.`);
  return lines.join('\n');
}
