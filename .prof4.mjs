import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const { lint, rules } = require('/tmp/engine.js');
const ex = readdirSync('examples').filter(f => f.endsWith('Dockerfile')).map(f => readFileSync('examples/' + f, 'utf8'));
const corpus = Array.from({length: 1000}, (_, i) => ex[i % ex.length].replace(/AS (\w+)/g, `AS $1${i}`).replace(/--from=(\w+)/g, `--from=$1${i}`) + `\n# v ${i}\n`);
const options = { rules, buildPlatform: 'linux/amd64', targetPlatforms: ['linux/amd64', 'linux/arm64'] };
for (let r = 0; r < 8; r++) for (const c of corpus) lint(c, options);
