/**
 * Editor settings (`xlint.*`, per workspace folder) and the nearest config file, merged into the
 * engine's options. Pure: the server reads files and asks the client; this only decides.
 */
import { ruleSettings, type Config } from '../config/config';
import { DEFAULT_PLATFORMS } from '../config/platforms';
import { rules as allRules } from '../rules/index';
import type { Rule, Severity } from '../core/rule';
import { normalizePlatform, parsePlatform, platformOfNode } from '../core/platform';

/** What the client sends for the `xlint` section, as declared in client/package.json. */
export interface EditorSettings {
  enable: boolean;
  /** Target platforms; empty: the config file's, else linux/amd64 and linux/arm64. */
  platforms: string[];
  /** The builder's platform; empty: the config file's, else this machine's. */
  buildPlatform: string;
  /** Offer `source.fixAll.xlint` with unsafe fixes too. Unsafe quick fixes are always offered, labelled. */
  unsafeFixes: boolean;
  /** Per-rule severities; they override the config file's. */
  rules: Record<string, Severity | 'off'>;
  /**
   * Tools whose checks another extension already reports in this editor (`buildkit`: Docker DX;
   * `hadolint`): the rules that mirror one of their checks are off, unless `rules` names them.
   */
  deferTo: DeferTo[];
  /**
   * Judge pulled images with `base-image-platform` (issue 14): analyses read the answers already in
   * the image cache; images missing from it are asked of their registries in the background.
   */
  checkImages: boolean;
}

/** The tools a rule may mirror (RuleDocs.mirrors). */
export type DeferTo = 'buildkit' | 'hadolint';
const DEFER_TO = new Set<string>(['buildkit', 'hadolint']);

export const DEFAULT_SETTINGS: EditorSettings = { enable: true, platforms: [], buildPlatform: '', unsafeFixes: false, rules: {}, deferTo: [], checkImages: false };

/** The settings a document is linted with. */
export interface EffectiveSettings {
  enable: boolean;
  targetPlatforms: string[];
  buildPlatform: string;
  unsafeFixes: boolean;
  severities: Record<string, Severity | 'off'>;
  ruleOptions: Record<string, Record<string, unknown>>;
  /** Problems with the settings themselves, for the output channel. */
  problems: string[];
  /** Lint with the image cache's answers and fetch the missing ones in the background (`xlint.checkImages`; the editor's setting only, not the config file's). */
  checkImages?: boolean;
  /** How long a tag's cached answer is fresh (the config file's `checkImages.tagTtlMinutes`, else a day); an older one is still used, and asked again. */
  tagTtlMs?: number;
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/** Whatever the client sent (possibly nothing, or the wrong types) → well-formed editor settings. */
export function readEditorSettings(raw: unknown): { settings: EditorSettings; problems: string[] } {
  const problems: string[] = [];
  const value = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const settings: EditorSettings = { ...DEFAULT_SETTINGS, platforms: [], rules: {}, deferTo: [], checkImages: false };
  if (typeof value.enable === 'boolean') settings.enable = value.enable;
  if (typeof value.unsafeFixes === 'boolean') settings.unsafeFixes = value.unsafeFixes;
  if (typeof value.checkImages === 'boolean') settings.checkImages = value.checkImages;
  else if (value.checkImages !== undefined) problems.push('xlint.checkImages: expected true or false');
  if (Array.isArray(value.platforms)) {
    for (const p of value.platforms) {
      if (typeof p === 'string' && parsePlatform(p)) settings.platforms.push(normalizePlatform(p));
      else problems.push(`xlint.platforms: "${String(p)}" is not a platform (expected os/arch[/variant], e.g. linux/arm64)`);
    }
    settings.platforms = [...new Set(settings.platforms)];
  } else if (typeof value.platforms === 'string' && value.platforms.trim()) {
    // `"linux/amd64,linux/arm64"`, as on the command line.
    return readEditorSettings({ ...value, platforms: value.platforms.split(',').map((p) => p.trim()).filter(Boolean) });
  }
  if (typeof value.buildPlatform === 'string' && value.buildPlatform.trim()) {
    if (parsePlatform(value.buildPlatform)) settings.buildPlatform = normalizePlatform(value.buildPlatform);
    else problems.push(`xlint.buildPlatform: "${value.buildPlatform}" is not a platform`);
  }
  if (value.rules && typeof value.rules === 'object') {
    for (const [id, severity] of Object.entries(value.rules as Record<string, unknown>)) {
      if (typeof severity === 'string' && SEVERITIES.has(severity)) settings.rules[id] = severity as Severity | 'off';
      else problems.push(`xlint.rules.${id}: expected "error", "warning", "info" or "off"`);
    }
  }
  if (Array.isArray(value.deferTo)) {
    for (const tool of value.deferTo) {
      if (typeof tool === 'string' && DEFER_TO.has(tool)) settings.deferTo.push(tool as DeferTo);
      else problems.push(`xlint.deferTo: "${String(tool)}" is not a tool xlint mirrors (expected "buildkit" or "hadolint")`);
    }
    settings.deferTo = [...new Set(settings.deferTo)];
  }
  return { settings, problems };
}

/** Editor settings win over the config file, the config file over the defaults. */
export function effectiveSettings(
  editor: EditorSettings,
  config: Config | null,
  nodeArch: string = process.arch,
  ignored = false,
  rules: readonly Rule[] = allRules,
): EffectiveSettings {
  const { severities, ruleOptions } = config ? ruleSettings(config) : { severities: {}, ruleOptions: {} };
  // Left to the tool that reports the same finding in this editor (issue 13: Docker DX runs BuildKit's checks).
  for (const tool of editor.deferTo ?? []) {
    for (const rule of rules) if (rule.meta.docs.mirrors?.[tool]) severities[rule.meta.id] = 'off';
  }
  Object.assign(severities, editor.rules);
  const configPlatforms = (config?.platforms ?? []).map(normalizePlatform);
  return {
    enable: editor.enable && !ignored,
    targetPlatforms: editor.platforms.length > 0 ? editor.platforms : configPlatforms.length > 0 ? configPlatforms : [...DEFAULT_PLATFORMS],
    buildPlatform: editor.buildPlatform || (config?.buildPlatform ? normalizePlatform(config.buildPlatform) : platformOfNode(nodeArch)),
    unsafeFixes: editor.unsafeFixes,
    severities,
    ruleOptions,
    problems: [],
    ...(editor.checkImages ? { checkImages: true, tagTtlMs: tagTtlOf(config) } : {}),
  };
}

/** builder/image-facts.ts's DEFAULT_TAG_TTL_MS (not imported: this module stays free of I/O code). */
const DEFAULT_TAG_TTL_MS = 24 * 60 * 60 * 1000;

function tagTtlOf(config: Config | null): number {
  const setting = config?.checkImages;
  const minutes = typeof setting === 'object' && setting !== null ? setting.tagTtlMinutes : undefined;
  return typeof minutes === 'number' && minutes >= 0 ? minutes * 60_000 : DEFAULT_TAG_TTL_MS;
}

/** A stable key: documents linted with equal keys can share cached results. */
export function settingsKey(settings: EffectiveSettings): string {
  return JSON.stringify([settings.targetPlatforms, settings.buildPlatform, settings.severities, settings.ruleOptions, settings.checkImages ? settings.tagTtlMs ?? true : false]);
}
