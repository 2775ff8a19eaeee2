/** Platforms as BuildKit spells and normalizes them (`linux/arm64/v8` is `linux/arm64`). */

export interface Platform {
  os: string;
  arch: string;
  variant: string;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', i686: '386' };

const parsed = new Map<string, Platform | null>();

/** Parsed platforms are cached: the same few strings are asked for per stage and per target. */
export function parsePlatform(text: string): Platform | null {
  let platform = parsed.get(text);
  if (platform === undefined) {
    platform = readPlatform(text);
    if (parsed.size < 1000) parsed.set(text, platform);
  }
  return platform && { ...platform };
}

function readPlatform(text: string): Platform | null {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) return null;
  const os = parts[0];
  const arch = ARCH_ALIASES[parts[1]] ?? parts[1];
  let variant = parts[2] ?? '';
  if (arch === 'arm64' && variant === 'v8') variant = '';
  if (arch === 'arm' && variant === '') variant = 'v7';
  if (arch === 'arm' && parts[1] === 'armel' && !parts[2]) variant = 'v6';
  return { os, arch, variant };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.arch}/${p.variant}` : `${p.os}/${p.arch}`;
}

/** The canonical spelling, or the text itself when it is not a platform. */
export function normalizePlatform(text: string): string {
  const p = parsePlatform(text);
  return p ? formatPlatform(p) : text.trim();
}

export const BUILD_PLATFORM_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'BUILDOSVERSION'] as const;
export const TARGET_PLATFORM_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'TARGETOSVERSION'] as const;
export const AUTOMATIC_ARGS: ReadonlySet<string> = new Set([...BUILD_PLATFORM_ARGS, ...TARGET_PLATFORM_ARGS, 'TARGETSTAGE']);

export function isPlatformArg(name: string): boolean {
  return AUTOMATIC_ARGS.has(name) && name !== 'TARGETSTAGE';
}

/** The automatic args BuildKit defines in the global scope for one build. */
export function automaticArgs(build: Platform, target: Platform, targetStage: string): Map<string, string> {
  return new Map([
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.arch],
    ['BUILDVARIANT', build.variant],
    ['BUILDOSVERSION', ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.arch],
    ['TARGETVARIANT', target.variant],
    ['TARGETOSVERSION', ''],
    ['TARGETSTAGE', targetStage],
  ]);
}

/** Node's `process.arch` → the platform BuildKit would call this machine. */
export function platformOfNode(arch: string): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm/v7', ia32: '386', riscv64: 'riscv64', s390x: 's390x', ppc64: 'ppc64le' };
  return `linux/${map[arch] ?? arch}`;
}

/**
 * Whether a stage name carries a platform's OS or architecture (`build-amd64`, `base_arm64`,
 * `windows-tools`): a per-platform stage, pinned on purpose. BuildKit's substring test
 * (FromPlatformFlagConstDisallowed), on the lower-cased name.
 */
export function nameCarriesPlatform(name: string | null, platformText: string): boolean {
  if (!name) return false;
  const p = parsePlatform(platformText);
  if (!p) return false;
  const lower = name.toLowerCase();
  const written = platformText.trim().toLowerCase().split('/')[1] ?? '';
  return [p.os, p.arch, written].some((part) => part !== '' && lower.includes(part));
}
