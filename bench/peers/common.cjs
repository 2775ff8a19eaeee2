// The peers of the benchmark as command-line tools run the way xlint's CLI is run: bundled by esbuild
// like dist/xlint.js, given files or directories, reading each file from disk, printing a count.
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const isDockerfileName = (name) => /^(Dockerfile|Containerfile)$|\.Dockerfile$|^Dockerfile\./i.test(name);

function walk(dir, found) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, found);
    else if (isDockerfileName(e.name)) found.push(path);
  }
  return found;
}

/** Runs `each(text)` (which returns a number of problems) over every Dockerfile named by the arguments. */
exports.run = (each) => {
  const files = [];
  for (const arg of process.argv.slice(2)) statSync(arg).isDirectory() ? walk(arg, files) : files.push(arg);
  let problems = 0;
  for (const file of files) problems += each(readFileSync(file, 'utf8'));
  process.stdout.write(`${files.length} files, ${problems} problems\n`);
};
