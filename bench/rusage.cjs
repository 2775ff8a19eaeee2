// Preloaded (node -r) into every process the benchmark times: at exit, appends the process's own
// CPU time and peak RSS (process.resourceUsage, microsecond and kilobyte precision) to the file named
// by XLINT_BENCH_RUSAGE, one JSON line keyed by pid.
const { appendFileSync } = require('node:fs');
const file = process.env.XLINT_BENCH_RUSAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssKb: u.maxRSS, ms: performance.now() })}\n`);
  });
}
