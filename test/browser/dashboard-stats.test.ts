/**
 * The dashboard charts what the API measured: email, failures, throttling answers and request
 * latency from GET /api/stats/timeseries, in Chromium, at 1280 px and on a narrow window.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { ExchangeRequestHours, HOUR_MS, saveRequestHours } from '../../src/observability/exchange-request-hours.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { openTestStore, TEST_EPOCH, type TestStore } from '../foundation/test-store.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';

describe('dashboard charts measured series', { skip: browserSkip() }, () => {
  let t: TestStore;
  let api: Api;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let token = '';
  const dirs: string[] = [];
  const problems: string[] = [];

  before(async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    dirs.push(webRoot);
    // Its own build directory: other suites may be serving dist/web at the same time.
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    t = await openTestStore('pglite');
    const now = TEST_EPOCH + 20 * 60_000;
    t.clock.set(now);
    api = await buildApi({ store: t.store, clock: t.clock, random: seededRandom(5), logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    token = (await ensureFirstAdministratorToken(t.store, seededRandom(6)))!.token;
    const user = await api.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${token}` }, payload: { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' } });
    const mailboxId = user.json().mailboxId as string;

    const db = t.store.kysely as Kysely<any>;
    const at = new Date(now - 5 * 60_000);
    const email = (n: number, direction: string, sentAt: Date | null) => ({
      id: `00000000-0000-4000-8000-00000000000${n}`, mailbox_id: mailboxId, direction, status: direction === 'incoming' ? 'received' : 'sent', subject: `s${n}`,
      body_type: 'text', body: '', parties: '[]', sent_at: sentAt, received_at: null, created_at: at, updated_at: at,
    });
    await db.insertInto('email_activities').values([email(1, 'incoming', null), email(2, 'incoming', null), email(3, 'outgoing', at)]).execute();
    await db.insertInto('sync_runs').values({
      id: '10000000-0000-4000-8000-000000000001', mailbox_id: mailboxId, profile_id: null, pipeline: 'incoming', worker: 'w1', lease_epoch: 1,
      started_at: at, finished_at: at, outcome: 'error', items_processed: 0, items_failed: 0, error_code: 'ews_throttled', error_message: null,
    }).execute();
    const hours = new ExchangeRequestHours(fixedClock(now - HOUR_MS));
    for (const [latencyMs, throttled] of [[120, 0], [480, 1], [60, 1], [240, 0]] as const) {
      hours.observe({ provider: 'ews', operation: 'SyncFolderItems', outcome: throttled > 0 ? 'throttled' : 'ok', latencyMs, throttled });
    }
    await saveRequestHours(db, hours.drain());

    const profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    dirs.push(profileDir);
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    await api?.close();
    await t?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const chart = (title: string) => page.locator('figure.chart').filter({ has: page.locator('figcaption', { hasText: title }) }).locator('svg');

  it('charts email, failures, throttling answers and latency from the stats API', async () => {
    await page.goto(base);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await chart('Throttling by Exchange per hour').waitFor();
    assert.equal(await chart('Email per hour').getAttribute('aria-label'), 'Email per hour: Tracked 2, Sent 1');
    assert.equal(await chart('Failures per hour').getAttribute('aria-label'), 'Failures per hour: Failed runs 1, Failed items 0');
    assert.equal(await chart('Throttling by Exchange per hour').getAttribute('aria-label'), 'Throttling by Exchange per hour: Throttling answers 2');
    assert.equal(await chart('Exchange request latency').getAttribute('aria-label'), 'Exchange request latency per hour (ms): Mean max 225 ms, 95th percentile max 480 ms');
    assert.match(await page.locator('.card', { hasText: 'Throttling by Exchange' }).innerText(), /4 requests to Exchange, 0 failed otherwise/);
    assert.equal(await chart('Email per hour').locator('g').count(), 24);
    const shots = process.env['DOVETAIL_SCREENSHOTS_DIR'];
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'dashboard-stats.png'), fullPage: true });
  });

  it('switches to seven days of hours, and fits a narrow window', async () => {
    await page.getByLabel('Period').selectOption({ label: 'Last 7 days' });
    await page.locator('.kpi-label', { hasText: 'last 7 days' }).first().waitFor();
    assert.equal(await chart('Email per hour').locator('g').count(), 24 * 7);
    assert.equal(await chart('Throttling by Exchange per hour').getAttribute('aria-label'), 'Throttling by Exchange per hour: Throttling answers 2');
    await page.setViewportSize({ width: 400, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
    assert.deepEqual(problems, []);
  });
});
