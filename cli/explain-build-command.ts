/** `xlint explain-build <Dockerfile>`. */
import { explainBuild } from '../core/explain';
import { buildModel } from '../core/model';
import { formatExplainText } from '../core/explain-text';
import { readDockerfile } from './inputs';

export interface ExplainBuildOptions {
  platform: string[];
  buildPlatform: string;
  target?: string;
  format: 'text' | 'json';
}

export function runExplainBuild(file: string, options: ExplainBuildOptions): number {
  let text: string;
  try {
    text = readDockerfile(file);
  } catch (error) {
    process.stderr.write(`xlint: ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const model = buildModel(text, { buildPlatform: options.buildPlatform, targetPlatforms: options.platform, target: options.target });
  const explained = explainBuild(model, file);
  process.stdout.write(options.format === 'json' ? JSON.stringify(explained, null, 2) + '\n' : formatExplainText(explained));
  return explained.errors.length > 0 ? 2 : 0;
}
