/**
 * Admin center actions the other browser suites do not reach, in Chromium against the API served
 * in-process: sorting the mailbox list by a column (and back), uploading cmdlet output files to the
 * HMA readiness check, and retrying an email that failed to be tracked from its mailbox page.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { recordFailure } from '../../src/sync/item-failures.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';
import { axeViolations } from './axe.ts';

const PEOPLE = [['Zoe Zimmer', 'zoe@contoso.com'], ['Adam Abbott', 'adam@contoso.com'], ['Maria Marsh', 'maria@contoso.com']] as const;

describe('admin center actions: sorting, HMA upload, retrying a failed item (Chromium)', { skip: browserSkip() }, () => {
  let store: Store;
  let api: Api;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let adminToken = '';
  let profileDir = '';
  let webRoot = '';
  const mailboxOf: Record<string, string> = {};
  const problems: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    assert.ok(r.statusCode < 300, `${method} ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const open = async (hash: string, heading: string) => {
    await page.goto(`${base}/#${hash}`);
    await page.locator('h1').first().waitFor();
    if (await page.getByLabel('API token').count() > 0) {
      await page.getByLabel('API token').fill(adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
  };
  const ownerColumn = () => page.locator('table.mailboxes tbody tr td:nth-child(2)').allInnerTexts();

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    assert.ok(existsSync(join(webRoot, 'index.html')));
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 5))), systemRandom) });
    api = await buildApi({ store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    adminToken = (await ensureFirstAdministratorToken(store, systemRandom))!.token;
    for (const [name, address] of PEOPLE) mailboxOf[address] = (await call('POST', '/api/users', { fullName: name, emailAddress: address })).mailboxId;

    profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  after(async () => {
    try {
      await browser?.close();
      await api?.close();
      await store?.close();
    } finally {
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      if (webRoot) rmSync(webRoot, { recursive: true, force: true });
    }
  });

  it('sorts the mailbox list by a column, both ways, and says so to screen readers', async () => {
    await open('/mailboxes', 'Mailboxes');
    const byOwner = ['Adam Abbott', 'Maria Marsh', 'Zoe Zimmer'];
    assert.deepEqual((await ownerColumn()).map((t) => t.trim().split('\n')[0]), byOwner, 'sorted by owner at first');
    const owner = page.getByRole('columnheader', { name: /Owner/ });
    assert.equal(await owner.getAttribute('aria-sort'), 'ascending');
    await owner.getByRole('button').click();
    assert.deepEqual((await ownerColumn()).map((t) => t.trim().split('\n')[0]), [...byOwner].reverse());
    assert.equal(await owner.getAttribute('aria-sort'), 'descending');
    const email = page.getByRole('columnheader', { name: /Email address/ });
    await email.getByRole('button').click();
    assert.equal(await email.getAttribute('aria-sort'), 'ascending');
    assert.equal(await owner.getAttribute('aria-sort'), 'none');
    const addresses = await page.locator('table.mailboxes tbody tr td:nth-child(3)').allInnerTexts();
    assert.deepEqual(addresses.map((a) => a.trim()), ['adam@contoso.com', 'maria@contoso.com', 'zoe@contoso.com']);
  });

  it('checks HMA readiness from uploaded cmdlet output files', async () => {
    await open('/hma', 'HMA readiness');
    const dir = join(projectRoot, 'test/fixtures/hma/ready');
    await page.locator('input[type="file"]').setInputFiles(['organization.txt', 'service-principal.txt', 'virtual-directories.txt'].map((f) => join(dir, f)));
    await page.getByText('Files: organization.txt, service-principal.txt, virtual-directories.txt').waitFor();
    await page.getByRole('button', { name: 'Check readiness' }).click();
    const verdict = page.getByRole('heading', { level: 2, name: /Ready for Hybrid Modern Authentication|Not ready yet/ });
    await verdict.waitFor();
    // The same files through the API give the same verdict: the page sent what was uploaded.
    const report = (await call('POST', '/api/hma/check', { inputs: ['organization.txt', 'service-principal.txt', 'virtual-directories.txt'].map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') })) })).report;
    assert.equal(await verdict.innerText(), report.ready ? 'Ready for Hybrid Modern Authentication' : 'Not ready yet');
    assert.deepEqual(await axeViolations(page), []);
  });

  it('retries an email that failed to be tracked, from its mailbox page', async () => {
    const mailboxId = mailboxOf['maria@contoso.com']!;
    const db = syncDb(store.kysely);
    await recordFailure(db, {
      id: systemRandom.uuid(), mailboxId, pipeline: 'incoming', exchangeItemId: 'AAMkAD-item-1', emailId: null, messageId: '<order-1001@fabrikam.example>',
      subject: 'Order 1001', error: { code: 'activity_create_failed', message: 'The email could not be tracked: the body holds a NUL character.' }, now: new Date(), retentionDays: 30,
    });
    await open(`/mailboxes/${mailboxId}`, 'maria@contoso.com');
    const item = page.locator('ul.failures li', { hasText: 'Order 1001' });
    await item.waitFor();
    assert.match(await item.innerText(), /activity_create_failed/);
    await Promise.all([
      page.waitForResponse((r) => /\/api\/sync\/failures\/[^/]+\/retry$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST'),
      item.getByRole('button', { name: 'Retry' }).click(),
    ]);
    const failures = await call('GET', `/api/sync/failures?mailboxId=${mailboxId}`);
    assert.equal(failures.length, 1);
    assert.notEqual(failures[0].status, 'failed', 'the retry was requested');
    await page.locator('ul.failures li', { hasText: 'Order 1001' }).getByRole('button', { name: 'Retry' }).waitFor({ state: 'detached' });
  });

  it('logged no console error', () => {
    assert.deepEqual(problems, []);
  });
});
