/** `xlint explain-build <Dockerfile>` and `xlint graph <Dockerfile>`: the build model, in words or as a picture (Mermaid, DOT or SVG). */
import { explainBuild } from '../core/explain';
import { formatGraph, type GraphFormat } from '../core/graph';
import { graphSvg } from '../core/graph-svg';
import { buildModel, type Model } from '../core/model';
import { formatExplainText } from '../core/explain-text';
import { dirname } from 'node:path';
import { isDirectory, readContextScripts } from '../host/context';
import { EXIT } from './exit-codes';
import { readDockerfile } from './inputs';

export interface ExplainBuildOptions {
  platform: string[];
  buildPlatform: string;
  target?: string;
  /** --context: the build context (default: the Dockerfile's directory). */
  context?: string;
  format: 'text' | 'json';
}

export function runExplainBuild(file: string, options: ExplainBuildOptions): number {
  const model = readModel(file, options);
  if (!model) return EXIT.usage;
  const explained = explainBuild(model, file);
  process.stdout.write(options.format === 'json' ? JSON.stringify(explained, null, 2) + '\n' : formatExplainText(explained));
  return explained.errors.length > 0 ? EXIT.usage : EXIT.ok;
}

/** The graph command's formats: Mermaid and DOT text, or an SVG drawn without Graphviz (what the editor shows). */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const;

export interface GraphOptions extends Omit<ExplainBuildOptions, 'format'> {
  format: GraphFormat | 'svg';
}

export function runGraph(file: string, options: GraphOptions): number {
  const model = readModel(file, options);
  if (!model) return EXIT.usage;
  process.stdout.write(options.format === 'svg' ? graphSvg(model) : formatGraph(model, options.format));
  return model.errors.length > 0 ? EXIT.usage : EXIT.ok;
}

function readModel(file: string, options: Omit<ExplainBuildOptions, 'format'>): Model | null {
  if (options.context !== undefined && !isDirectory(options.context)) {
    process.stderr.write(`xlint: --context ${options.context}: not a directory\n`);
    return null;
  }
  const contextDir = options.context ?? dirname(file);
  try {
    const text = readDockerfile(file);
    const build = { buildPlatform: options.buildPlatform, targetPlatforms: options.platform, target: options.target };
    const model = buildModel(text, { ...build, context: { scripts: {} } });
    // As the lint does: the model again with the build-context scripts its RUN steps execute.
    return model.contextScripts.length > 0 ? buildModel(text, { ...build, context: { scripts: readContextScripts(contextDir, model.contextScripts) } }) : model;
  } catch (error) {
    process.stderr.write(`xlint: ${file}: ${(error as Error).message}\n`);
    return null;
  }
}
