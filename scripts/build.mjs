// Bundles the CLI (one file, starts fast), and the language server and `xlint verify` as bundles of
// their own that the CLI requires only on those paths, so linting never loads them.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // No `module` condition (esbuild's default adds it): packages that offer it (vscode-languageserver-types,
  // which dockerfile-ast requires) would be bundled from their ESM build, whose exports esbuild reaches
  // through getters; dockerfile-ast's parse then runs ~15% slower than from its CommonJS build.
  conditions: [],
  sourcemap: 'linked',
  minifyWhitespace: true,
  define: { XLINT_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: { xlint: 'cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/xlint.js', 0o755);
await build({ ...common, entryPoints: { server: 'server/main.ts' } });
await build({ ...common, entryPoints: { verify: 'cli/verify-command.ts' } });
