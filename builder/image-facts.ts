/**
 * `--check-images`: asks registries what the images a build pulls offer (builder/registry.ts),
 * keeps the answers in a disk cache, and hands them to the engine as an ImageIndex. The engine
 * never does I/O; this adapter is its only way to the network.
 *
 * The cache: one JSON file per image reference under `$XDG_CACHE_HOME/xlint/images` (else
 * `~/.cache/xlint/images`; `XLINT_IMAGE_CACHE` overrides), written atomically (a temporary file
 * renamed over it). A digest reference names content that never changes: kept for good. A tag
 * moves: its answer is kept for `tagTtlMs` (a day by default). `offline` answers from the cache
 * alone, whatever the age. Failures are not cached.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ImageAnswer, ImageFacts } from '../core/images';
import { parseImageRef, type ImageRef } from './oci';
import { readImageFacts, RegistryError, type RegistryOptions } from './registry';

export const DEFAULT_TAG_TTL_MS = 24 * 60 * 60 * 1000;
const CACHE_VERSION = 1;

export interface ImageCheckOptions extends RegistryOptions {
  /** The cache folder; null: no cache. Default: defaultImageCacheDir(). */
  cacheDir?: string | null;
  tagTtlMs?: number;
  /** Answer from the cache only; never ask a registry. */
  offline?: boolean;
  /** Registries asked at once. */
  concurrency?: number;
  now?: () => number;
}

export interface ImageCheckResult {
  /** Every reference asked for → facts, or why there are none. */
  answers: Map<string, ImageAnswer>;
  /** References answered from the cache, from a registry, and not at all. */
  cached: number;
  fetched: number;
  failed: number;
}

export function defaultImageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XLINT_IMAGE_CACHE) return env.XLINT_IMAGE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'xlint', 'images');
}

/** The canonical spelling the cache is keyed by: `alpine` and `docker.io/library/alpine:latest` are one image. */
export function canonicalRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.reference.includes(':') ? '@' : ':'}${ref.reference}`;
}

interface CacheEntry {
  version: number;
  ref: string;
  fetchedAt: number;
  facts: ImageFacts;
}

export class ImageCache {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  /** The cached facts, or null (none, unreadable, or a tag older than ttlMs; ttlMs Infinity for any age). */
  get(key: string, ttlMs: number, now: number): ImageFacts | null {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(readFileSync(this.file(key), 'utf8')) as CacheEntry;
    } catch {
      return null;
    }
    if (entry?.version !== CACHE_VERSION || entry.ref !== key || !entry.facts || !Array.isArray(entry.facts.platforms)) return null;
    const digest = key.includes('@');
    if (!digest && !(now - entry.fetchedAt <= ttlMs)) return null;
    return entry.facts;
  }

  /** Written to a temporary file and renamed over the old one: a reader sees the old entry or the new, never half. */
  set(key: string, facts: ImageFacts, now: number): void {
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(key);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const entry: CacheEntry = { version: CACHE_VERSION, ref: key, fetchedAt: now, facts };
    try {
      writeFileSync(temporary, JSON.stringify(entry) + '\n', { mode: 0o600 });
      renameSync(temporary, target);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never written
      }
      throw error;
    }
  }
}

/** Whether a failure says the registry itself cannot be reached (then its other images are not asked: one timeout, not one per image). */
function unreachable(message: string): boolean {
  return /cannot reach|timed out|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|TimeoutError|aborted/i.test(message);
}

export async function checkImages(refs: readonly string[], options: ImageCheckOptions = {}): Promise<ImageCheckResult> {
  const now = options.now ?? Date.now;
  const cacheDir = options.cacheDir === undefined ? defaultImageCacheDir() : options.cacheDir;
  const cache = cacheDir ? new ImageCache(cacheDir) : null;
  const ttl = options.tagTtlMs ?? DEFAULT_TAG_TTL_MS;
  const result: ImageCheckResult = { answers: new Map(), cached: 0, fetched: 0, failed: 0 };
  const deadRegistries = new Map<string, string>();
  const pending: { ref: string; parsed: ImageRef; key: string }[] = [];

  for (const ref of new Set(refs)) {
    const parsed = parseImageRef(ref);
    if (!parsed) {
      // Not a reference a registry can be asked about (a typo, an unresolved variable): not judged.
      result.answers.set(ref, { error: `"${ref}" is not an image reference` });
      result.failed++;
      continue;
    }
    const key = canonicalRef(parsed);
    const hit = cache?.get(key, options.offline ? Infinity : ttl, now()) ?? null;
    if (hit) {
      result.answers.set(ref, hit);
      result.cached++;
    } else if (options.offline) {
      result.answers.set(ref, { error: `not in the image cache${cacheDir ? ` (${cacheDir})` : ''}, and --offline asks no registry` });
      result.failed++;
    } else {
      pending.push({ ref, parsed, key });
    }
  }

  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const { ref, parsed, key } = pending[next++];
      const dead = deadRegistries.get(parsed.registry);
      if (dead) {
        result.answers.set(ref, { error: dead });
        result.failed++;
        continue;
      }
      try {
        const facts = await readImageFacts(ref, options);
        result.answers.set(ref, facts);
        result.fetched++;
        try {
          cache?.set(key, facts, now());
        } catch {
          // a cache that cannot be written costs a request next time, nothing else
        }
      } catch (error) {
        const message = error instanceof RegistryError ? error.message : `${(error as Error).message}`;
        if (unreachable(message)) deadRegistries.set(parsed.registry, `${parsed.registry} was not reachable (${message})`);
        result.answers.set(ref, { error: message });
        result.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, pending.length) }, worker));
  return result;
}
