/**
 * This build's version: package.json's, set by the bundler (scripts/build.mjs defines
 * XLINT_VERSION in every bundle, the language server's analysis worker included), or `0.0.0-dev`
 * when run from source (tests, `npm run docs`). `xlint --version`, the formats' tool version and
 * the rule documentation links (rules/docs.ts ruleDocUrl) of the CLI and the language server read it.
 */
declare const XLINT_VERSION: string | undefined;

export const TOOL_VERSION: string = typeof XLINT_VERSION === 'string' ? XLINT_VERSION : '0.0.0-dev';
