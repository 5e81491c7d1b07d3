/**
 * EWS response parsing: Dovetail (saxes, streamed) against ews-javascript-api (comparison only),
 * on the same SyncFolderItems and GetItem pages of 512 messages with realistic bodies.
 *
 *   npm run bench:ews            (node --expose-gc, so heap after collection can be measured)
 *
 * Each library runs in its own child process (running ews-javascript-api first was measured to
 * slow later saxes parsing in the same process 2-4x), alternating over several rounds so both see
 * the same machine load. Each library goes through its own client call with the HTTP layer replaced by a stub that
 * returns the page: Dovetail's EwsClient gets the body in 64 KiB chunks from a fake transport,
 * ews-javascript-api's ExchangeService gets it from a fake XHR. Per call we record wall time, CPU
 * time, and heap and RSS above the process's baseline (taken after a collection before the first
 * call); per process, the heap still retained after all calls and a final collection (flat memory
 * means this stays near zero however many pages were parsed) and the peak RSS.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as ews from 'ews-javascript-api';
import { fixedClock, seededRandom } from '../src/clock.ts';
import { EwsClient } from '../src/exchange/ews/client.ts';
import { GetItem } from '../src/exchange/ews/operations/get-item.ts';
import { SyncFolderItems } from '../src/exchange/ews/operations/sync-folder-items.ts';
import { messageFields } from '../src/exchange/ews/schema/message.ts';
import type { EwsTransport, HttpRequest, HttpResponse } from '../src/exchange/ews/transport.ts';
import { getItemPage, itemIds, syncFolderItemsPage } from './ews-pages.ts';

const ITEMS = Number(process.env['BENCH_ITEMS'] ?? 512);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 8);
const WARMUP = 2;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with --expose-gc (npm run bench:ews) so memory after collection can be measured');
  process.exit(1);
}

class PageTransport implements EwsTransport {
  page = new Uint8Array();
  async send(_r: HttpRequest): Promise<HttpResponse> {
    const page = this.page;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: (async function* () {
        for (let i = 0; i < page.length; i += 65536) yield page.subarray(i, i + 65536);
      })(),
    };
  }
  async close(): Promise<void> {}
}

const transport = new PageTransport();
const dovetail = new EwsClient({ transport, url: 'https://mail.contoso.com/EWS/Exchange.asmx', clock: fixedClock(0), random: seededRandom(1), maxConcurrent: 1, timeoutMs: 120_000, maxRetries: 0, limits: { maxBytes: 256 * 1024 * 1024 } });

let ewsPage = '';
const service = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
service.Url = new ews.Uri('https://mail.contoso.com/EWS/Exchange.asmx');
service.Credentials = new ews.WebCredentials('bench', 'bench');
const fakeXhr = {
  apiName: 'bench',
  xhr: async () => ({ status: 200, responseText: ewsPage, response: ewsPage, getAllResponseHeaders: () => 'content-type: text/xml; charset=utf-8', getResponseHeader: () => 'text/xml; charset=utf-8' }) as unknown as XMLHttpRequest,
  xhrStream: async () => {
    throw new Error('not used');
  },
  disconnect: () => undefined,
};
service.XHRApi = fakeXhr as unknown as typeof service.XHRApi;
const propertySet = new ews.PropertySet(ews.BasePropertySet.FirstClassProperties);

type Case = { name: string; page: string; dovetail: () => Promise<unknown>; ewsjs: () => Promise<unknown> };

const syncPage = syncFolderItemsPage(ITEMS);
const getPage = getItemPage(ITEMS);
const ids = itemIds(getPage);
const shape = { baseShape: 'IdOnly' as const, fields: messageFields, bodyType: 'Best' as const };

const cases: Case[] = [
  {
    name: `SyncFolderItems, ${ITEMS} messages`,
    page: syncPage,
    dovetail: async () => (await dovetail.call(SyncFolderItems, { folder: { distinguished: 'inbox' }, syncState: 'S', maxChangesReturned: 512, shape }, { mailbox: 'sadie@contoso.com' })).changes.length,
    ewsjs: async () =>
      (await service.SyncFolderItems(new ews.FolderId(ews.WellKnownFolderName.Inbox), propertySet, null as unknown as ews.ItemId[], 512, ews.SyncFolderItemsScope.NormalItems, 'S')).Count,
  },
  {
    name: `GetItem, ${ITEMS} messages`,
    page: getPage,
    dovetail: async () => (await dovetail.call(GetItem, { ids: ids.map((Id) => ({ Id })), shape }, { mailbox: 'sadie@contoso.com' })).length,
    ewsjs: async () => (await service.BindToItems(ids.map((i) => new ews.ItemId(i)), propertySet)).Count,
  },
];

type Sample = { ms: number; cpuMs: number; heapAfterMB: number; rssAfterMB: number };
type ProcessResult = { samples: Sample[]; retainedMB: number; rssPeakMB: number };
const mb = (b: number): number => b / (1024 * 1024);

/**
 * One call: wall and CPU time, and heap/RSS above the process baseline right after it (no forced
 * collection in between, which was measured to distort V8's own heuristics over repeated runs).
 */
async function measure(run: () => Promise<unknown>, expected: number, base: NodeJS.MemoryUsage): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = process.memoryUsage();
  if (result !== expected) throw new Error(`expected ${expected} items, got ${String(result)}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, heapAfterMB: mb(after.heapUsed - base.heapUsed), rssAfterMB: mb(after.rss - base.rss) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 1): string => n.toFixed(d).padStart(8);

type Lib = 'dovetail' | 'ews-javascript-api';
const LIBS: Lib[] = ['dovetail', 'ews-javascript-api'];
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

/** Child mode: one library, one case, in a fresh V8 so neither library's heap or JIT state affects the other. */
async function child(caseIndex: number, lib: Lib): Promise<void> {
  const c = cases[caseIndex]!;
  transport.page = new TextEncoder().encode(c.page);
  ewsPage = c.page;
  const run = lib === 'dovetail' ? c.dovetail : c.ewsjs;
  const samples: Sample[] = [];
  gc!();
  const base = process.memoryUsage();
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const s = await measure(run, ITEMS, base);
    if (i >= WARMUP) samples.push(s);
  }
  gc!();
  const end = process.memoryUsage();
  const result: ProcessResult = { samples, retainedMB: mb(end.heapUsed - base.heapUsed), rssPeakMB: Math.max(...samples.map((x) => x.rssAfterMB)) };
  process.stdout.write(JSON.stringify(result));
}

function spawnChild(caseIndex: number, lib: Lib): ProcessResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD: `${caseIndex}:${lib}` },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`child ${lib} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ProcessResult;
}

const childSpec = process.env['BENCH_CHILD'];
if (childSpec) {
  const [i, lib] = childSpec.split(':') as [string, Lib];
  await child(Number(i), lib);
} else {
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`${ITEMS} items per page; each library in its own process; ${ROUNDS} rounds alternating the libraries, ${RUNS} measured calls after ${WARMUP} warm-up calls per process; ms and MB`);
  for (const [index, c] of cases.entries()) {
    console.log(`\n${c.name} — page ${(Buffer.byteLength(c.page) / (1024 * 1024)).toFixed(2)} MB`);
    const results: Record<Lib, Sample[]> = { dovetail: [], 'ews-javascript-api': [] };
    const processes: Record<Lib, ProcessResult[]> = { dovetail: [], 'ews-javascript-api': [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const lib of LIBS) {
        const p = spawnChild(index, lib);
        processes[lib].push(p);
        results[lib].push(...p.samples);
      }
    }
    for (const lib of LIBS) {
      const samples = results[lib];
      console.log(`  ${lib.padEnd(20)} wall time:           ${samples.map((s) => s.ms.toFixed(0)).join(' ')}`);
      console.log(`  ${' '.repeat(20)} CPU time:            ${samples.map((s) => s.cpuMs.toFixed(0)).join(' ')}`);
      console.log(`  ${' '.repeat(20)} heap above baseline: ${samples.map((s) => s.heapAfterMB.toFixed(1)).join(' ')}`);
      console.log(`  ${' '.repeat(20)} RSS above baseline:  ${samples.map((s) => s.rssAfterMB.toFixed(1)).join(' ')}`);
      console.log(`  ${' '.repeat(20)} per process, heap retained after all calls + GC: ${processes[lib].map((p) => p.retainedMB.toFixed(2)).join(' ')}; peak RSS above baseline: ${processes[lib].map((p) => p.rssPeakMB.toFixed(1)).join(' ')}`);
    }
    console.log(`  ${'median'.padEnd(20)} ${'wall'.padStart(8)} ${'cpu'.padStart(8)} ${'heap+'.padStart(8)} ${'rss+'.padStart(8)} ${'retained'.padStart(8)}`);
    for (const lib of LIBS) {
      const s = results[lib];
      console.log(
        `  ${lib.padEnd(20)} ${fmt(median(s.map((x) => x.ms)))} ${fmt(median(s.map((x) => x.cpuMs)))} ${fmt(median(s.map((x) => x.heapAfterMB)))} ${fmt(median(s.map((x) => x.rssAfterMB)))} ${fmt(median(processes[lib].map((p) => p.retainedMB)), 2)}`,
      );
    }
    const d = results['dovetail'];
    const e = results['ews-javascript-api'];
    const ratio = (f: (x: Sample) => number, agg: (xs: number[]) => number): string => (agg(e.map(f)) / agg(d.map(f))).toFixed(1);
    const min = (xs: number[]): number => Math.min(...xs);
    console.log(`  speed-up: CPU time ${ratio((x) => x.cpuMs, median)}x (median) ${ratio((x) => x.cpuMs, min)}x (min); wall time ${ratio((x) => x.ms, median)}x (median) ${ratio((x) => x.ms, min)}x (min)`);
  }
}
