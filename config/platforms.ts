/**
 * Which platforms a user may name: os/arch[/variant] from the values Go and the OCI image spec
 * define (BuildKit takes the same). core/platform.ts parses any well-formed triple; this module
 * rejects the ones no builder has, so `--platform a/b` or `../../x` is a usage error, not a model
 * of a build that cannot happen.
 */
import { parsePlatform } from '../core/platform';

/** GOOS values (`go tool dist list`). */
const OSES = ['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'dragonfly', 'illumos', 'solaris', 'aix', 'android', 'ios', 'plan9', 'js', 'wasip1'];
/** GOARCH values. */
const ARCHES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 'ppc64', 's390x', 'riscv64', 'mips64le', 'mips64', 'mipsle', 'mips', 'loong64', 'wasm'];
/** Variants per arch (OCI image index spec; arm64's v8 is normalized away by the parser). */
const VARIANTS: Record<string, { pattern: RegExp; list: string }> = {
  arm: { pattern: /^v[5-8]$/, list: 'v5, v6, v7, v8' },
  amd64: { pattern: /^v[1-4]$/, list: 'v1, v2, v3, v4' },
  arm64: { pattern: /^v8(\.[0-9])?$|^v9(\.[0-5])?$/, list: 'v8, v8.1 … v8.9, v9, v9.1 … v9.5' },
};

const EXPECTED = 'expected os/arch[/variant], e.g. linux/arm64';

/**
 * The target platforms when neither the command line, the editor's settings nor a config file name
 * any: the one default of the CLI's commands and the language server.
 */
export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];

/** Why `text` is not a platform a build can target, or null when it is one. */
export function platformProblem(text: string): string | null {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3) return `"${text}" is not a platform (${EXPECTED})`;
  if (parts.some((p) => p === '')) return `"${text}" is not a platform: it has an empty part (${EXPECTED})`;
  const platform = parsePlatform(text);
  if (!platform) return `"${text}" is not a platform: only letters, digits, "_", "." and "-" may appear between the slashes (${EXPECTED})`;
  if (!OSES.includes(platform.os)) return `"${text}" is not a platform: unknown OS "${platform.os}" (known: ${OSES.join(', ')})`;
  if (!ARCHES.includes(platform.arch)) return `"${text}" is not a platform: unknown architecture "${parts[1]}" (known: ${ARCHES.join(', ')})`;
  if (platform.variant) {
    const variants = VARIANTS[platform.arch];
    if (!variants) return `"${text}" is not a platform: ${platform.arch} has no variants`;
    if (!variants.pattern.test(platform.variant)) return `"${text}" is not a platform: unknown ${platform.arch} variant "${platform.variant}" (known: ${variants.list})`;
  }
  return null;
}
