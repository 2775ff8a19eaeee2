import type { Instruction, Run } from 'dockerfile-ast';
import { offsetAt } from '../core/document';
import { declareArgs } from './utils/edits';
import { append, argDeclaredBefore, envDeclarations, instructionStart, type Model, type RunStep, type Stage } from '../core/model';
import { parsePlatform } from '../core/platform';
import { defineRule, type Edit, type Fix, type FixSafety, type Report } from '../core/rule';
import type { ShellCommand, ShellWord } from '../core/shell';
import { derivedFact } from '../core/derived';

export default defineRule({
  meta: {
    id: 'hardcoded-arch',
    severity: 'warning',
    description: 'Use the target platform args instead of a hard-coded architecture in a multi-platform build',
    fixes: ['safe', 'unsafe', 'display-only'],
    messages: {
      hardcoded: '"{{text}}" hard-codes {{arch}} in a stage built for {{platforms}}: every platform gets {{arch}} output',
      download: '"{{text}}" hard-codes {{arch}} in a download in a stage built for {{platforms}}: every platform gets the {{arch}} file',
    },
    docs: {
      what:
        'A hard-coded architecture in a stage that is built, with the same content, for several target platforms (or for a ' +
        'target other than that architecture): `GOARCH=amd64` (in `RUN`, `export`, `go env -w` or `ENV`), dotnet `-a x64` / ' +
        '`-r linux-x64`, `cargo --target x86_64-unknown-linux-gnu`, and download URLs naming an architecture ' +
        '(`linux-amd64`, `linux_amd64`, `amd64`, `x86_64`, `aarch64`, `arm64`) in `curl` / `wget` commands or `ADD` sources. ' +
        'It stays silent in per-architecture stages (one picked by `FROM base_${TARGETARCH}`, or whose name carries an ' +
        'architecture), in `RUN`s that look at the architecture themselves (`$TARGETARCH`, `uname -m`, `xx-info`), where a ' +
        'stage names several architectures of one kind (a build matrix), for builds aimed at another OS (`GOOS=windows`, ' +
        '`darwin` downloads), and in per-architecture Dockerfiles (a base image from Docker\'s per-architecture repositories, ' +
        '`FROM arm64v8/buildpack-deps`, or a tag naming one, `$REPO:10.0-noble-arm64v8`): those are built once per ' +
        'architecture, never for several platforms at once, so their constants are deliberate.',
      leftAlone:
        'Per-architecture stages (one picked by `FROM base_${TARGETARCH}`, or whose name carries an architecture); per-architecture Dockerfiles (a base from Docker\'s per-architecture repositories such as `arm64v8/`, or a tag naming one), which are built once per architecture; `RUN`s that look at the architecture themselves (`$TARGETARCH`, `uname -m`, `xx-info`); stages that name several architectures of one kind (a build matrix); builds aimed at another OS (`GOOS=windows`, `darwin` downloads).',
      why:
        'The stage runs once per target platform, but every run builds or downloads the same architecture: the arm64 image ' +
        'ships an amd64 binary and fails with `exec format error`, and nothing in the build reports it. BuildKit hands every ' +
        'stage the target through `TARGETARCH` (declare `ARG TARGETARCH` in the stage); Go takes Docker\'s ' +
        'architecture names as they are, and so does `dotnet -a` in current SDKs.',
      bad:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n' +
        'RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /out/app .\n\n' +
        'FROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/app',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nARG TARGETOS TARGETARCH\n' +
        'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n\n' +
        'FROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/app',
      fixSafety:
        'Safe for `GOARCH=amd64|arm64` and dotnet `-a amd64|arm64`: the value is already Docker\'s name for the ' +
        'architecture, so `$TARGETARCH` gives the same value on that platform and the right one on the others (`ARG ' +
        'TARGETARCH` is added to the stage when it is missing). Unsafe for other `GOARCH` values or when a target is ' +
        '`linux/arm/*` (Go then needs `GOARM` from `$TARGETVARIANT`), for dotnet `-a x64` (SDKs before 7.0.200 do not ' +
        'accept Docker\'s `amd64`) and `-r linux-x64` (rewritten to `-a $TARGETARCH`, which takes the OS and libc from the ' +
        'SDK image), and for `linux-amd64` / `arm64` in download URLs: the project may name its other architectures ' +
        'differently (`x86_64`, `x64`), and a tool that runs during the build in a `$BUILDPLATFORM` stage needs ' +
        '`$BUILDARCH`, not `$TARGETARCH`. The same word in other arguments of that `RUN` (the unpacked `linux-amd64/` ' +
        'directory) is rewritten with it. Display-only for `x86_64` / `aarch64` URLs in a target-platform stage ' +
        '(`$(uname -m)`, which prints the target\'s name there); no fix for them elsewhere, for `cargo --target` ' +
        '(use `xx-cargo`, which picks the triple) or inside single quotes.',
      references: [
        'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
        'https://docs.docker.com/build/building/variables/#pre-defined-build-arguments',
        'https://github.com/tonistiigi/xx',
      ],
    },
  },
  check({ model, report }) {
    if (isPerArchFile(model)) return;
    const perArch = perArchStages(model);
    for (const stage of model.stages) {
      if (stage.reachableFor.length === 0 || perArch.has(stage.index)) continue;
      const targetArchs = stage.reachableFor.map((t) => parsePlatform(t)?.arch ?? '');
      const targetOses = new Set(stage.reachableFor.map((t) => parsePlatform(t)?.os ?? ''));
      const findings = collect(model, stage, targetOses);
      // A stage that names several architectures of one kind builds a matrix on purpose.
      const archsByFamily = new Map<string, Set<string>>();
      for (const f of findings) (archsByFamily.get(f.family) ?? archsByFamily.set(f.family, new Set()).get(f.family)!).add(f.arch);
      const reported = new Set<number>();
      const reports: (Report & { instructionStart: number })[] = [];
      for (const f of findings) {
        if (archsByFamily.get(f.family)!.size > 1) continue;
        // `sh -c "$(wget ...)"` reads the inner command twice (as a substitution and as the sh script).
        if (reported.has(f.start)) continue;
        reported.add(f.start);
        if (targetArchs.every((a) => a === f.arch)) continue;
        let fix: Fix | undefined;
        if (f.fix) {
          const edits = [...f.fix.edits];
          if (f.fix.needsTargetArch && !argDeclaredBefore(model, stage, 'TARGETARCH', f.instructionStart)) {
            edits.push(declareArgs(model, stage, ['TARGETARCH']));
          }
          let safety = f.fix.safety;
          if (safety === 'safe' && f.family === 'go' && targetArchs.includes('arm')) safety = 'unsafe';
          fix = { title: f.fix.title, safety, edits };
        }
        reports.push({
          messageId: f.family === 'download' ? 'download' : 'hardcoded',
          data: { text: f.text, arch: f.arch, platforms: stage.reachableFor.join(', ') },
          start: f.start,
          end: f.end,
          fix,
          instructionStart: f.instructionStart,
        });
      }
      const byInstruction = new Map<number, Report[]>();
      for (const r of reports) (byInstruction.get(r.instructionStart) ?? byInstruction.set(r.instructionStart, []).get(r.instructionStart)!).push(r);
      // One Fix object per instruction, shared by its findings: the engine applies it once.
      const fixes = new Map([...byInstruction].map(([at, list]) => [at, wholeInstructionFix(list)]));
      for (const { instructionStart, ...r } of reports) report({ ...r, fix: fixes.get(instructionStart) });
    }
  },
});

type Family = 'go' | 'dotnet' | 'rust' | 'download';

interface Finding {
  family: Family;
  /** The literal as written, for the message. */
  text: string;
  /** Docker's name for the architecture it names. */
  arch: string;
  start: number;
  end: number;
  instructionStart: number;
  fix?: { title: string; safety: FixSafety; edits: Edit[]; needsTargetArch: boolean };
}

const GO_ARCHS = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64le', 'mips64', 'mipsle', 'mips']);
const DOTNET_ARCHS: Record<string, string> = { x64: 'amd64', amd64: 'amd64', x86: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64le: 'ppc64le', riscv64: 'riscv64', loongarch64: 'loong64' };
const DOTNET_RID = /^(linux|linux-musl|linux-bionic)-(x64|x86|arm64|arm|s390x|ppc64le|riscv64|loongarch64)$/;
const RUST_ARCHS: Record<string, string> = {
  x86_64: 'amd64', aarch64: 'arm64', arm: 'arm', armv7: 'arm', armv6: 'arm', thumbv7neon: 'arm', i686: '386', i586: '386',
  powerpc64le: 'ppc64le', s390x: 's390x', riscv64gc: 'riscv64', loongarch64: 'loong64',
};
const URL_ARCHS: Record<string, string> = { amd64: 'amd64', arm64: 'arm64', x86_64: 'amd64', aarch64: 'arm64' };
/** An architecture in a file name: `linux-amd64`, `_arm64.deb`, `x86_64.tar.xz` (not `$arm64` or `foo_amd64x`). */
const URL_TOKEN = /(?<![A-Za-z0-9${])((?:linux[-_])?)(amd64|arm64|x86_64|aarch64)(?![A-Za-z0-9])/g;
/** A URL for another OS is a deliberate download (a client for users' machines), not the image's own tool. */
const FOREIGN_OS = /darwin|macos|windows|freebsd|mingw|(?<![a-z])(osx|win32|win64)(?![a-z])/i;
/** Variables and commands that show a RUN choosing by architecture itself (`case $TARGETARCH in ...`). */
const ARCH_VARIABLES = new Set(['TARGETARCH', 'TARGETPLATFORM', 'TARGETVARIANT', 'BUILDARCH', 'BUILDPLATFORM']);
const EXPORTERS = new Set(['export', 'declare', 'typeset', 'readonly', 'local']);
const PER_ARCH_NAME = /amd64|arm64|x86_64|x86-64|aarch64|armv[5-8]|armhf|armel|i386|386|ppc64le|s390x|riscv64|x64/;

/** Stages selected for one target only (`FROM base_${TARGETARCH}`) or named after an architecture. */
/**
 * One fix for every constant of an instruction: a URL and its checksum URL change together or not
 * at all (a half-applied rewrite, whose rest the next pass no longer reports, breaks the download).
 */
function wholeInstructionFix(reports: Report[]): Fix | undefined {
  if (reports.some((r) => !r.fix)) return undefined;
  if (reports.length === 1) return reports[0].fix;
  const rank: Record<FixSafety, number> = { safe: 2, unsafe: 1, 'display-only': 0 };
  const edits = new Map<string, Edit>();
  for (const r of reports) for (const e of r.fix!.edits) edits.set(`${e.start}:${e.end}:${e.text}`, e);
  const safety = reports.map((r) => r.fix!.safety).reduce((a, b) => (rank[b] < rank[a] ? b : a));
  return { title: [...new Set(reports.map((r) => r.fix!.title))].join('; '), safety, edits: [...edits.values()] };
}

/** Docker's per-architecture repositories (`arm64v8/debian`) and tags that name one (`:10.0-noble-arm64v8`). */
const ARCH_REPOSITORY = /^(docker\.io\/)?(amd64|arm64v8|arm32v[5-7]|i386|ppc64le|s390x|riscv64|mips64le|windows-amd64)\//;
const ARCH_TAG = /[:-](amd64|arm64v8|arm64|arm32v[5-7]|aarch64|x86_64|ppc64le|s390x)$/;

/**
 * A Dockerfile written for one architecture (`amd64/Dockerfile` with `FROM amd64/buildpack-deps`):
 * it is built once per architecture, never for several platforms, so its constants are deliberate.
 */
function isPerArchFile(model: Model): boolean {
  return model.stages.some((s) => {
    const image = s.base.kind === 'image' ? s.base.image : s.base.kind === 'variable' ? s.base.text : '';
    return ARCH_REPOSITORY.test(image) || ARCH_TAG.test(image.split('@')[0]);
  });
}

function perArchStages(model: Model): Set<number> {
  const out = new Set<number>();
  for (const stage of model.stages) {
    if (stage.base.kind === 'variable') for (const c of stage.base.candidates) out.add(c);
    if (stage.name && PER_ARCH_NAME.test(stage.name.toLowerCase())) out.add(stage.index);
  }
  return out;
}

function collect(model: Model, stage: Stage, targetOses: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const runs = new Map(stage.runs.map((r) => [r.instruction as Instruction, r]));
  const envs = stage.instructions.filter((i) => i.getKeyword() === 'ENV').flatMap((i) => envDeclarations(model, i).map((e) => ({ ...e, instruction: i })));
  const foreignEnvOs = envs.some((e) => e.name === 'GOOS' && isLiteral(e.value) && !targetOses.has(e.value));
  for (const env of envs) {
    if (env.name !== 'GOARCH' || foreignEnvOs || !GO_ARCHS.has(env.value)) continue;
    const raw = model.source.text.slice(env.start, env.end);
    const legacy = raw[env.name.length] !== '=';
    findings.push(goFinding(env.value, env.start, env.end, instructionStart(model, env.instruction), legacy ? 'GOARCH $TARGETARCH' : 'GOARCH=$TARGETARCH', raw));
  }
  for (const instruction of stage.instructions) {
    const run = runs.get(instruction);
    if (run) append(findings, fromRun(model, stage, run, targetOses));
    else if (instruction.getKeyword() === 'ADD') append(findings, fromAdd(model, instruction));
  }
  return findings;
}

function isLiteral(value: string): boolean {
  return value !== '' && !value.includes('$') && !value.includes('`');
}

function goFinding(arch: string, start: number, end: number, at: number, replacement: string, text: string): Finding {
  const safety: FixSafety = arch === 'amd64' || arch === 'arm64' ? 'safe' : 'unsafe';
  return {
    family: 'go',
    text,
    arch,
    start,
    end,
    instructionStart: at,
    fix: { title: 'Use GOARCH=$TARGETARCH', safety, edits: [{ start, end, text: replacement }], needsTargetArch: true },
  };
}

function fromRun(model: Model, stage: Stage, run: RunStep, targetOses: Set<string>): Finding[] {
  const script = run.script;
  if (script.vars.some((v) => ARCH_VARIABLES.has(v.name))) return [];
  if (run.commands.some((c) => c.kind === 'probe' || c.name === 'xx-info')) return [];
  const at = instructionStart(model, run.instruction);
  const text = model.source.text;
  const findings: Finding[] = [];
  for (const command of run.commands) {
    // GOARCH=amd64 go build / env GOARCH=amd64 ... / export GOARCH=amd64 / go env -w GOARCH=amd64
    const assignments = [...command.assignments];
    const exported = command.name !== null && (EXPORTERS.has(command.name) || (command.name === 'go' && command.words[1]?.value === 'env'));
    if (exported) {
      for (const w of command.words.slice(1)) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
        if (m) assignments.push({ name: m[1], value: m[2], start: w.start, end: w.end });
      }
    }
    const foreignOs = assignments.some((a) => a.name === 'GOOS' && isLiteral(a.value) && !targetOses.has(a.value));
    for (const a of assignments) {
      if (a.name !== 'GOARCH' || foreignOs || !GO_ARCHS.has(a.value)) continue;
      findings.push(goFinding(a.value, a.start, a.end, at, 'GOARCH=$TARGETARCH', text.slice(a.start, a.end)));
    }
    if (command.name === 'dotnet') append(findings, fromDotnet(command, at));
    if (command.name === 'cargo' || command.name === 'cross' || command.name === 'rustc') append(findings, fromRust(command, at));
    if ((command.name === 'curl' || command.name === 'wget') && command.kind === 'download') {
      for (const word of command.words.slice(1)) {
        if (!word.value.includes('://') || FOREIGN_OS.test(word.value)) continue;
        findings.push(...fromUrl(model, run, word, at, stage.platform.kind === 'target'));
      }
    }
  }
  return findings;
}

/** `-a x64`, `--arch=arm64`, `-r linux-x64`, `--runtime linux-musl-arm64`. */
function fromDotnet(command: ShellCommand, at: number): Finding[] {
  const words = command.words;
  const os = words.findIndex((w) => w.value === '--os');
  if (os >= 0 && !/^linux(-musl)?$/.test(words[os + 1]?.value ?? '')) return [];
  const hasArch = words.some((w) => /^(-a|--arch)([=:].*)?$/.test(w.value));
  const findings: Finding[] = [];
  for (let i = 1; i < words.length; i++) {
    const m = /^(-a|--arch|-r|--runtime)(?:[=:](.*))?$/.exec(words[i].value);
    if (!m) continue;
    const joined = m[2] !== undefined;
    const valueWord = joined ? null : words[i + 1];
    const value = joined ? m[2] : valueWord?.value ?? '';
    const end = valueWord ? valueWord.end : words[i].end;
    const shown = joined ? words[i].value : `${words[i].value} ${value}`;
    if (m[1] === '-a' || m[1] === '--arch') {
      const arch = DOTNET_ARCHS[value];
      if (!arch) continue;
      const edits: Edit[] = valueWord ? [{ start: valueWord.start, end: valueWord.end, text: '$TARGETARCH' }] : [{ start: words[i].start, end: words[i].end, text: `${m[1]}=$TARGETARCH` }];
      const safety: FixSafety = value === 'amd64' || value === 'arm64' ? 'safe' : 'unsafe';
      findings.push({ family: 'dotnet', text: shown, arch, start: words[i].start, end, instructionStart: at, fix: { title: `Use ${m[1]} $TARGETARCH`, safety, edits, needsTargetArch: true } });
    } else {
      const rid = DOTNET_RID.exec(value);
      if (!rid) continue;
      const arch = DOTNET_ARCHS[rid[2]];
      const finding: Finding = { family: 'dotnet', text: shown, arch, start: words[i].start, end, instructionStart: at };
      if (rid[1] !== 'linux-bionic' && !hasArch) {
        const flag = rid[1] === 'linux-musl' ? '--os linux-musl -a' : '-a';
        const edits: Edit[] = valueWord
          ? [{ start: words[i].start, end: words[i].end, text: flag }, { start: valueWord.start, end: valueWord.end, text: '$TARGETARCH' }]
          : [{ start: words[i].start, end: words[i].end, text: `${flag} $TARGETARCH` }];
        finding.fix = { title: `Replace ${shown} with ${flag} $TARGETARCH`, safety: 'unsafe', edits, needsTargetArch: true };
      }
      findings.push(finding);
    }
  }
  return findings;
}

/** `cargo build --target x86_64-unknown-linux-gnu` (no fix: Rust names targets by triple; `xx-cargo` picks it). */
function fromRust(command: ShellCommand, at: number): Finding[] {
  const words = command.words;
  const findings: Finding[] = [];
  for (let i = 1; i < words.length; i++) {
    const m = /^--target(?:=(.*))?$/.exec(words[i].value);
    if (!m) continue;
    const valueWord = m[1] === undefined ? words[i + 1] : null;
    const triple = m[1] ?? valueWord?.value ?? '';
    if (!/-linux-/.test(triple)) continue;
    const arch = RUST_ARCHS[triple.split('-')[0]];
    if (!arch) continue;
    const shown = valueWord ? `${words[i].value} ${triple}` : words[i].value;
    findings.push({ family: 'rust', text: shown, arch, start: words[i].start, end: valueWord ? valueWord.end : words[i].end, instructionStart: at });
  }
  return findings;
}

/**
 * Architecture names in a download URL: a word of a RUN (`run` given), or an ADD source (no shell:
 * no command substitution, no quoting). `targetStage`: the stage runs on the target platform.
 */
function fromUrl(model: Model, run: RunStep | null, word: ShellWord, at: number, targetStage: boolean): Finding[] {
  const text = model.source.text;
  const raw = text.slice(word.start, word.end);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const m of raw.matchAll(URL_TOKEN)) {
    const literal = m[0];
    if (seen.has(literal)) continue;
    seen.add(literal);
    const token = m[2];
    const arch = URL_ARCHS[token];
    const start = word.start + m.index!;
    const finding: Finding = { family: 'download', text: literal, arch, start, end: start + literal.length, instructionStart: at };
    const archStart = start + m[1].length;
    if (token === 'amd64' || token === 'arm64') {
      // Every occurrence in this URL, and in the other words of the RUN (`tar -C /tmp && cp /tmp/linux-amd64/helm`).
      const words = [word, ...(run ? archWordsOf(run).filter((w) => w.value.includes(literal)) : [])];
      const edits = new Map<number, Edit>();
      let quoted = false;
      for (const w of words) {
        for (const o of occurrencesIn(text.slice(w.start, w.end), literal)) {
          const tokenAt = w.start + o + m[1].length;
          if (edits.has(tokenAt)) continue;
          if (run && insideSingleQuotes(text, w.start, tokenAt)) quoted = true;
          const next = text[tokenAt + token.length] ?? '';
          edits.set(tokenAt, { start: tokenAt, end: tokenAt + token.length, text: /[A-Za-z0-9_]/.test(next) ? '${TARGETARCH}' : '$TARGETARCH' });
        }
      }
      if (!quoted) {
        const sorted = [...edits.values()].sort((a, b) => a.start - b.start);
        finding.fix = { title: `Use ${m[1]}$TARGETARCH in the download`, safety: 'unsafe', edits: sorted, needsTargetArch: true };
      }
    } else if (run && targetStage && !insideSingleQuotes(text, word.start, archStart)) {
      finding.fix = {
        title: 'Use $(uname -m) in the download (it prints the target\'s name in a target-platform stage)',
        safety: 'display-only',
        edits: [{ start: archStart, end: archStart + token.length, text: '$(uname -m)' }],
        needsTargetArch: false,
      };
    }
    findings.push(finding);
  }
  return findings;
}

/** The words of a RUN, other than URLs, that name amd64 or arm64: read once per RUN, not once per URL. */
const archWordsOf = derivedFact('arch words', (run: RunStep): ShellWord[] =>
  run.commands.flatMap((c) => c.words).filter((w) => !w.value.includes('://') && /amd64|arm64/.test(w.value)),
);

function fromAdd(model: Model, instruction: Instruction): Finding[] {
  const json = (instruction as Run).getJSONStrings();
  const args = json.length > 0
    ? json.map((s) => ({ value: s.getJSONValue(), range: s.getRange() }))
    : instruction.getArguments().map((a) => ({ value: a.getValue(), range: a.getRange() }));
  const at = instructionStart(model, instruction);
  const findings: Finding[] = [];
  for (const source of args.slice(0, -1)) {
    if (!source.value.includes('://') || FOREIGN_OS.test(source.value)) continue;
    const word = { value: source.value, start: offsetAt(model.source, source.range.start), end: offsetAt(model.source, source.range.end) };
    findings.push(...fromUrl(model, null, word, at, false));
  }
  return findings;
}

function occurrencesIn(raw: string, literal: string): number[] {
  const out: number[] = [];
  for (let i = raw.indexOf(literal); i >= 0; i = raw.indexOf(literal, i + 1)) {
    const before = raw[i - 1] ?? '';
    const after = raw[i + literal.length] ?? '';
    if (!/[A-Za-z0-9${]/.test(before) && !/[A-Za-z0-9]/.test(after)) out.push(i);
  }
  return out;
}

/** Whether an offset of a shell word sits inside single quotes (where `$TARGETARCH` would stay literal). */
function insideSingleQuotes(text: string, wordStart: number, offset: number): boolean {
  let single = false;
  let double = false;
  for (let i = wordStart; i < offset; i++) {
    const c = text[i];
    if (single) {
      if (c === "'") single = false;
    } else if (c === '\\') i++;
    else if (c === '"') double = !double;
    else if (c === "'" && !double) single = true;
  }
  return single;
}
