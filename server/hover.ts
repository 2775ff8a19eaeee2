/**
 * Hovers that say where things run: on a FROM, the stage's platform in words and whether its RUN
 * steps are emulated for each target; on `$TARGETARCH` and the other args, the value per target or
 * why it is empty. Reads the model only.
 */
import type { Hover, Position } from 'vscode-languageserver';
import { offsetAt, positionAt } from '../core/document';
import { REASON_TEXT, unresolvedReason } from '../core/explain';
import type { ArgDeclaration, Model, Stage, VariableUse } from '../core/model';
import { isPlatformArg } from '../core/platform';
import type { Analysis } from './service';

export function hover(analysis: Analysis, position: Position): Hover | null {
  const model = analysis.result.model;
  const shift = model.source.bom && analysis.text.charCodeAt(0) === 0xfeff && position.line === 0 ? 1 : 0;
  const offset = offsetAt(model.source, { line: position.line, character: Math.max(0, position.character - shift) });
  const toLsp = (start: number, end: number) => {
    const range = { start: positionAt(model.source, start), end: positionAt(model.source, end) };
    if (range.start.line === 0) range.start.character += shift;
    if (range.end.line === 0) range.end.character += shift;
    return range;
  };

  const use = model.variableUses.find((u) => u.start <= offset && offset < u.end);
  if (use) return { contents: { kind: 'markdown', value: variableHover(model, use) }, range: toLsp(use.start, use.end) };

  const declaration = [...model.globalArgs, ...model.stages.flatMap((s) => s.args)].find((a) => a.start <= offset && offset < a.end);
  if (declaration) {
    const text = argHover(model, declaration);
    if (text) return { contents: { kind: 'markdown', value: text }, range: toLsp(declaration.start, declaration.end) };
  }

  const stage = model.stages.find((s) => {
    const r = s.from.getRange();
    return offsetAt(model.source, r.start) <= offset && offset <= offsetAt(model.source, r.end);
  });
  if (stage) {
    const r = stage.from.getRange();
    return { contents: { kind: 'markdown', value: stageHover(model, stage) }, range: toLsp(offsetAt(model.source, r.start), offsetAt(model.source, r.end)) };
  }
  return null;
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
