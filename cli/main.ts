/** The `xlint` command: translates arguments into engine calls and results into output and exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { platformOfNode } from '../core/platform';
import { TOOL_VERSION } from '../core/version';
import { ConfigError } from './config';
import { GRAPH_FORMATS, runExplainBuild, runGraph } from './explain-build-command';
import { noIgnoreOption } from './discover';
import { runLint, type LintCommandOptions } from './lint-command';
import { runLsp } from './lsp-command';
import { DEFAULT_PLATFORMS, platformProblem } from '../config/platforms';
import { EXIT } from './exit-codes';
import { formatNames } from './formats/index';
import { rules } from '../rules/index';
import { ruleForId } from './rule-ids';
import { runRules, runExplainRule } from './rules-command';

export { EXIT } from './exit-codes';
export { startLintWorker } from './parallel-lint';

/** Rule ids, comma-separated and repeatable; ours or the BuildKit / hadolint ids they mirror; `ALL` is every rule. */
function ruleIds(flag: string) {
  return (value: string, previous: string[] | undefined): string[] => {
    const ids = value.split(',').map((id) => id.trim());
    if (ids.some((id) => id === '')) throw new UsageError(`${flag} "${value}" has an empty entry (rule ids are separated by single commas)`);
    const resolved = ids.flatMap((id) => {
      if (id.toLowerCase() === 'all') return rules.map((r) => r.meta.id);
      const rule = ruleForId(id);
      if (!rule) throw new UsageError(`${flag}: unknown rule "${id}"; \`xlint rules\` lists them (BuildKit and hadolint ids are accepted for the rules that mirror them)`);
      return [rule.meta.id];
    });
    return [...new Set([...(previous ?? []), ...resolved])];
  };
}

function platformList(value: string): string[] {
  const list = value.split(',').map((p) => p.trim());
  if (list.every((p) => p === '')) throw new UsageError('--platform needs at least one platform');
  if (list.includes('')) throw new UsageError(`--platform "${value}" has an empty entry (platforms are separated by single commas)`);
  for (const p of list) platform(p);
  return list;
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-warnings needs a whole number, got "${value}"`);
  return Number(value);
}

function platform(value: string): string {
  const problem = platformProblem(value);
  if (problem) throw new UsageError(problem);
  return value;
}

export class UsageError extends Error {}

export function defaultBuildPlatform(): string {
  return platformOfNode(process.arch);
}

/** What the launcher knows of the running bundle. */
export interface BundleInfo {
  /** The content hash of dist/cli.js, computed at build time (the --cache keys hold it). */
  hash?: string;
  /** Tunes V8 for a longer run (cli/launcher.ts): called before a lint of several files, and by the language server. */
  longRun?: () => void;
}

export function createProgram(bundle: BundleInfo = {}): Command {
  const program = new Command('xlint')
    .description('Find the steps of a Dockerfile that make a multi-platform build slow (emulated) or wrong, and fix them.')
    .version(TOOL_VERSION, '-v, --version')
    .enablePositionalOptions()
    .argument('[paths...]', 'Dockerfiles, directories or globs (default: the current directory)')
    .option('--fix', 'write safe fixes to the files')
    .option('--unsafe-fixes', 'with --fix or --diff, also apply unsafe fixes')
    .option('--diff', 'print the fixes as a unified diff (exit 1 when there is one); write nothing')
    .option('--platform <platforms>', 'target platforms, comma-separated (default: linux/amd64,linux/arm64, or the config file)', platformList)
    .option('--build-platform <platform>', "the builder's platform (default: this machine's)", platform)
    .option('--target <stage>', 'the output stage (default: the last one)')
    .option('--context <dir>', "the build context, where .NET project files and the scripts RUN executes are read (default: each Dockerfile's directory)")
    .addOption(new Option('-f, --format <format>', 'output format').choices(formatNames).default('stylish'))
    .addOption(new Option('--output-format <format>', "Ruff's spelling of --format").choices(formatNames))
    .option('-o, --output-file <path>', 'write the report to this file (atomically: whole or not at all) instead of stdout')
    .option('--select <ids>', 'enable only these rules (comma-separated, repeatable; ALL for every rule)', ruleIds('--select'))
    .option('--extend-select <ids>', 'enable these rules too (comma-separated, repeatable)', ruleIds('--extend-select'))
    .option('--ignore <ids>', "disable these rules (comma-separated, repeatable); paths are ignored with the config's \"ignore\"", ruleIds('--ignore'))
    .addOption(new Option('--statistics', 'print the number of findings per rule instead of the findings (text, or JSON with --format json)').conflicts('diff'))
    .option('-c, --config <file>', 'use this config file instead of the nearest .xlintrc.json')
    .addOption(noIgnoreOption())
    .option('--stdin', 'lint standard input, as does the path "-" (with --fix: print the fixed text)')
    .option('--stdin-filename <name>', 'the name to report for standard input; also where to look for the config')
    .option('--color', 'colours even when not on a terminal')
    .option('--no-color', 'no colours, even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 forces them)')
    .option('-q, --quiet', 'report errors only (same as --severity error)')
    .addOption(new Option('--severity <severity>', 'report only findings of this severity or above').choices(['error', 'warning', 'info']))
    .option('--max-warnings <n>', 'fail when there are more than n warnings (warnings alone then pass)', count)
    .addOption(new Option('--failure-threshold <severity>', 'the lowest severity that makes the exit code 1 (default: warning; info findings never fail a run unless asked)').choices(['error', 'warning', 'info']))
    .option('--report-unused-ignores', 'report xlint, check=skip and hadolint suppressions that suppress nothing')
    .option('--exit-zero', 'exit 0 even when there are findings')
    .option('--check-images', 'ask the registries whether each pulled image has the platforms the build pulls it for (rule base-image-platform; uses the network; answers cached)')
    .option('--offline', 'with --check-images (implied): answer from the image cache only, ask no registry')
    .option('--cache', "keep each file's findings and analyse only what changed since the last run (lint only; not with --fix or --diff)")
    .option('--cache-location <file>', 'where --cache keeps them (default: .xlint_cache/findings.json in the current directory)')
    .addHelpText(
      'after',
      `
Examples:
  xlint                                   lint every Dockerfile under the current directory
  xlint --fix services/api/Dockerfile     rewrite it to cross-compile (safe fixes only)
  xlint --diff --unsafe-fixes .           show every fix, safe and unsafe, as a diff
  xlint --format json . > xlint.json      machine-readable findings
  xlint --select DL3029,hardcoded-arch .  only these rules
  xlint --statistics .                    how many findings per rule
  cat Dockerfile | xlint -                lint standard input
  xlint explain-build Dockerfile          on which platform each stage runs, and why it is slow
  xlint graph -f svg Dockerfile > build.svg  a picture of the stages (also -f mermaid, -f dot)

Exit codes: 0 no findings, 1 findings (or a diff printed by --diff), 2 bad usage, unreadable input or an output file not written.`,
    )
    .action(async (paths: string[], options: LintCommandOptions & { outputFormat?: string }) => {
      const { outputFormat, ...rest } = options;
      if (outputFormat !== undefined && program.getOptionValueSource('format') === 'cli' && outputFormat !== options.format) {
        throw new UsageError(`--format ${options.format} and --output-format ${outputFormat} disagree; give one`);
      }
      const format = outputFormat ?? options.format;
      if (options.statistics && !['stylish', 'concise', 'json'].includes(format)) {
        throw new UsageError(`--statistics prints text, or JSON with --format json; not --format ${format}`);
      }
      process.exitCode = await runLint(paths, {
        ...rest,
        format,
        buildPlatform: options.buildPlatform ?? defaultBuildPlatform(),
        buildPlatformGiven: options.buildPlatform !== undefined,
        version: TOOL_VERSION,
        bundleHash: bundle.hash,
        longRun: bundle.longRun,
      });
    });

  program
    .command('explain-build')
    .description('print the build model: per stage its platform, whether the build reaches it, its args and RUN commands')
    .argument('<dockerfile>', 'the Dockerfile')
    .option('--platform <platforms>', 'target platforms, comma-separated', platformList, [...DEFAULT_PLATFORMS])
    .option('--build-platform <platform>', "the builder's platform (default: this machine's)", platform)
    .option('--target <stage>', 'the output stage (default: the last one)')
    .option('--context <dir>', "the build context, where the scripts RUN executes are read (default: the Dockerfile's directory)")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((file: string, options) => {
      process.exitCode = runExplainBuild(file, { ...options, buildPlatform: options.buildPlatform ?? defaultBuildPlatform() });
    });

  program
    .command('graph')
    .description('print the stage graph (Mermaid, Graphviz DOT or SVG): where each stage runs, what it copies, what the build reaches')
    .argument('<dockerfile>', 'the Dockerfile')
    .option('--platform <platforms>', 'target platforms, comma-separated', platformList, [...DEFAULT_PLATFORMS])
    .option('--build-platform <platform>', "the builder's platform (default: this machine's)", platform)
    .option('--target <stage>', 'the output stage (default: the last one)')
    .addOption(new Option('-f, --format <format>', 'output format (svg: a picture drawn without Graphviz)').choices([...GRAPH_FORMATS]).default('mermaid'))
    .action((file: string, options) => {
      process.exitCode = runGraph(file, { ...options, buildPlatform: options.buildPlatform ?? defaultBuildPlatform() });
    });

  program
    .command('rules')
    .description('list the rules')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options) => {
      process.exitCode = runRules(options.format);
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule>', 'the rule id, or the id of a BuildKit check or hadolint rule it mirrors (DL3029, FromPlatformFlagConstDisallowed)')
    .action((id: string) => {
      process.exitCode = runExplainRule(id);
    });

  program
    .command('lsp')
    .description('run the language server (for editors: VS Code, Neovim, Emacs, ...)')
    .option('--stdio', 'talk LSP over stdin/stdout (the default)')
    .option('--node-ipc', 'talk LSP over a Node IPC channel')
    .allowUnknownOption() // editors add their own flags, e.g. --clientProcessId=123
    .action((options) => {
      bundle.longRun?.();
      process.exitCode = runLsp(options);
    });

  program
    .command('verify')
    .description('build for every target platform on a real builder (docker buildx, or docker with BuildKit) and check the output: ELF machines, emulated steps, times')
    .argument('[dockerfile]', 'the Dockerfile (default: ./Dockerfile; - reads it from stdin)')
    .option('--platform <platforms>', 'target platforms, comma-separated', platformList, [...DEFAULT_PLATFORMS])
    .option('--context <dir>', "the build context (default: the Dockerfile's directory)")
    .option('--target <stage>', 'the output stage (default: the last one)')
    .option('--builder <name>', 'a docker buildx builder (multi-node, Kubernetes, remote)')
    .option('--build-arg <KEY=VALUE>', 'a build arg; repeatable', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--compare', 'also build the --fix output (from stdin) and check it gives the same files, faster')
    .option('--against <dockerfile>', 'with --compare: compare with this Dockerfile instead of the --fix output')
    .option('--unsafe-fixes', 'with --compare, apply unsafe fixes too')
    .option('--image <ref>', "check a pushed image's manifest list instead of building: every platform present, configs agree")
    .option('--insecure', 'with --image: plain http for a registry not on 127.0.0.1/localhost')
    .option('--no-cache', 'build without the builder cache (--compare always does)')
    .option('--docker <path>', 'the docker CLI to use (default: the first on PATH that can build; env XLINT_DOCKER)')
    .option('--build-platform <platform>', "the builder's platform (default: what the builder reports)", platform)
    .option('-q, --quiet', 'no progress display')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 every platform passed, 1 a platform failed, 2 bad usage or unreadable input, 3 no usable builder or registry.')
    .action(async (file: string | undefined, options) => {
      // Its own bundle, loaded here only (a computed path: esbuild leaves it out of the CLI bundle).
      const bundle = require('node:path').join(__dirname, 'verify.js') as string;
      if (!require('node:fs').existsSync(bundle)) {
        process.stderr.write(`xlint: the verify command is missing (${bundle}); run \`npm run build\`\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { runVerify } = require(bundle) as typeof import('./verify-command');
      process.exitCode = await runVerify(file, options);
    });

  return program;
}

export async function main(argv: string[], bundle: BundleInfo = {}): Promise<void> {
  // `xlint ... | head`: a closed pipe ends the output, not the process with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const program = createProgram(bundle);
  program.exitOverride();
  program.configureOutput({ outputError: (text, write) => write(`xlint: ${text.replace(/^error: /, '')}`) });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`xlint: ${(error as Error).message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(`xlint ${TOOL_VERSION}: internal error: ${(error as Error).stack ?? error}\n`);
      process.exitCode = EXIT.usage;
    }
  }
}

if (require.main === module) void main(process.argv);
