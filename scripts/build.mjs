// Bundles the CLI (one file, starts fast), and the language server and `xlint verify` as bundles of
// their own that the CLI requires only on those paths, so linting never loads them.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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
  // Every start reads the whole bundle (about 2 ms per 100 KB on a cold process here): short local
  // names make the CLI bundle 760 → 565 KB, a small-file run ~5 ms faster. No `keepNames`: it names
  // every function again wherever it is created, a closure at every call of its parent included
  // (1,079 calls in the CLI bundle): without it a small-file run was 197 → 188 ms and the 295 real
  // files 588 → 560 ms (interleaved, 3 rounds). An internal error's stack then shows short names;
  // its lines and columns map back through dist/cli.js.map, and the message gives the version.
  minifyWhitespace: true,
  minifyIdentifiers: true,
  define: { XLINT_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
};

/**
 * Node built-ins that a lint run never calls, required on first use instead of when the bundle
 * loads: commander requires child_process for subcommand executables we do not have, crypto serves
 * --cache and the SARIF and GitLab fingerprints, worker_threads the lint workers. Loading them cost
 * a small-file run about 15 ms of its start-up (bench/run.mjs, "cold start").
 *
 * Each becomes a proxy that requires the module when one of its properties is first read. Its keys
 * are listed at build time: esbuild's interop copies an imported module's keys as getters when the
 * import is bound, and must neither load the module nor miss a key doing so.
 */
const LAZY_BUILTINS = ['child_process', 'crypto', 'worker_threads'];
const require = createRequire(import.meta.url);
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`) }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'lazy-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(args.path)}));
const keys = new Set(${JSON.stringify(Object.keys(require(args.path)))});
module.exports = new Proxy({}, {
  get: (_, key) => (keys.has(key) ? load()[key] : undefined),
  has: (_, key) => keys.has(key),
  ownKeys: () => [...keys],
  getOwnPropertyDescriptor: (_, key) => (keys.has(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined),
});`,
      loader: 'js',
    }));
  },
};

await build({ ...common, entryPoints: { cli: 'cli/main.ts' }, plugins: [lazyBuiltins] });
// The command itself is a small launcher that caches the CLI bundle's compiled code (cli/launcher.ts),
// under a name holding the bundle's content hash.
const bundleHash = createHash('sha256').update(readFileSync('dist/cli.js')).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: { xlint: 'cli/launcher.ts' },
  banner: { js: '#!/usr/bin/env node' },
  define: { XLINT_BUNDLE_HASH: JSON.stringify(bundleHash) },
  sourcemap: false,
});
chmodSync('dist/xlint.js', 0o755);
// The language server starts once per editor session and logs an internal error's stack: its bundle
// keeps the sources' names (the loading cost of the larger file is paid once).
await build({ ...common, minifyIdentifiers: false, entryPoints: { server: 'server/main.ts' } });
await build({ ...common, entryPoints: { verify: 'cli/verify-command.ts' } });
