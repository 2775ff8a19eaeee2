/** `xlint explain-build` as text: the build model for people. */
import type { ExplainedBuild, ExplainedFlow, ExplainedStage } from './explain';
import { REASON_TEXT } from './explain';

export function formatExplainText(build: ExplainedBuild): string {
  const out: string[] = [];
  out.push(`${build.file}: building for ${build.targetPlatforms.join(', ')} on a ${build.buildPlatform} builder`);
  for (const error of build.errors) out.push(`  error ${error.line}:${error.column} ${error.message}`);
  out.push('');
  for (const stage of build.stages) {
    for (const line of explainStage(build, stage)) out.push(line); // not spread: a stage may have very many lines
    out.push('');
  }
  const counts = build.targetPlatforms.map((t) => {
    const n = build.summary.emulatedRunSteps[t];
    return `${t}: ${n === 0 ? 'no RUN step' : `${n} RUN step${n === 1 ? '' : 's'}`} emulated`;
  });
  out.push(`Summary: ${counts.join('; ')}.`);
  return out.join('\n') + '\n';
}

function explainStage(build: ExplainedBuild, stage: ExplainedStage): string[] {
  const title = `Stage ${stage.index}${stage.name ? ` "${stage.name}"` : ''} (line ${stage.line})${stage.index === build.outputStage ? ' — output stage' : ''}`;
  const lines = [title, `  from:      ${describeBase(build, stage)}`, `  platform:  ${platformInWords(build, stage)}`];
  lines.push(`  reached:   ${stage.reachable ? (stage.reachableFor.length === build.targetPlatforms.length ? 'yes' : `only for ${stage.reachableFor.join(', ')}`) : 'no — not built for any target'}`);
  const args = Object.entries(stage.args);
  if (args.length > 0) {
    lines.push('  args:');
    for (const [name, values] of args) lines.push(`    ${name} = ${valuesInWords(values)}`);
  }
  for (const u of stage.unresolved) lines.push(`  ! $${u.name} at ${u.line}:${u.column}: ${REASON_TEXT[u.reason] ?? u.reason}`);
  for (const run of stage.runs) {
    const emulated = stage.emulatedOn.length > 0 ? ` (emulated on ${stage.emulatedOn.join(', ')})` : '';
    lines.push(`  RUN line ${run.line}${run.form === 'shell' ? '' : ` [${run.form}]`}${emulated}`);
    for (const c of run.commands) {
      const kind = c.toolchain ? `${c.kind}, ${c.toolchain}` : c.kind;
      const env = c.env ? ' ' + Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ') : '';
      const script = c.script ? ` (a build in the context's ${c.script})` : '';
      lines.push(`    ${c.nested ? '↳ ' : ''}${c.name ?? '(assignment)'}  [${kind}]${env}${script}`);
    }
  }
  const files = stage.flows.filter((f) => f.kind !== 'exec');
  if (files.length > 0) lines.push('  files:');
  for (const f of files) lines.push(`    line ${f.line}: ${flowInWords(build, f)}`);
  return lines;
}

function flowInWords(build: ExplainedBuild, flow: ExplainedFlow): string {
  const stageName = (index: number) => (build.stages[index]?.name ? `"${build.stages[index].name}"` : `stage ${index}`);
  switch (flow.kind) {
    case 'copy':
    case 'mount':
      return `${flow.kind === 'copy' ? 'copies' : 'mounts'} ${flow.sources.join(', ')} from ${flow.fromStage === null ? `image ${flow.from}` : stageName(flow.fromStage)} to ${flow.dest}`;
    case 'product':
      return `${flow.command ?? 'a command'} writes ${flow.path}${flow.explicit ? '' : ' (its default output)'}`;
    case 'ships':
      return `${flow.path} reaches ${stageName(flow.toStage)} (target platform) as ${flow.as}`;
    default:
      return `runs ${flow.path}`;
  }
}

function describeBase(build: ExplainedBuild, stage: ExplainedStage): string {
  const name = (index: number) => build.stages[index]?.name ?? `stage ${index}`;
  switch (stage.base.kind) {
    case 'stage':
      return `stage "${name(stage.base.stage!)}" (inherits its platform, args and env)`;
    case 'variable':
      return `${stage.base.text}, one of: ${(stage.base.candidates ?? []).map(name).join(', ') || 'no stage (an image)'}`;
    case 'scratch':
      return 'scratch (no filesystem: nothing can RUN)';
    default:
      return `image ${stage.base.image}`;
  }
}

function platformInWords(build: ExplainedBuild, stage: ExplainedStage): string {
  const per = build.targetPlatforms.map((t) => ({ target: t, platform: stage.platformFor[t] }));
  const emulation = per.map(({ target, platform }) =>
    platform === null ? `unknown for ${target}` : platform === build.buildPlatform ? `native for ${target}` : `emulated for ${target}`,
  );
  const written = stage.platformText ? ` (--platform=${stage.platformText})` : '';
  if (stage.runs.length === 0 && stage.platform === 'target') return `once per target (${build.targetPlatforms.join(', ')}); no RUN, so nothing is emulated${written}`;
  switch (stage.platform) {
    case 'builder': {
      const distinct = [...new Set(per.map((p) => p.platform))];
      if (distinct.length === 1 && distinct[0] === build.buildPlatform) return `runs on the builder, ${build.buildPlatform}${written}`;
      return `pinned to ${distinct.join(', ')}${written}: ${emulation.join(', ')}`;
    }
    case 'target':
      return `runs once per target: ${emulation.join(', ')}${written}`;
    case 'constant':
      return `runs on ${per[0]?.platform ?? stage.platformText} for every target${written}: ${emulation[0]?.replace(/ for .*/, '') ?? ''}`;
    default:
      return `cannot be told from the Dockerfile${written}: ${emulation.join(', ')}`;
  }
}

function valuesInWords(values: Record<string, string | null>): string {
  const entries = Object.entries(values);
  const distinct = new Set(entries.map(([, v]) => v));
  const show = (v: string | null) => (v === null ? '(empty)' : JSON.stringify(v));
  if (distinct.size === 1) return `${show(entries[0][1])} for every target`;
  return entries.map(([t, v]) => `${show(v)} on ${t}`).join(', ');
}
