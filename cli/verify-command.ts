/**
 * `xlint verify`: prove on a real builder what the linter predicts. Loaded only when the verify
 * subcommand runs, so the lint path never pays for it.
 */
import { dirname, resolve } from 'node:path';
import { fixText } from '../core/fix';
import { platformOfNode } from '../core/platform';
import { BuilderUnavailable, detectDriver } from '../builder/detect';
import type { Driver } from '../builder/driver';
import { ProgressDisplay } from '../builder/display';
import { inspectImage, RegistryError } from '../builder/registry';
import { formatCompareText, formatVerifyText } from '../builder/report';
import { compare, verify, type VerifyRequest } from '../builder/verify';
import type { ImageCheck } from '../builder/oci';
import { rules } from '../rules/index';
import { decodeDockerfile, readDockerfile, readStdin } from './inputs';
import { EXIT } from './exit-codes';

export interface VerifyCommandOptions {
  platform: string[];
  context?: string;
  target?: string;
  builder?: string;
  buildArg: string[];
  compare?: boolean;
  against?: string;
  unsafeFixes?: boolean;
  image?: string;
  cache: boolean;
  docker?: string;
  buildPlatform?: string;
  insecure?: boolean;
  quiet?: boolean;
  format: 'text' | 'json';
}

export async function runVerify(file: string | undefined, options: VerifyCommandOptions): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  const err = (text: string) => process.stderr.write(`xlint verify: ${text}\n`);

  if (options.image) return runImageCheck(options.image, options, out, err);

  const buildArgs: Record<string, string> = {};
  for (const pair of options.buildArg) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      err(`--build-arg ${pair}: expected KEY=VALUE`);
      return EXIT.usage;
    }
    buildArgs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const path = file ?? 'Dockerfile';
  let text: string;
  try {
    text = path === '-' ? decodeDockerfile('<stdin>', await readStdin()) : readDockerfile(path);
  } catch (error) {
    err(`${path}: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const context = resolve(options.context ?? (path === '-' ? '.' : dirname(path)));
  const base: VerifyRequest = {
    dockerfile: path,
    text,
    stdin: path === '-',
    context,
    platforms: options.platform,
    target: options.target,
    buildArgs,
    noCache: !options.cache,
  };

  // The fixed Dockerfile, before any build: a compare with nothing to compare fails fast.
  let fixed: { text: string; fixes: string[]; name: string } | null = null;
  if (options.compare || options.against) {
    if (options.against) {
      try {
        fixed = { text: readDockerfile(options.against), fixes: [], name: options.against };
      } catch (error) {
        err(`${options.against}: ${(error as Error).message}`);
        return EXIT.usage;
      }
    } else {
      const result = fixText(text, { rules, buildPlatform: options.buildPlatform ?? platformOfNode(process.arch), targetPlatforms: options.platform, target: options.target, buildArgs, unsafe: options.unsafeFixes });
      if (!result.changed) {
        err(`no ${options.unsafeFixes ? '' : 'safe '}fix changes ${path}: nothing to compare${options.unsafeFixes ? '' : ' (--unsafe-fixes applies unsafe ones too; --against FILE compares with a Dockerfile of yours)'}`);
        return EXIT.usage;
      }
      fixed = { text: result.output, fixes: [...new Set(result.applied.map((d) => d.ruleId))], name: `${path} (fixed)` };
    }
  }

  let driver: Driver;
  try {
    driver = await detectDriver({ builder: options.builder, docker: options.docker, platforms: options.platform, buildPlatform: options.buildPlatform });
  } catch (error) {
    if (error instanceof BuilderUnavailable) {
      err(error.message);
      return EXIT.unavailable;
    }
    throw error;
  }
  if (!options.quiet) err(`building ${options.platform.join(', ')} with ${driver.description}`);

  const displays: ProgressDisplay[] = [];
  const display = (label?: string) => {
    const d = new ProgressDisplay({ stream: process.stderr, label, quiet: options.quiet });
    displays.push(d);
    return d;
  };
  try {
    if (fixed) {
      const report = await compare(driver, base, { ...base, dockerfile: fixed.name, text: fixed.text, stdin: true }, fixed.fixes, (label) => {
        displays.at(-1)?.close();
        return display(label);
      });
      displays.forEach((d) => d.close());
      out(options.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatCompareText(report));
      return report.ok ? EXIT.ok : EXIT.failed;
    }
    const { report } = await verify(driver, base, display());
    displays.forEach((d) => d.close());
    out(options.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatVerifyText(report));
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    displays.forEach((d) => d.close());
  }
}

async function runImageCheck(ref: string, options: VerifyCommandOptions, out: (t: string) => void, err: (t: string) => void): Promise<number> {
  let check: ImageCheck;
  try {
    check = await inspectImage(ref, options.platform, { insecure: options.insecure });
  } catch (error) {
    if (error instanceof RegistryError) {
      err(`registry error: ${error.message}`);
      return EXIT.unavailable;
    }
    throw error;
  }
  if (options.format === 'json') out(JSON.stringify(check, null, 2) + '\n');
  else {
    const lines = [`${check.ref}: ${check.mediaType || 'unknown media type'}; lists ${check.listed.join(', ') || 'no platform'}`];
    for (const p of check.platforms) {
      lines.push(`  ${p.problem ? 'FAIL' : 'ok  '} ${p.platform}${p.configPlatform ? `  (image config: ${p.configPlatform})` : ''}${p.problem ? `: ${p.problem}` : ''}`);
    }
    if (check.problems.length > 0 && check.platforms.every((p) => !p.problem)) for (const p of check.problems) lines.push(`  ${p}`);
    lines.push(check.ok ? 'every platform is present and matches its image config' : check.missing.length > 0 ? `missing: ${check.missing.join(', ')}` : 'the image FAILED the check');
    out(lines.join('\n') + '\n');
  }
  return check.ok ? EXIT.ok : EXIT.failed;
}
