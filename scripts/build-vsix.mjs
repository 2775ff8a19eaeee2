// Builds the VS Code extension: bundles the client and the language server into client/dist (the
// .vsix needs nothing else), copies the grammar, and packages dist-vsix/xlint-<version>.vsix with vsce
// (not in dist/, whose bundles are what the npm package ships).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const client = join(root, 'client');
const out = join(client, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, sourcemap: 'linked', logLevel: 'warning' };
await build({ ...common, entryPoints: { extension: join(client, 'src/extension.ts') }, outdir: out, external: ['vscode'] });
await build({ ...common, entryPoints: { server: join(root, 'server/main.ts') }, outdir: out });
copyFileSync(join(root, 'syntaxes/xlint.injection.tmLanguage.json'), join(out, 'xlint.injection.tmLanguage.json'));

if (!process.argv.includes('--no-package')) {
  const { version } = JSON.parse(readFileSync(join(client, 'package.json'), 'utf8'));
  const vsix = join(root, 'dist-vsix', `xlint-${version}.vsix`);
  mkdirSync(join(root, 'dist-vsix'), { recursive: true });
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsix], { cwd: client, stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(vsix);
}
