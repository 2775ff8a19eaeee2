/**
 * Edit builders shared by rules. Inserted text follows the file: keyword case, indentation,
 * line endings; nothing here touches directives, comments, heredoc bodies or `--mount` flags.
 */
import { continuationEnd } from '../../core/ast';
import { lineText, offsetAt } from '../../core/document';
import type { Model, Stage } from '../../core/model';
import { isPlatformArg } from '../../core/platform';
import type { Edit } from '../../core/rule';
import type { ShellCommand } from '../../core/shell';

/** `ARG` or `arg`, as the file writes its keywords (judged by the FROM lines). */
export function keyword(model: Model, word: string): string {
  const froms = model.stages.map((s) => s.from.getInstruction());
  const lower = froms.filter((k) => k === k.toLowerCase()).length;
  return lower > froms.length / 2 ? word.toLowerCase() : word.toUpperCase();
}

/** Inserts whole lines right after a stage's FROM instruction (after its continuation lines too). */
export function insertLinesAfterFrom(model: Model, stage: Stage, lines: string[]): Edit {
  const fromEnd = stage.from.getRange().end.line;
  const at = model.source.lineStarts[fromEnd + 1];
  const eol = model.source.eol;
  const first = stage.instructions[0];
  const indent = /^[ \t]*/.exec(lineText(model.source, first ? first.getRange().start.line : stage.line))![0];
  if (at === undefined) {
    // The FROM is the last line of a file with no final newline.
    return { start: model.source.text.length, end: model.source.text.length, text: lines.map((l) => eol + indent + l).join('') };
  }
  return { start: at, end: at, text: lines.map((l) => indent + l + eol).join('') };
}

/** Adds platform args to a stage: to an `ARG` of platform args right after the FROM, else as a new line. */
export function declareArgs(model: Model, stage: Stage, names: string[]): Edit {
  const first = stage.instructions[0];
  if (first && first.getKeyword() === 'ARG' && first.getRange().start.line === stage.from.getRange().end.line + 1) {
    const declared = stage.args.filter((a) => a.instruction === first);
    if (declared.length > 0 && declared.every((a) => a.defaultText === null && /^(TARGET|BUILD)/.test(a.name))) {
      const end = declared[declared.length - 1].end;
      return { start: end, end, text: ' ' + names.join(' ') };
    }
  }
  return insertLinesAfterFrom(model, stage, [`${keyword(model, 'ARG')} ${names.join(' ')}`]);
}

/**
 * Declares platform args for uses that start at offset `before` or later: appends them to the last
 * `ARG` of platform args (no defaults) ahead of that point, so the layers above it stay shared by
 * every platform (`ARG TARGETOS` → `ARG TARGETOS TARGETARCH`); otherwise as `declareArgs` does.
 */
export function declareArgsBefore(model: Model, stage: Stage, names: string[], before: number): Edit {
  let last: Stage['args'] | null = null;
  let nextArg = 0; // stage.args are in instruction order: one pass, not a filter of them per ARG
  for (const instruction of stage.instructions) {
    if (offsetAt(model.source, instruction.getRange().end) > before) break;
    if (instruction.getKeyword() !== 'ARG') continue;
    const declared: Stage['args'] = [];
    while (stage.args[nextArg]?.instruction === instruction) declared.push(stage.args[nextArg++]);
    if (declared.length > 0 && declared.every((a) => a.defaultText === null && isPlatformArg(a.name))) last = declared;
  }
  if (!last) return declareArgs(model, stage, names);
  const end = last[last.length - 1].end;
  return { start: end, end, text: ' ' + names.join(' ') };
}

/** Sets `--platform=<value>` on a FROM: replaces the flag's value, or adds the flag after the keyword. */
export function setFromPlatform(model: Model, stage: Stage, value: string): Edit {
  const flag = stage.platformFlag;
  if (flag) {
    const start = offsetAt(model.source, flag.valueRange.start);
    return { start, end: offsetAt(model.source, flag.valueRange.end), text: value };
  }
  const keywordEnd = offsetAt(model.source, stage.from.getInstructionRange().end);
  return { start: keywordEnd, end: keywordEnd, text: ` --platform=${value}` };
}

/**
 * Removes a flag and the blank after it (`FROM --platform=x image` → `FROM image`). Usually one edit;
 * comment lines (and empty lines) inside a continued flag stay untouched between the edits, behind
 * their continuation, since fixes never touch comments: `--platform=$BUILD\` + `# note` + `PLATFORM`.
 */
export function removeFlag(model: Model, flag: { start: number; end: number }): Edit[] {
  const start = flag.start;
  let end = flag.end;
  const text = model.source.text;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  // A flag alone on a continued line takes its continuation with it, unless a comment line or an
  // empty line follows: BuildKit skips those inside the instruction, and without the continuation
  // they would end it (`FROM # the image`).
  const continuation = text[end] === model.escapeChar ? /^[ \t]*\r?\n[ \t]*/.exec(text.slice(end + 1, end + 400)) : null;
  if (continuation) {
    const next = end + 1 + continuation[0].length;
    if (next < text.length && !/[#\r\n \t]/.test(text[next])) end = next;
  }
  const edits: Edit[] = [];
  let from = start;
  for (let pos = start; pos < end; pos++) {
    const next = continuationEnd(text, pos, end, model.escapeChar);
    if (next < 0) continue;
    // Lines skipped after this continuation: keep it and them, remove what is around.
    if (next > text.indexOf('\n', pos) + 1) {
      if (pos > from) edits.push({ start: from, end: pos, text: '' });
      from = next;
    }
    pos = next - 1;
  }
  if (end > from || edits.length === 0) edits.push({ start: from, end, text: '' });
  return edits;
}

/**
 * Gives a command environment variables (`GOOS=$TARGETOS go build`): a name already assigned
 * before the command gets its value replaced, the others are prefixed to the command.
 */
export function setCommandEnv(command: ShellCommand, env: [string, string][]): Edit[] {
  const edits: Edit[] = [];
  const prefix: string[] = [];
  for (const [name, value] of env) {
    const existing = command.assignments.find((a) => a.name === name);
    if (existing) edits.push({ start: existing.start, end: existing.end, text: `${name}=${value}` });
    else prefix.push(`${name}=${value}`);
  }
  if (prefix.length > 0) {
    const at = command.words[0]?.start ?? command.end;
    edits.push({ start: at, end: at, text: prefix.join(' ') + ' ' });
  }
  return edits;
}

/** Appends arguments after a command's last word (`dotnet publish ...` → `... -a $TARGETARCH`). */
export function appendToCommand(command: ShellCommand, text: string): Edit {
  const last = command.words[command.words.length - 1];
  const at = last ? last.end : command.end;
  return { start: at, end: at, text: ' ' + text };
}

/**
 * Declares args right before the instruction that first needs them, so the layers above it stay
 * shared by every platform (`COPY go.mod` / `go mod download`): appended to an `ARG` of platform
 * args just above it, else as a new line above the instruction and the comments attached to it.
 */
export function declareArgsBeforeInstruction(model: Model, stage: Stage, names: string[], instruction: Stage['instructions'][number]): Edit {
  const index = stage.instructions.indexOf(instruction);
  const previous = index > 0 ? stage.instructions[index - 1] : null;
  if (previous && previous.getKeyword() === 'ARG') {
    const declared = stage.args.filter((a) => a.instruction === previous);
    if (declared.length > 0 && declared.every((a) => a.defaultText === null && isPlatformArg(a.name))) {
      const end = declared[declared.length - 1].end;
      return { start: end, end, text: ' ' + names.join(' ') };
    }
  }
  const previousEnd = (previous ?? stage.from).getRange().end.line;
  let line = instruction.getRange().start.line;
  while (line - 1 > previousEnd && /^[ \t]*#/.test(lineText(model.source, line - 1))) line--;
  const indent = /^[ \t]*/.exec(lineText(model.source, instruction.getRange().start.line))![0];
  const at = model.source.lineStarts[line];
  return { start: at, end: at, text: `${indent}${keyword(model, 'ARG')} ${names.join(' ')}${model.source.eol}` };
}
