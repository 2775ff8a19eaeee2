#!/usr/bin/env node
// A stand-in for `docker` with the buildx plugin, for driver tests on machines without buildx.
// It answers `buildx version|inspect|build --help`, and for `buildx build` writes per-platform
// output like buildx's local exporter (one ELF file per platform, of the machine that platform
// needs unless FAKE_WRONG_ARCH names it), prints a --progress=rawjson log on stderr, and records
// its argv and stdin in $FAKE_LOG.
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const log = process.env.FAKE_LOG;
if (args[0] !== 'buildx') {
  process.stderr.write(`fake docker: ${args.join(' ')} not supported\n`);
  process.exit(1);
}
if (args[1] === 'version') {
  console.log('github.com/docker/buildx v0.12.1 fake');
  process.exit(0);
}
if (args[1] === 'inspect') {
  console.log(`Name:          ${args[2] && !args[2].startsWith('-') ? args[2] : 'default'}\nDriver:        docker-container\n\nNodes:\nName:      n1\nStatus:    running\nPlatforms: linux/amd64*, linux/arm64*, linux/amd64/v2, linux/386`);
  process.exit(0);
}
if (args[1] === 'build' && args.includes('--help')) {
  console.log('      --progress string   Set type of progress output ("auto", "plain", "tty", "rawjson")');
  process.exit(0);
}
const value = (flag) => args[args.indexOf(flag) + 1];
const platforms = value('--platform').split(',');
const dest = /dest=(.*)$/.exec(value('--output'))[1];
const stdin = args[args.indexOf('-f') + 1] === '-' ? fs.readFileSync(0, 'utf8') : null;
if (log) fs.writeFileSync(log, JSON.stringify({ args, stdin }));
const machines = { 'linux/amd64': 62, 'linux/arm64': 183 };
let t = Date.parse('2025-01-01T00:00:00Z');
for (const p of platforms) {
  const dir = platforms.length > 1 ? path.join(dest, p.replace(/\//g, '_')) : dest;
  fs.mkdirSync(path.join(dir, 'usr/local/bin'), { recursive: true });
  const elf = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf);
  elf.writeUInt16LE(2, 16);
  elf.writeUInt16LE(process.env.FAKE_WRONG_ARCH === p ? 62 : machines[p], 18);
  fs.writeFileSync(path.join(dir, 'usr/local/bin/app'), elf);
  fs.writeFileSync(path.join(dir, 'README'), 'same everywhere\n');
  const arch = p.split('/')[1];
  const emulated = !args.includes('--cross') && arch !== 'amd64';
  const name = emulated ? `[${p} build 3/3] RUN go build -o /out/app .` : `[linux/amd64->${arch} build 3/3] RUN go build -o /out/app .`;
  const started = new Date(t).toISOString();
  t += emulated ? 60_000 : 5_000;
  process.stderr.write(JSON.stringify({ vertexes: [{ digest: `sha256:${arch}`, name, started }] }) + '\n');
  process.stderr.write(JSON.stringify({ vertexes: [{ digest: `sha256:${arch}`, name, started, completed: new Date(t).toISOString() }] }) + '\n');
}
process.exit(process.env.FAKE_FAIL ? 1 : 0);
