/** `xlint [paths]`: lint, `--fix`, `--diff`, `--stdin`, `--statistics`, `-o`. Translates files and flags into engine calls. */
import { dirname, resolve } from 'node:path';
import { INVALID_DOCKERFILE, type LintOptions } from '../core/lint';
import type { ImageIndex } from '../core/images';
import type { Diagnostic, Severity } from '../core/rule';
import { DEFAULT_PLATFORMS } from '../config/platforms';
import { rules } from '../rules/index';
import { isDirectory, readContextScripts, readDotnetContext } from '../host/context';
import { useColor } from './color';
import { findConfig, ignoringPattern, isIgnored, loadConfig, ruleSettings, type LoadedConfig } from './config';
import { EXIT } from './exit-codes';
import { FixWriter } from './fix-writer';
import { DEFAULT_CACHE_LOCATION, LintCache } from './lint-cache';
import { TOOL_VERSION } from '../core/version';
import { analyse, type Analysis, type AnalysisRequest } from './analyse';
import { LintWorkers, workersFor } from './parallel-lint';
import { FORMATS_READING_SOURCE, formatters } from './formats/index';
import { decodeDockerfile, discover, readDockerfile, readStdin } from './inputs';
import { writeOutputFile } from './output-file';
import { summarize, type FileReport } from './report';
import { formatStatisticsJson, formatStatisticsText, statistics } from './statistics';

export interface LintCommandOptions {
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  platform?: string[];
  buildPlatform: string;
  /** True when --build-platform was given: it then beats the config file. */
  buildPlatformGiven?: boolean;
  target?: string;
  /** --context: the build context of every file linted (default: each Dockerfile's directory). */
  context?: string;
  format: string;
  /** --color / --no-color; undefined: NO_COLOR, FORCE_COLOR, then whether the output is a terminal. */
  color?: boolean;
  quiet?: boolean;
  severity?: Severity;
  exitZero?: boolean;
  maxWarnings?: number;
  failureThreshold?: Severity;
  config?: string;
  stdin?: boolean;
  stdinFilename?: string;
  reportUnusedIgnores?: boolean;
  /** false with --no-ignore: .gitignore, .ignore and the config's `ignore` leave nothing out. */
  ignoreFiles?: boolean;
  /** Rule ids (ours, resolved from mirrored ones): --select replaces the enabled set, --extend-select adds, --ignore removes. */
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  /** Counts per rule instead of the findings. */
  statistics?: boolean;
  /** Write the report (or diff, or statistics) here, atomically, instead of to stdout. */
  outputFile?: string;
  /** The tool's version, for the documentation URLs in the output. */
  version?: string;
  /** The running bundle's content hash, when the launcher knows it (--cache keys hold it). */
  bundleHash?: string;
  /** Called once the files are known, when there are several (the launcher's V8 tuning). */
  longRun?: () => void;
  /** Ask the registries about the images the builds pull (rule base-image-platform); `offline`: from the cache only. */
  checkImages?: boolean;
  offline?: boolean;
  /** Keep each file's findings between runs (lint only), in this file (default .xlint_cache/findings.json). */
  cache?: boolean;
  cacheLocation?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
/** Files read and analysed at a time. */
const WINDOW = 1024;

export async function runLint(patterns: string[], given: LintCommandOptions): Promise<number> {
  const cwd = process.cwd();
  // `xlint -` reads standard input, as `ruff check -`, `hadolint -` and `eslint --stdin` do.
  const options = patterns.includes('-') ? { ...given, stdin: true } : given;
  if (patterns.includes('-') && patterns.length > 1) {
    process.stderr.write('xlint: "-" (standard input) cannot be combined with paths\n');
    return EXIT.usage;
  }
  const explicitConfig = options.config ? loadConfig(resolve(options.config)) : null;
  // Per directory as the file names give it: a tree of 1,000 files in a few folders resolves a few paths, not 2,000.
  const configByDirectory = new Map<string, LoadedConfig | null>();
  const configFor = (file: string): LoadedConfig | null => {
    if (explicitConfig) return explicitConfig;
    const directory = dirname(file);
    let config = configByDirectory.get(directory);
    if (config === undefined) configByDirectory.set(directory, (config = findConfig(resolve(cwd, directory))));
    return config;
  };
  // One engine options object per config file (a tree of many files has few configs); read-only from here on.
  const engines = new Map<LoadedConfig | null, LintOptions>();
  const engineOf = (loaded: LoadedConfig | null): LintOptions => {
    let engine = engines.get(loaded);
    if (!engine) {
      const config = loaded?.config ?? {};
      const settings = ruleSettings(config);
      engine = {
        rules,
        ...settings,
        severities: selectRules(settings.severities, options),
        buildPlatform: options.buildPlatformGiven ? options.buildPlatform : (config.buildPlatform ?? options.buildPlatform),
        targetPlatforms: options.platform ?? config.platforms ?? [...DEFAULT_PLATFORMS],
        target: options.target,
      };
      engines.set(loaded, engine);
    }
    return engine;
  };
  const engineFor = (file: string): LintOptions => engineOf(configFor(file));
  // Where the files the engine asks for are read (.NET project files, the scripts RUN executes), as `docker build` takes its context.
  const contextDirectory = options.context !== undefined ? resolve(cwd, options.context) : null;
  if (contextDirectory !== null && !isDirectory(contextDirectory)) {
    process.stderr.write(`xlint: --context ${options.context}: not a directory\n`);
    return EXIT.usage;
  }
  const contextDirOf = (file: string): string => contextDirectory ?? dirname(file);

  const reports: FileReport[] = [];
  const diffs: string[] = [];
  let fixedStdin: string | null = null;
  // --check-images: the registries' answers for every checked file, asked before the lint (the engine does no I/O).
  const images = { index: undefined as ImageIndex | undefined, failed: false, checked: new Set<string>() };
  const askRegistries = async (inputs: { file: string; text: string }[]) => {
    const { checkImagesSettings, fetchImages } = await import('./check-images');
    const checked = inputs.flatMap(({ file, text }) => {
      const settings = checkImagesSettings(options, configFor(file)?.config);
      return settings ? [{ file, text, engine: engineFor(file), settings }] : [];
    });
    if (checked.length === 0) return;
    for (const { file } of checked) images.checked.add(file);
    const run = await fetchImages(checked, (message) => process.stderr.write(`xlint: warning: ${message}\n`));
    images.index = run.images;
    images.failed = run.failed;
  };
  const withImages = (file: string, engine: LintOptions): LintOptions => (images.checked.has(file) ? { ...engine, images: images.index } : engine);

  if (options.stdin) {
    const name = options.stdinFilename ?? '<stdin>';
    let text: string;
    try {
      text = decodeDockerfile(name, await readStdin());
    } catch (error) {
      reports.push(failed(name, (error as Error).message));
      return finish(reports, diffs, options);
    }
    if (options.checkImages || options.offline || configFor(options.stdinFilename ?? 'Dockerfile')?.config.checkImages) await askRegistries([{ file: options.stdinFilename ?? 'Dockerfile', text }]);
    const { request } = prepare(name, contextDirOf(name), text, withImages(options.stdinFilename ?? 'Dockerfile', engineFor(options.stdinFilename ?? 'Dockerfile')), options, null);
    const report = reportOf(request!, analyse(request!), options, diffs, null);
    if (options.fix && !options.diff) fixedStdin = report.source;
    reports.push(report);
  } else {
    const { files, named, errors, warnings, roots } = discover(patterns, cwd, { ignoreFiles: options.ignoreFiles !== false });
    if (files.length > 1) options.longRun?.();
    for (const warning of warnings) process.stderr.write(`xlint: warning: ${warning}\n`);
    reports.push(...errors.map((e) => failed(e.path, e.message)));
    const writer = new FixWriter(roots);
    // --cache keeps lint findings only: --fix and --diff always analyse.
    const cache = options.cache && !options.fix && !options.diff ? LintCache.open(options.cacheLocation ?? DEFAULT_CACHE_LOCATION, { version: options.version ?? TOOL_VERSION, bundleHash: options.bundleHash }, !!options.reportUnusedIgnores) : null;
    // Formats that print a file's text (JSON's edits, SARIF's snippets) read even a file the cache vouches for.
    const readsSource = FORMATS_READING_SOURCE.has(options.format);
    if (options.checkImages || options.offline || files.some((file) => configFor(file)?.config.checkImages)) {
      const inputs: { file: string; text: string }[] = [];
      for (const file of files) {
        try {
          inputs.push({ file, text: readDockerfile(file) });
        } catch {
          // reported by the lint below
        }
      }
      await askRegistries(inputs);
    }
    // Files are read and analysed in windows (memory stays bounded on any tree); the analyses of a
    // window run in lint workers when the run is large enough to pay for them (parallel-lint.ts).
    const workerCount = workersFor(files.length);
    const workers = workerCount > 0 ? new LintWorkers(workerCount) : null;
    try {
      for (let start = 0; start < files.length; start += WINDOW) {
        const window: { file: string; text: string; report?: FileReport; request?: AnalysisRequest }[] = [];
        for (const file of files.slice(start, start + WINDOW)) {
          const loaded = configFor(file);
          if (options.ignoreFiles !== false && loaded && isIgnored(loaded.path, loaded.config, resolve(cwd, file))) {
            // As ESLint does: a file named on the command line is not skipped without a word.
            if (named.has(file)) process.stderr.write(`xlint: warning: ${file}: file ignored because of a matching ignore pattern "${ignoringPattern(loaded, resolve(cwd, file))}" in ${loaded.path}\n`);
            continue;
          }
          const given = withImages(file, engineOf(loaded));
          const unchanged = cache && !given.images ? cache.lookupUnread(file, given, contextDirOf(file)) : undefined;
          if (unchanged && !readsSource) {
            window.push({ file, text: '', report: cachedReport(file, unchanged, '', options) });
            continue;
          }
          let text: string;
          try {
            text = readDockerfile(file);
          } catch (error) {
            window.push({ file, text: '', report: failed(file, (error as Error).message) });
            continue;
          }
          const prepared = prepare(file, contextDirOf(file), text, given, options, cache);
          window.push({ file, text, ...prepared });
        }
        const requests = window.flatMap((w) => (w.request ? [w.request] : []));
        const analyses = workers ? await workers.run(requests) : requests.map(analyse);
        let next = 0;
        for (const item of window) {
          const report = item.report ?? reportOf(item.request!, analyses[next++], options, diffs, cache);
          if (options.fix && !options.diff && report.source !== item.text && !report.error) {
            try {
              writer.write(item.file, item.text, report.source);
            } catch (error) {
              reports.push(failed(item.file, (error as Error).message));
              continue;
            }
          }
          reports.push(report);
        }
      }
    } finally {
      workers?.close();
    }
    cache?.save((message) => process.stderr.write(`xlint: warning: ${message}\n`));
  }
  if (fixedStdin !== null) {
    // Like `ruff check --fix -`: the fixed text on stdout, the findings on stderr.
    process.stdout.write(fixedStdin);
    return registryExit(finish(reports, diffs, options, process.stderr), images.failed);
  }
  return registryExit(finish(reports, diffs, options), images.failed);
}

/** With `"checkImages": {"failOnRegistryError": true}`, a registry that could not be asked is exit 3 (as in verify), unless the run is already a usage error. */
function registryExit(code: number, registryFailed: boolean): number {
  return registryFailed && code !== EXIT.usage ? EXIT.unavailable : code;
}

/**
 * What one file needs before its analysis: the build context (read only for .NET builds, so a large
 * tree walks no extra folders), and the cached findings when --cache has them.
 */
function prepare(file: string, contextDir: string, text: string, given: LintOptions, options: LintCommandOptions, cache: LintCache | null): { report?: FileReport; request?: AnalysisRequest } {
  // No scripts yet: the analysis names the ones it wants (Analysis.contextWanted), read after it.
  const context = { ...readDotnetContext(text, contextDir), scripts: {} };
  const { rules: _rules, ...engine } = { ...given, context };
  const request: AnalysisRequest = {
    file,
    text,
    contextDir,
    engine,
    fix: !!options.fix,
    diff: !!options.diff,
    unsafeFixes: !!options.unsafeFixes,
    reportUnusedIgnores: !!options.reportUnusedIgnores,
  };
  // Registry answers change without the file: a run that has them is never cached (nor is a fix: no cache then).
  if (cache && !engine.images) {
    const cached = cache.get(file, text, engine, contextDir);
    if (cached) return { report: cachedReport(file, cached, text, options) };
  }
  return { request };
}

/** The report of findings the cache answered (`source`: the text, when it was read). */
function cachedReport(file: string, diagnostics: Diagnostic[], source: string, options: LintCommandOptions): FileReport {
  return filtered({ filePath: file, diagnostics, source, fixedCount: 0 }, options);
}

/** The report of an analysis; records it in the cache and the diffs, warns of fixes that did not settle. */
function reportOf(request: AnalysisRequest, analysis: Analysis, options: LintCommandOptions, diffs: string[], cache: LintCache | null): FileReport {
  if (analysis.contextWanted) ({ request, analysis } = withContextScripts(request, analysis.contextWanted));
  if (analysis.diff) diffs.push(analysis.diff);
  if (analysis.unsettledAfter !== undefined) process.stderr.write(`xlint: ${request.file}: fixes did not settle after ${analysis.unsettledAfter} passes; the rest are left as findings\n`);
  if (cache && !request.engine.images) cache.set(request.file, request.text, request.engine, analysis.diagnostics);
  return filtered({ filePath: request.file, diagnostics: analysis.diagnostics, source: analysis.source, fixedCount: analysis.fixedCount }, options);
}

/** The analysis again, given the build-context scripts that its RUN steps execute (rare: read only when asked). */
function withContextScripts(request: AnalysisRequest, wanted: string[]): { request: AnalysisRequest; analysis: Analysis } {
  const context = { ...request.engine.context, scripts: readContextScripts(request.contextDir, wanted) };
  const again = { ...request, engine: { ...request.engine, context } };
  return { request: again, analysis: analyse(again) };
}

function filtered(report: FileReport, options: LintCommandOptions): FileReport {
  const lowest = options.quiet ? 'error' : options.severity;
  return lowest ? { ...report, diagnostics: report.diagnostics.filter((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[lowest]) } : report;
}

/**
 * The command line's rule selection over the config's severities, with Ruff's meaning: `--select`
 * enables exactly its rules (one the config turned off too), `--extend-select` adds to the enabled
 * set, `--ignore` removes from it and wins over both. A rule enabled here keeps its configured severity.
 */
export function selectRules(severities: Record<string, Severity | 'off'>, options: Pick<LintCommandOptions, 'select' | 'extendSelect' | 'ignore'>): Record<string, Severity | 'off'> {
  if (!options.select && !options.extendSelect && !options.ignore) return severities;
  const out = { ...severities };
  const enable = (id: string) => {
    if (out[id] === 'off') delete out[id];
  };
  if (options.select) {
    for (const rule of rules) {
      if (options.select.includes(rule.meta.id)) enable(rule.meta.id);
      else out[rule.meta.id] = 'off';
    }
  }
  for (const id of options.extendSelect ?? []) enable(id);
  for (const id of options.ignore ?? []) out[id] = 'off';
  return out;
}

function finish(reports: FileReport[], diffs: string[], options: LintCommandOptions, out: NodeJS.WritableStream = process.stdout): number {
  for (const r of reports) if (r.error) process.stderr.write(`xlint: ${r.filePath}: ${r.error}\n`);
  const summary = summarize(reports);
  const text = render(reports, diffs, options, out);
  if (options.outputFile) {
    try {
      writeOutputFile(options.outputFile, text);
    } catch (error) {
      process.stderr.write(`xlint: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  } else out.write(text);

  const invalid = reports.some((r) => r.diagnostics.some((d) => d.ruleId === INVALID_DOCKERFILE));
  if (summary.failedFiles > 0 || invalid) return EXIT.usage;
  if (options.exitZero) return EXIT.ok;
  // As in Ruff (and gofmt -d): a diff means the files are not as they should be.
  if (options.diff && diffs.length > 0) return EXIT.findings;
  // With --max-warnings, warnings fail only past that count (as in ESLint).
  const threshold = SEVERITY_RANK[options.failureThreshold ?? 'warning'];
  const counts = (d: Diagnostic) => SEVERITY_RANK[d.severity] >= threshold && !(options.maxWarnings !== undefined && d.severity === 'warning');
  if (reports.some((r) => r.diagnostics.some(counts))) return EXIT.findings;
  if (options.maxWarnings !== undefined && summary.warnings > options.maxWarnings) {
    process.stderr.write(`xlint: too many warnings (${summary.warnings}; --max-warnings is ${options.maxWarnings})\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

/** What the run prints: the diff with --diff, else the statistics with --statistics, else the report in its format. */
function render(reports: FileReport[], diffs: string[], options: LintCommandOptions, out: NodeJS.WritableStream): string {
  if (options.diff) return diffs.join('');
  if (options.statistics) {
    const stats = statistics(reports, { unsafeFixes: options.unsafeFixes, version: options.version });
    return options.format === 'json' ? formatStatisticsJson(stats) : formatStatisticsText(stats);
  }
  const formatter = formatters[options.format] ?? formatters.stylish;
  // A file gets colours only when asked for by --color.
  const color = options.outputFile ? options.color === true : useColor(options.color, out as NodeJS.WriteStream);
  return formatter(reports, { rules, cwd: process.cwd(), toolVersion: options.version ?? TOOL_VERSION, color, unsafeFixes: !!options.unsafeFixes });
}

function failed(filePath: string, error: string): FileReport {
  return { filePath, diagnostics: [], source: '', error, fixedCount: 0 };
}
