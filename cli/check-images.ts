/**
 * `--check-images` / `"checkImages"` for the lint command: before linting, models each file, asks
 * the registries (or the cache) about every image the builds pull, and says on stderr which could
 * not be asked. The lint goes on either way; the exit code changes only with failOnRegistryError.
 * Loaded only when the check is on (the registry client stays out of a plain lint's start-up).
 */
import type { ImageIndex } from '../core/images';
import { pulledRefs } from '../core/images';
import type { LintOptions } from '../core/lint';
import { buildModel } from '../core/model';
import { dockerCredentials } from '../builder/docker-config';
import { checkImages, DEFAULT_TAG_TTL_MS } from '../builder/image-facts';
import type { Config } from '../config/config';

export interface CheckImagesSettings {
  offline: boolean;
  tagTtlMs: number;
  failOnRegistryError: boolean;
}

/** Whether a file is checked, and how: the flags win over its config file's `checkImages`. */
export function checkImagesSettings(flags: { checkImages?: boolean; offline?: boolean }, config: Config | undefined): CheckImagesSettings | null {
  const setting = config?.checkImages;
  const object = typeof setting === 'object' && setting !== null ? setting : null;
  const enabled = !!flags.checkImages || !!flags.offline || setting === true || (object !== null && object.enabled !== false);
  if (!enabled) return null;
  return {
    offline: !!flags.offline,
    tagTtlMs: object?.tagTtlMinutes !== undefined ? object.tagTtlMinutes * 60_000 : DEFAULT_TAG_TTL_MS,
    failOnRegistryError: !!object?.failOnRegistryError,
  };
}

export interface ImageCheckRun {
  images: ImageIndex;
  /** Some image could not be asked about (and failOnRegistryError was set for its file). */
  failed: boolean;
}

/**
 * The registries' answers for every image the given builds pull. Credential helpers run here
 * only: the CLI, with the check asked for.
 */
export async function fetchImages(inputs: { text: string; engine: LintOptions; settings: CheckImagesSettings }[], warn: (message: string) => void): Promise<ImageCheckRun> {
  const refs = new Map<string, CheckImagesSettings>();
  for (const { text, engine, settings } of inputs) {
    for (const ref of pulledRefs(buildModel(text, engine))) if (!refs.has(ref)) refs.set(ref, settings);
  }
  const images = new Map<string, import('../core/images').ImageAnswer>();
  if (refs.size === 0) return { images, failed: false };
  // One run, one policy: the strictest of the files' (they share one cache).
  const all = [...refs.values()];
  const offline = all.some((s) => s.offline);
  const tagTtlMs = Math.min(...all.map((s) => s.tagTtlMs));
  const result = await checkImages([...refs.keys()], {
    offline,
    tagTtlMs,
    timeoutMs: Number(process.env.XLINT_REGISTRY_TIMEOUT_MS) || 15_000,
    credentials: dockerCredentials({ allowHelpers: true, warn: (m) => warn(m) }),
  });
  let failed = false;
  const said = new Set<string>();
  for (const [ref, answer] of result.answers) {
    images.set(ref, answer);
    if (!('error' in answer)) continue;
    if (refs.get(ref)?.failOnRegistryError) failed = true;
    const message = `cannot check image ${ref}: ${answer.error}; base-image-platform left it unjudged`;
    if (!said.has(message)) warn(message);
    said.add(message);
  }
  return { images, failed };
}
