import { continuationEnd } from '../core/ast';
import type { Model, VariableUse } from '../core/model';
import { AUTOMATIC_ARGS } from '../core/platform';
import { defineRule } from '../core/rule';

export default defineRule({
  meta: {
    id: 'undefined-arg-in-from',
    severity: 'error',
    description: 'Use only global `ARG`s and automatic platform args in `FROM`',
    fixes: ['unsafe'],
    messages: {
      undefined: '{{text}} in FROM is empty: {{name}} is neither a global ARG (declared before the first FROM) nor an automatic platform arg',
      suggest:
        '{{text}} in FROM is empty: {{name}} is neither a global ARG (declared before the first FROM) nor an automatic platform arg (did you mean {{suggestion}}?)',
    },
    docs: {
      what:
        'A `FROM` line (its image or its `--platform`) that reads a variable which is neither an `ARG` declared before the ' +
        'first `FROM` nor one of BuildKit\'s automatic platform args, e.g. the typo `$BULIDPLATFORM`. The message suggests ' +
        'the closest declared name.',
      leftAlone:
        'Variables declared by a global `ARG` (with or without a default) and the automatic platform args, which BuildKit defines in the global scope.',
      why:
        '`FROM` lines see only the global scope. An undeclared name expands to nothing, and `--build-arg` cannot set it: ' +
        '`FROM --platform=$BULIDPLATFORM` becomes `FROM --platform=`, an error or the target platform depending on the ' +
        'version, and the build stage that was meant to run natively runs emulated. An `ARG` declared inside a stage is not ' +
        'visible to the next `FROM` either.',
      bad:
        'FROM --platform=$BULIDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n' +
        '\n' +
        'FROM alpine:3.20\n' +
        'COPY --from=build /out/app /app',
      fixSafety:
        'Unsafe: when a global `ARG` or an automatic platform arg is within two edits of the name (case aside), the fix ' +
        'replaces the name with it. That is a guess: it changes the base image or the platform of the stage, and the right ' +
        'fix may instead be to declare a new global `ARG`. No fix without a suggestion.',
      mirrors: { buildkit: 'UndefinedArgInFrom' },
      references: ['https://docs.docker.com/reference/build-checks/undefined-arg-in-from/'],
    },
  },
  check({ model, report }) {
    // Only names a `$NAME` can spell: `ARG RE{O=...` declares `RE{O`, and suggesting it for $REPO
    // writes `$RE{O`, which reads as $RE and is suggested again, growing on every pass.
    const known = [...new Set([...model.globalArgs.map((a) => a.name), ...AUTOMATIC_ARGS])].filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
    for (const use of model.variableUses) {
      if (use.stage !== null || use.resolution.status !== 'unresolved' || use.resolution.reason !== 'not-declared-globally') continue;
      const text = model.source.text.slice(use.start, use.end);
      const suggestion = closest(use.name, known);
      if (!suggestion) {
        report({ messageId: 'undefined', data: { text, name: use.name }, start: use.start, end: use.end });
        continue;
      }
      const at = nameStart(model, use);
      const end = nameEnd(model, at, use.name.length);
      if (end === null) {
        // A comment line inside the name: an edit would have to rewrite it, and fixes never touch comments.
        report({ messageId: 'suggest', data: { text, name: use.name, suggestion }, start: use.start, end: use.end });
        continue;
      }
      report({
        messageId: 'suggest',
        data: { text, name: use.name, suggestion },
        start: use.start,
        end: use.end,
        fix: { title: `Replace ${use.name} with ${suggestion}`, safety: 'unsafe', edits: [{ start: at, end, text: suggestion }] },
      });
    }
  },
});

/** Where the name starts in `$NAME` or `${NAME...}` (past a continuation right after the `$`). */
function nameStart(model: Model, use: VariableUse): number {
  const text = model.source.text;
  const at = text[use.start + 1] === '{' ? use.start + 2 : use.start + 1;
  const next = continuationEnd(text, at, text.length, model.escapeChar);
  return next >= 0 ? next : at;
}

/**
 * Where a name of `length` characters starting at `at` ends in the text: past the line continuations
 * (and the comment and empty lines after them) that split it, as in `$BULIDPLATFOR\` + newline + `M`.
 * The edit then covers the whole name, continuation included, rather than its length from the start.
 * null when a comment line or an empty line lies inside the name.
 */
function nameEnd(model: Model, at: number, length: number): number | null {
  const text = model.source.text;
  let pos = at;
  for (let read = 0; read < length && pos < text.length; ) {
    const next = continuationEnd(text, pos, text.length, model.escapeChar);
    if (next > text.indexOf('\n', pos) + 1) return null;
    if (next >= 0) pos = next;
    else {
      pos++;
      read++;
    }
  }
  return pos;
}

/** The known name closest to `name` (case-insensitive Levenshtein distance ≤ 2), or null. Ties: the case-sensitive distance, then alphabetical. */
function closest(name: string, known: string[]): string | null {
  let best: { name: string; distance: number; exact: number } | null = null;
  for (const candidate of known) {
    if (candidate === name) continue;
    const distance = levenshtein(name.toLowerCase(), candidate.toLowerCase(), 2);
    if (distance > 2) continue;
    const exact = levenshtein(name, candidate, Infinity);
    if (!best || distance < best.distance || (distance === best.distance && (exact < best.exact || (exact === best.exact && candidate < best.name)))) {
      best = { name: candidate, distance, exact };
    }
  }
  return best?.name ?? null;
}

/** Edit distance, giving up (returning `max + 1`) once it must exceed `max`. */
function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length];
}
