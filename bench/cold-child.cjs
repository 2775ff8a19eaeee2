// One cold run of the CLI bundle split into its phases, written as JSON to the file named by
// XLINT_BENCH_TIMES: node's own start-up, loading the bundle (read, compile, evaluate its top level),
// and main() (the run itself, with the lazy compilation of what it calls).
//   node bench/cold-child.cjs require dist/xlint.js ARGS...          as `node dist/xlint.js ARGS...`
//   node bench/cold-child.cjs cache   dist/xlint.js CACHE ARGS...    the same through a V8 code cache
//     (vm.Script cachedData, written after the first run with every function that run compiled):
//     what a compile cache would save.
const start = performance.now();
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const Module = require('node:module');
const { dirname, resolve } = require('node:path');
const vm = require('node:vm');

const [mode, bundleArg, ...rest] = process.argv.slice(2);
const bundle = resolve(bundleArg);
const cacheFile = mode === 'cache' ? rest.shift() : null;
let cli;
let script;
let rejected = false;
if (mode === 'cache') {
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8').replace(/^#!.*/, '')), { filename: bundle, cachedData });
  rejected = cachedData !== undefined && script.cachedDataRejected;
  const module = new Module(bundle, null);
  module.filename = bundle;
  module.paths = Module._nodeModulePaths(dirname(bundle));
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  cli = module.exports;
} else {
  cli = require(bundle);
}
const loaded = performance.now();
process.argv = [process.argv[0], bundle, ...rest];
cli.main(process.argv).then(() => {
  const ran = performance.now();
  process.on('exit', () => {
    if (script && (!existsSync(cacheFile) || rejected)) writeFileSync(cacheFile, script.createCachedData());
    const t = performance.nodeTiming;
    writeFileSync(
      process.env.XLINT_BENCH_TIMES,
      JSON.stringify({ node: start, load: loaded - start, main: ran - loaded, total: performance.now(), bootstrap: t.bootstrapComplete, rejected }),
    );
  });
});
