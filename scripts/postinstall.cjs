// Builds dist/ after `npm install` in a source checkout (how pre-commit installs a hook from git).
// In an installed package there are no sources: nothing to do. Not `prepare`: npm prints its
// banner on stdout during `npm pack`, where pre-commit reads the tarball's name.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
if (existsSync(join(root, 'cli', 'main.ts')) && existsSync(join(root, 'node_modules', 'esbuild'))) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
