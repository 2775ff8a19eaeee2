// Bundles the CLI (one file, starts fast) and the language server.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// No `module` condition (esbuild's default adds it): packages that offer it (vscode-languageserver-types,
// which dockerfile-ast requires) would be bundled from their ESM build, whose exports esbuild reaches
// through getters; dockerfile-ast's parse then runs ~15% slower than from the CommonJS build it was written against.
const conditions = [];

await build({
  entryPoints: { xlint: 'cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions,
  sourcemap: 'linked',
  minifyWhitespace: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { XLINT_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
chmodSync('dist/xlint.js', 0o755);

// The language server: a bundle of its own, required by `xlint lsp` only, so the lint path never loads it.
await build({
  entryPoints: { server: 'server/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions,
  sourcemap: 'linked',
  minifyWhitespace: true,
  logLevel: 'warning',
});

// `xlint verify` (the builder drivers): a bundle of its own, required by the verify subcommand only.
await build({
  entryPoints: { verify: 'cli/verify-command.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions,
  sourcemap: 'linked',
  minifyWhitespace: true,
  logLevel: 'warning',
});
