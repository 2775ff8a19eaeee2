/**
 * The images the modelled build pulls, per target platform, and how BuildKit picks a platform
 * from what a registry offers (containerd's platform matcher). Pure: the registry's answers come
 * in as `ImageIndex`, read by an adapter (builder/image-facts.ts); the engine does no I/O.
 *
 * DESIGN §1: a `FROM <image>` is pulled for its stage's platform (the build platform in a
 * `$BUILDPLATFORM` stage); `COPY --from=<image>` and `RUN --mount=from=<image>` are pulled for
 * the target platform, even inside a `$BUILDPLATFORM` stage. Only reached stages pull.
 */
import { offsetAt } from './document';
import { expand } from './expand';
import type { Model } from './model-types';
import { formatPlatform, normalizePlatform, parsePlatform, type Platform } from './platform';

/** What a registry said about one image reference. */
export interface ImageFacts {
  /** `index`: an OCI image index or Docker manifest list; `manifest`: one single-platform image. */
  kind: 'index' | 'manifest';
  /** The platforms it offers, normalized (`os/arch[/variant]`), attestations left out; a manifest's is its config's (empty when the config names none). */
  platforms: string[];
  /** Set when the reference is a digest (`name@sha256:...`). */
  digest?: string;
}

/** The answer for one reference: facts, or why there are none (unreachable, refused, not found, not cached offline). */
export type ImageAnswer = ImageFacts | { error: string };

/** Image reference (as the build resolves it) → the registry's answer. References absent from it are not judged. */
export type ImageIndex = ReadonlyMap<string, ImageAnswer>;

export type PullVia = 'from' | 'copy' | 'mount';

export interface ImagePull {
  /** The reference with ARG defaults resolved (FROM), as written otherwise (`--from` expands no variables). */
  ref: string;
  via: PullVia;
  stage: number;
  /** The platform the image is pulled for (normalized). */
  platform: string;
  /** The target build that pulls it. */
  target: string;
  /** True for a FROM of a `$BUILDPLATFORM` (builder) stage: pulled for the build platform. */
  builderStage: boolean;
  /** Offsets of the reference in the text. */
  start: number;
  end: number;
}

/** Every image pull of the reached stages, per target platform (FROM chains through stages pull nothing). */
export function imagePulls(model: Model): ImagePull[] {
  const pulls: ImagePull[] = [];
  const fromValues = new Map<unknown, Map<string, Record<string, string | null>>>();
  for (const use of model.variableUses) {
    if (use.stage !== null) continue;
    let names = fromValues.get(use.instruction);
    if (!names) fromValues.set(use.instruction, (names = new Map()));
    names.set(use.name, use.values);
  }
  for (const stage of model.stages) {
    if (stage.reachableFor.length === 0) continue;
    const imageArg = stage.from.getArguments()[0];
    const imageRange = stage.from.getImageRange() ?? imageArg?.getRange();
    const written = imageArg?.getValue() ?? '';
    for (const target of stage.reachableFor) {
      const platform = stage.platformFor[target];
      if (stage.base.kind === 'scratch' || stage.parentFor[target] != null || !platform || !imageRange) continue;
      let ref = stage.base.kind === 'image' && !stage.base.image.includes('$') ? stage.base.image : written;
      if (ref.includes('$')) {
        const values = fromValues.get(stage.from);
        ref = expand(ref, (name) => values?.get(name)?.[target] ?? undefined, model.escapeChar);
      }
      ref = ref.trim();
      if (!ref || ref.includes('$') || ref.toLowerCase() === 'scratch') continue;
      pulls.push({
        ref,
        via: 'from',
        stage: stage.index,
        platform,
        target,
        builderStage: stage.platform.kind === 'builder',
        start: offsetAt(model.source, imageRange.start),
        end: offsetAt(model.source, imageRange.end),
      });
    }
    for (const edge of stage.edges) {
      if (edge.kind === 'from' || edge.stage !== null) continue;
      const ref = edge.ref.trim();
      if (!ref || ref.includes('$') || ref.toLowerCase() === 'scratch' || /^\d+$/.test(ref)) continue;
      let start = offsetAt(model.source, edge.range.start);
      let end = offsetAt(model.source, edge.range.end);
      // A mount's range is the whole flag value (`from=<image>,target=/x`): point at the image.
      const at = edge.kind === 'mount' ? model.source.text.slice(start, end).indexOf(ref) : -1;
      if (at >= 0) [start, end] = [start + at, start + at + ref.length];
      for (const target of stage.reachableFor) {
        pulls.push({
          ref,
          via: edge.kind,
          stage: stage.index,
          platform: normalizePlatform(target),
          target,
          builderStage: stage.platform.kind === 'builder',
          start,
          end,
        });
      }
    }
  }
  return pulls;
}

/** The distinct references the build pulls: what an adapter asks the registry about. */
export function pulledRefs(model: Model): string[] {
  return [...new Set(imagePulls(model).map((p) => p.ref))];
}

/**
 * How BuildKit picks a platform from an image index, as containerd's platform matcher does
 * (`platforms.Only`): the platform itself; else, in order, older variants of the same
 * architecture (`arm/v7` takes `arm/v6`, then `arm/v5`; `amd64/v3` takes `v2`, then `amd64`);
 * else the 32-bit sibling (`amd64` takes `386`; `arm64` takes `arm/v8`, `arm/v7`, `arm/v6`, `arm/v5`).
 */
export type PlatformMatch =
  | { kind: 'exact'; platform: string }
  /** An older variant of the same architecture. `microarchitecture` for amd64 levels (v3 → v2 → v1), the ordinary case. */
  | { kind: 'variant'; platform: string; microarchitecture: boolean }
  /** Another architecture: a 32-bit userland in a 64-bit target's image. */
  | { kind: 'architecture'; platform: string }
  | { kind: 'none' };

/** The platforms containerd accepts for `wanted`, best first (the first is `wanted` itself). */
export function acceptedPlatforms(wanted: string): Platform[] {
  const p = readMatchPlatform(wanted);
  if (!p) return [];
  const out: Platform[] = [p];
  const level = /^v(\d+)$/.exec(p.variant);
  if (p.arch === 'amd64') {
    for (let v = level ? Number(level[1]) - 1 : 0; v >= 1; v--) out.push({ ...p, variant: v === 1 ? '' : `v${v}` });
    out.push({ os: p.os, arch: '386', variant: '' });
  } else if (p.arch === 'arm' && level) {
    for (let v = Number(level[1]) - 1; v >= 5; v--) out.push({ ...p, variant: `v${v}` });
  } else if (p.arch === 'arm64') {
    for (let v = 8; v >= 5; v--) out.push({ os: p.os, arch: 'arm', variant: `v${v}` });
  }
  return out;
}

/** The platform BuildKit takes from `available` for `wanted`. */
export function matchPlatform(wanted: string, available: readonly string[]): PlatformMatch {
  const offered = new Set(available.map((a) => key(readMatchPlatform(a))));
  const accepted = acceptedPlatforms(wanted);
  for (let i = 0; i < accepted.length; i++) {
    const candidate = accepted[i];
    if (!offered.has(key(candidate))) continue;
    const platform = formatPlatform(candidate);
    if (i === 0) return { kind: 'exact', platform };
    if (candidate.arch === accepted[0].arch) return { kind: 'variant', platform, microarchitecture: candidate.arch === 'amd64' };
    return { kind: 'architecture', platform };
  }
  return { kind: 'none' };
}

/** Normalized as containerd does for matching: also `amd64/v1` is `amd64`. */
function readMatchPlatform(text: string): Platform | null {
  const p = parsePlatform(text);
  if (p && p.arch === 'amd64' && p.variant === 'v1') p.variant = '';
  return p;
}

function key(p: Platform | null): string {
  return p ? formatPlatform(p) : '';
}
