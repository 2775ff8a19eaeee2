/**
 * The language server's analysis pool (server/pool.ts) with a stand-in worker script, so every way
 * a job can end is exercised deterministically: done, over budget, superseded, the engine throwing,
 * the worker dying or running out of memory, no worker at all. Plus the service's pieces that keep
 * requests cheap and safe: the linear "ignore here" comment reader, position checks, the budget.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisPool, type PoolOptions } from '../server/pool';
import { budgetFor } from '../server/server';
import { analyze, codeActions, documentOffset, isPosition, isRange, readIgnoreComment, selectCodeActions, prepare } from '../server/service';
import { DEFAULT_SETTINGS, effectiveSettings } from '../server/settings';
import type { JobRequest } from '../server/worker';
import { df } from './rule-tester';

const settings = effectiveSettings({ ...DEFAULT_SETTINGS, platforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/amd64' }, null);

/** Speaks the worker protocol; what it does depends on the job's text. */
const FAKE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData && workerData.failStart) throw new Error('cannot start');
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  if (m.text === 'hang') for (;;) {}
  if (m.text === 'exit') process.exit(7);
  if (m.text === 'oom') { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())); }
  if (m.text === 'throw') return parentPort.postMessage({ id: m.id, error: { name: 'RangeError', message: 'Maximum call stack size exceeded' } });
  const sleep = /^sleep (\\d+)/.exec(m.text);
  if (sleep) { const until = Date.now() + Number(sleep[1]); while (Date.now() < until) {} }
  parentPort.postMessage({ id: m.id, value: m.kind + ':' + m.text });
});
`;

let dir: string;
let script: string;
const pools: AnalysisPool[] = [];
const logs: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xlint-pool-'));
  script = join(dir, 'worker.js');
  writeFileSync(script, FAKE_WORKER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const pool of pools.splice(0)) pool.dispose();
  logs.length = 0;
});

function pool(options: Partial<PoolOptions> = {}): AnalysisPool {
  const p = new AnalysisPool({ script, budgetMs: () => 2000, staleKillMs: 50, log: (m) => logs.push(m), ...options });
  pools.push(p);
  return p;
}

const job = (text: string, uri = 'file:///w/Dockerfile'): JobRequest & { kind: 'analyze' } => ({ kind: 'analyze', uri, text, settings });

describe('analysis pool', () => {
  it('runs jobs one at a time, in order, in a worker', async () => {
    const p = pool();
    const results = await Promise.all(['a', 'b', 'c'].map((t) => p.submit(job(t)).promise));
    expect(results.map((r) => (r.status === 'done' ? r.value : r.status))).toEqual(['analyze:a', 'analyze:b', 'analyze:c']);
    expect(p.counts.workers).toBe(1);
  });

  it('stops a job at its budget and runs the next one in a fresh worker', async () => {
    const p = pool({ budgetMs: (r) => (r.text === 'hang' ? 150 : 5000) });
    const started = performance.now();
    const hang = p.submit(job('hang'));
    const after = p.submit(job('after'));
    expect(await hang.promise).toEqual({ status: 'timeout', ms: 150 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await after.promise).toMatchObject({ status: 'done', value: 'analyze:after' });
    expect(p.counts).toMatchObject({ timeouts: 1, workers: 2 });
    expect(logs.join('\n')).toContain('at its budget of 150 ms');
  });

  it('drops waiting jobs a newer one supersedes, and stops a running one that has run long enough', async () => {
    const p = pool({ staleKillMs: 100 });
    p.warm();
    await p.firstReady;
    const running = p.submit(job('hang'), { key: 'a' });
    const waiting1 = p.submit(job('v1'), { key: 'b' });
    const waiting2 = p.submit(job('v2'), { key: 'b' });
    expect(await waiting1.promise).toEqual({ status: 'cancelled' });
    const newer = p.submit(job('newer'), { key: 'a' });
    expect(await running.promise).toEqual({ status: 'cancelled' });
    expect(await waiting2.promise).toMatchObject({ status: 'done', value: 'analyze:v2' });
    expect(await newer.promise).toMatchObject({ status: 'done', value: 'analyze:newer' });
    expect(p.counts.killed).toBe(1);
  });

  it('lets a superseded job that finishes quickly finish', async () => {
    const p = pool({ staleKillMs: 1000 });
    p.warm();
    await p.firstReady;
    const first = p.submit(job('sleep 100'), { key: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    p.cancel('a');
    expect(await first.promise).toMatchObject({ status: 'done' });
    expect(p.counts.killed).toBe(0);
  });

  it('runs a job someone waits for before the others', async () => {
    const p = pool();
    const order: string[] = [];
    const first = p.submit(job('sleep 50'));
    const tickets = ['x', 'y', 'z'].map((t) => {
      const ticket = p.submit(job(t));
      void ticket.promise.then(() => order.push(t));
      return ticket;
    });
    tickets[2].prioritize();
    await Promise.all([first.promise, ...tickets.map((t) => t.promise)]);
    expect(order).toEqual(['z', 'x', 'y']);
  });

  it('reports an engine error as failed, a dead worker as crashed, and goes on', async () => {
    // Filling a 32 MB heap takes well under a second, but more under a loaded CI: the budget is not what is tested here.
    const p = pool({ resourceLimits: { maxOldGenerationSizeMb: 32 }, budgetMs: () => 60_000 });
    expect(await p.submit(job('throw')).promise).toMatchObject({ status: 'failed', name: 'RangeError' });
    expect(await p.submit(job('exit')).promise).toMatchObject({ status: 'crashed', message: expect.stringContaining('code 7') });
    expect(await p.submit(job('oom')).promise).toMatchObject({ status: 'crashed' });
    expect(await p.submit(job('fine')).promise).toMatchObject({ status: 'done', value: 'analyze:fine' });
  });

  it('analyses on its own thread when no worker will start', async () => {
    const p = pool({ workerData: { failStart: true } });
    const result = await p.submit(job('FROM alpine\nRUN echo hi\n')).promise;
    expect(result.status).toBe('done');
    expect(p.isStarted).toBe(true);
    expect(logs.some((l) => l.includes('without a time budget'))).toBe(true);
    const inProcess = pool({ script: null });
    const prepared = await inProcess.submit(job('FROM golang AS b\nRUN go build -o /out/app .\nFROM alpine\nCOPY --from=b /out/app /app\n')).promise;
    expect(prepared).toMatchObject({ status: 'done', value: { uri: 'file:///w/Dockerfile', hovers: { stages: [{}, {}] } } });
  });

  it('answers "cancelled" once closed', async () => {
    const p = pool();
    const waiting = p.submit(job('hang'));
    p.dispose();
    expect(await waiting.promise).toEqual({ status: 'cancelled' });
    expect(await p.submit(job('later')).promise).toEqual({ status: 'cancelled' });
  });
});

describe('time budget', () => {
  it('grows with the size, and is three analyses for fix-all', () => {
    expect(budgetFor(2000, 'analyze', 0)).toBe(2000);
    expect(budgetFor(2000, 'analyze', 2 * 1024 * 1024)).toBe(6000);
    expect(budgetFor(2000, 'fixAll', 0)).toBe(6000);
  });
});

describe('"Ignore <rule> here" comment reader', () => {
  it('reads the ids and where the next one goes', () => {
    expect(readIgnoreComment('# xlint ignore=a, b  ')).toEqual({ end: '# xlint ignore=a, b'.length, ids: ['a', 'b'] });
    expect(readIgnoreComment('  #xlint  IGNORE = ')).toEqual({ end: '  #xlint  IGNORE = '.length, ids: [] });
    expect(readIgnoreComment('# xlint ignore=a!')).toBeNull();
    expect(readIgnoreComment('# hadolint ignore=DL3029')).toBeNull();
  });

  it('is linear: 160k spaces and a stray character take milliseconds, not seconds', () => {
    const line = '# xlint ignore=a' + ' '.repeat(160_000) + '!';
    const started = performance.now();
    expect(readIgnoreComment(line)).toBeNull();
    expect(readIgnoreComment(line.slice(0, -1))).toEqual({ end: '# xlint ignore=a'.length, ids: ['a'] });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('the code action on an instruction under such a comment is quick', () => {
    const text = 'FROM golang:1.22\n# xlint ignore=a' + ' '.repeat(160_000) + '!\nRUN go build -o /out/app .\nFROM alpine\nCOPY --from=0 /out/app /app\n';
    const analysis = analyze(text, settings);
    const started = performance.now();
    const everywhere = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };
    const titles = codeActions(analysis, 'file:///w/Dockerfile', everywhere).map((a) => a.title);
    expect(performance.now() - started).toBeLessThan(500);
    expect(titles.some((t) => t.startsWith('Ignore'))).toBe(true);
  });
});

describe('request parameters are checked, not trusted', () => {
  const TEXT = df`
    FROM golang:1.22 AS build
    RUN go build -o /out/app .
    FROM alpine
    COPY --from=build /out/app /app
  `;

  it('positions and ranges', () => {
    expect(isPosition({ line: 0, character: 0 })).toBe(true);
    for (const bad of [null, {}, { line: -1, character: 0 }, { line: 0.5, character: 0 }, { line: '1', character: 0 }, { line: 0, character: Infinity }]) {
      expect(isPosition(bad)).toBe(false);
    }
    expect(isRange({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } })).toBe(true);
    expect(isRange({ start: { line: 0, character: 0 } })).toBe(false);
  });

  it('an offset per the protocol: past the end of a line is its end; past the last line is nothing', () => {
    expect(documentOffset('ab\ncd\n', { line: 0, character: 99 })).toBe(2);
    expect(documentOffset('ab\r\ncd\n', { line: 0, character: 99 })).toBe(2);
    expect(documentOffset('ab\ncd\n', { line: 1, character: 1 })).toBe(4);
    expect(documentOffset('ab\ncd\n', { line: 9, character: 0 })).toBeNull();
    expect(documentOffset('ab\ncd\n', { line: -1, character: 0 })).toBeNull();
  });

  it('code actions: an invalid range or context gives nothing, not an exception', () => {
    const prepared = prepare(analyze(TEXT, settings), 'file:///w/Dockerfile');
    expect(prepared.diagnostics.length).toBeGreaterThan(0);
    const everywhere = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };
    expect(selectCodeActions(prepared, everywhere, {}).length).toBeGreaterThan(0);
    expect(selectCodeActions(prepared, { start: { line: -1, character: 0 } } as never, {})).toEqual([]);
    const garbage = { only: 'quickfix', diagnostics: [null, { code: 'x' }, { range: 7 }] } as never;
    expect(selectCodeActions(prepared, everywhere, garbage).length).toBeGreaterThan(0);
  });
});
