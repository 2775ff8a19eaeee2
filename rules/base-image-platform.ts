import { imagePulls, matchPlatform, type ImageFacts, type ImagePull } from '../core/images';
import { defineRule, type Severity } from '../core/rule';

/** The registry's answers the doc examples are judged with (docs.registry). */
const EXAMPLE_REGISTRY: Record<string, ImageFacts> = {
  'example.com/tools/protoc:3.21': { kind: 'index', platforms: ['linux/amd64'] },
  'example.com/tools/protoc:3.25': { kind: 'index', platforms: ['linux/amd64', 'linux/arm64'] },
  'golang:1.22': { kind: 'index', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
};

export default defineRule({
  meta: {
    id: 'base-image-platform',
    severity: 'error',
    description: 'Pull only images that have every platform the build pulls them for (`--check-images`)',
    fixes: [],
    messages: {
      missing:
        '"{{image}}" has no {{platform}} image and nothing BuildKit takes instead: {{builds}} fails ("no match for platform in manifest"){{why}}. It has {{available}}',
      variant:
        '"{{image}}" has no {{platform}} image: BuildKit takes its {{fallback}} variant instead (containerd\'s platform matcher accepts an older variant), so {{builds}} gets code built for {{fallback}}{{why}}. It has {{available}}',
      architecture:
        '"{{image}}" has no {{platform}} image: BuildKit takes its {{fallback}} image instead (containerd\'s platform matcher falls back to the 32-bit architecture), so {{builds}} gets {{fallback}} files{{why}}. It has {{available}}',
      single:
        '"{{image}}" is a single-platform image ({{own}}){{digest}}, pulled here for {{platform}}: BuildKit uses it as it is, so {{builds}} gets {{own}} files{{why}}',
    },
    docs: {
      what:
        'With `--check-images` (or `"checkImages": true` in the config), xlint asks the registry for the manifest of every ' +
        'image the modelled build pulls: `FROM` images of the stages the build reaches, for the stage\'s platform (the ' +
        'build platform in a `$BUILDPLATFORM` stage), and `COPY --from=<image>` / `RUN --mount=from=<image>` images for ' +
        'the target platform, even inside a `$BUILDPLATFORM` stage; `ARG` defaults in `FROM` are resolved per target. ' +
        'It reports an image that lacks a platform it is pulled for, naming the image, the missing platform and the ' +
        'platforms the image has. Where BuildKit would take another platform instead (containerd\'s platform matcher: ' +
        '`linux/arm/v7` takes `arm/v6`, then `arm/v5`; `linux/arm64` takes `arm/v8` … `arm/v5`; `linux/amd64` takes ' +
        '`386`), the finding names that fallback: a warning for another architecture, information for an older arm ' +
        'variant. A single-platform image (a tag with no index, or a digest that names one platform\'s manifest rather ' +
        'than the index) pulled for a platform it is not is an error too: BuildKit uses it as it is for every platform. ' +
        'When to turn it on: in the CI job that gates a multi-platform build, with that build\'s `--platform` list, ' +
        'keeping the answers cache between runs (docs/ci.md); not in pre-commit hooks, which should not wait on a ' +
        'registry, and with `--offline` where the job has no network. In an editor, `"xlint.checkImages": true` ' +
        'turns it on without ever delaying diagnostics: the language server lints with the answers already in the ' +
        'cache and asks the registries about the missing images in the background, then lints the Dockerfile again ' +
        '(docs/editors.md).',
      leftAlone:
        'Everything, when the registry was not asked (the default: the check uses the network), could not be reached, ' +
        'refused, or the image is not in the cache with `--offline` — xlint says so on standard error and the rest of ' +
        'the lint goes on. Stages the build does not reach; `scratch`; references that stay unresolved (an `ARG` with ' +
        'no default); amd64 microarchitecture levels (`linux/amd64/v3` taking a plain `amd64` image is what every ' +
        'such build does); a single-platform image pulled only for its own platform; an image whose config names no ' +
        'platform.',
      why:
        'A base image without the target\'s platform is the commonest way a multi-platform build fails, and it fails ' +
        'late: after the other platforms built, BuildKit stops with "no match for platform in manifest". Worse, an ' +
        'image pinned by the digest of one platform\'s manifest (copied from `docker inspect` on an amd64 machine) is ' +
        'used for every platform without a word: the arm64 image then holds amd64 binaries and fails at run time with ' +
        '`exec format error`. BuildKit finds out only while building; the registry knows before.',
      bad:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'COPY --from=example.com/tools/protoc:3.21 /usr/bin/protoc /usr/bin/\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n\n' +
        'FROM golang:1.22\n' +
        'COPY --from=build /out/app /app\n',
      good:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n' +
        'ARG TARGETOS TARGETARCH\n' +
        'COPY --from=example.com/tools/protoc:3.25 /usr/bin/protoc /usr/bin/\n' +
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n\n' +
        'FROM golang:1.22\n' +
        'COPY --from=build /out/app /app\n',
      fixSafety: 'No fix: which image or tag has the missing platform is for a person to choose.',
      registry: EXAMPLE_REGISTRY,
      references: [
        'https://docs.docker.com/build/building/multi-platform/',
        'https://github.com/containerd/platforms',
        'https://github.com/hadolint/hadolint/issues/429',
      ],
    },
  },
  check({ model, images, report }) {
    if (images.size === 0) return;
    // One finding per reference site and outcome, listing the platforms and builds it concerns.
    const sites = new Map<string, ImagePull[]>();
    for (const pull of imagePulls(model)) {
      if (!images.has(pull.ref)) continue;
      const key = `${pull.start}:${pull.ref}`;
      const list = sites.get(key);
      if (list) list.push(pull);
      else sites.set(key, [pull]);
    }
    for (const pulls of sites.values()) {
      const answer = images.get(pulls[0].ref)!;
      if ('error' in answer) continue;
      const first = pulls[0];
      const why =
        first.via === 'from'
          ? first.builderStage
            ? ' (this stage runs on the build platform, $BUILDPLATFORM)'
            : ''
          : first.builderStage
            ? ` (${first.via === 'copy' ? 'COPY --from' : 'RUN --mount=from'} pulls the image for the target platform, even in a $BUILDPLATFORM stage)`
            : '';
      const available = answer.platforms.length > 0 ? answer.platforms.join(', ') : 'no platform it names';
      type Outcome = { messageId: string; severity: Severity; fallback?: string; platforms: string[]; targets: string[] };
      const outcomes = new Map<string, Outcome>();
      const add = (messageId: string, severity: Severity, pull: ImagePull, fallback?: string) => {
        const key = `${messageId}:${fallback ?? ''}`;
        let outcome = outcomes.get(key);
        if (!outcome) outcomes.set(key, (outcome = { messageId, severity, fallback, platforms: [], targets: [] }));
        if (!outcome.platforms.includes(pull.platform)) outcome.platforms.push(pull.platform);
        if (!outcome.targets.includes(pull.target)) outcome.targets.push(pull.target);
      };
      for (const pull of pulls) {
        if (answer.kind === 'manifest') {
          if (answer.platforms.length === 0) continue;
          const match = matchPlatform(pull.platform, answer.platforms);
          if (match.kind === 'exact' || (match.kind === 'variant' && match.microarchitecture)) continue;
          add('single', 'error', pull);
          continue;
        }
        const match = matchPlatform(pull.platform, answer.platforms);
        if (match.kind === 'none') add('missing', 'error', pull);
        else if (match.kind === 'architecture') add('architecture', 'warning', pull, match.platform);
        else if (match.kind === 'variant' && !match.microarchitecture) add('variant', 'info', pull, match.platform);
      }
      for (const outcome of outcomes.values()) {
        report({
          messageId: outcome.messageId,
          severity: outcome.severity,
          data: {
            image: first.ref,
            platform: outcome.platforms.join(' or '),
            fallback: outcome.fallback ?? '',
            builds: builds(outcome.targets, model.targetPlatforms.length),
            why,
            available,
            own: answer.platforms[0] ?? '',
            digest: answer.digest || first.ref.includes('@') ? ": the digest names one platform's manifest, not an image index" : '',
          },
          start: first.start,
          end: first.end,
        });
      }
    }
  },
});

function builds(targets: string[], all: number): string {
  if (targets.length === 1) return all === 1 ? 'the build' : `the build for ${targets[0]}`;
  return targets.length === all ? `the build for every target (${targets.join(', ')})` : `the build for ${targets.join(' and ')}`;
}
