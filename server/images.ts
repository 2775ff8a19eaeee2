/**
 * `xlint.checkImages` in the language server (issue 14): base-image-platform without ever making
 * an analysis wait for a registry.
 *
 * - The analysis (in the worker, `analyzeWithImages`) reads only the disk cache that `--check-images`
 *   fills (builder/image-facts.ts), whatever the age of an entry, and says which references it had
 *   no fresh answer for.
 * - The server (`ImageFetcher`) asks the registries about those in the background: plain `auths`
 *   credentials from the Docker config only (never a credential helper), the CLI's timeout. The
 *   answers go to the cache; the documents that wanted them are then analysed again. A registry
 *   that fails is logged once, never shown as a diagnostic.
 */
import type { ImageAnswer } from '../core/images';
import { pulledRefs } from '../core/images';
import { lintModel } from '../core/lint';
import { buildModel } from '../core/model';
import { dockerCredentials } from '../builder/docker-config';
import { canonicalRef, checkImages, defaultImageCacheDir, ImageCache } from '../builder/image-facts';
import { parseImageRef } from '../builder/oci';
import { rules as allRules } from '../rules/index';
import { engineOptions, type Analysis, type AnalysisInputs } from './service';
import type { EffectiveSettings } from './settings';

/** builder/image-facts.ts's default, for settings that name none. */
const DAY_MS = 24 * 60 * 60 * 1000;
/** A reference that could not be asked about is asked again after this long (or when the settings change). */
export const RETRY_FAILED_MS = 10 * 60 * 1000;

/**
 * Lints with the answers the image cache holds for the images the build pulls (read only, no
 * network). `wanted`: the references with no answer, or a tag's answer past its time.
 */
export function analyzeWithImages(text: string, settings: EffectiveSettings, inputs: AnalysisInputs = {}): { analysis: Analysis; wanted: string[] } {
  const options = engineOptions(settings, allRules, inputs);
  const model = buildModel(text, options);
  const images = new Map<string, ImageAnswer>();
  const wanted: string[] = [];
  const refs = pulledRefs(model);
  if (refs.length > 0) {
    const cache = new ImageCache(defaultImageCacheDir());
    const now = Date.now();
    for (const ref of refs) {
      const parsed = parseImageRef(ref);
      if (!parsed) continue; // not a reference a registry could be asked about: not judged
      const key = canonicalRef(parsed);
      const any = cache.get(key, Infinity, now);
      if (any) images.set(ref, any);
      if (!any || !cache.get(key, settings.tagTtlMs ?? DAY_MS, now)) wanted.push(ref);
    }
  }
  return { analysis: { text, settings, result: lintModel(model, { ...options, images }), rules: allRules, context: inputs.context }, wanted };
}

export interface ImageFetcherIO {
  log(message: string): void;
  /** A failing registry, said once per registry (the output channel, not a diagnostic). */
  warn(message: string): void;
  /** New answers are in the cache: these documents wanted them. */
  answered(uris: string[]): void;
}

/** Asks registries in the background for the images analyses found no answer for. */
export class ImageFetcher {
  /** Reference → the documents that wanted it, while it is being asked. */
  private readonly inFlight = new Map<string, Set<string>>();
  /** Reference → when it was last asked and failed, or answered (an answer the cache could not keep is not asked for again). */
  private readonly asked = new Map<string, number>();
  private readonly saidFor = new Set<string>();
  private readonly credentials = dockerCredentials({ allowHelpers: false, warn: (m) => this.once(`docker-config:${m}`, m) });

  constructor(private readonly io: ImageFetcherIO) {}

  /** The settings changed: what failed may be asked again, and failures said again. */
  reset(): void {
    this.asked.clear();
    this.saidFor.clear();
  }

  want(uri: string, refs: readonly string[]): void {
    const now = Date.now();
    const fresh: string[] = [];
    for (const ref of refs) {
      const flying = this.inFlight.get(ref);
      if (flying) {
        flying.add(uri);
        continue;
      }
      const at = this.asked.get(ref);
      if (at !== undefined && now - at < RETRY_FAILED_MS) continue;
      this.inFlight.set(ref, new Set([uri]));
      fresh.push(ref);
    }
    if (fresh.length > 0) void this.fetch(fresh);
  }

  private async fetch(refs: string[]): Promise<void> {
    this.io.log(`asking the registries about ${refs.join(', ')} (xlint.checkImages)`);
    let answers: Map<string, ImageAnswer>;
    try {
      ({ answers } = await checkImages(refs, {
        // The analysis found no answer, or a tag's past its time: asked whatever the cache holds.
        tagTtlMs: 0,
        timeoutMs: Number(process.env.XLINT_REGISTRY_TIMEOUT_MS) || 15_000,
        credentials: this.credentials,
      }));
    } catch (error) {
      answers = new Map(refs.map((ref) => [ref, { error: (error as Error).message }]));
    }
    const uris = new Set<string>();
    const now = Date.now();
    for (const ref of refs) {
      const wanting = this.inFlight.get(ref) ?? new Set<string>();
      this.inFlight.delete(ref);
      this.asked.set(ref, now);
      const answer = answers.get(ref);
      if (!answer) continue;
      if ('error' in answer) {
        const registry = parseImageRef(ref)?.registry ?? ref;
        this.once(`registry:${registry}`, `cannot check image ${ref}: ${answer.error}; base-image-platform leaves the images of ${registry} unjudged (asked again in ${RETRY_FAILED_MS / 60_000} minutes or after a settings change)`);
        continue;
      }
      for (const uri of wanting) uris.add(uri);
    }
    if (uris.size > 0) this.io.answered([...uris]);
  }

  private once(key: string, message: string): void {
    if (this.saidFor.has(key)) return;
    this.saidFor.add(key);
    this.io.warn(message);
  }
}
