// Bundles the CLI (one file, starts fast) and the language server.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

await build({
  entryPoints: { xlint: 'cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
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
  sourcemap: 'linked',
  minifyWhitespace: true,
  logLevel: 'warning',
});
