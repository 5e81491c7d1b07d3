/**
 * Which email a user's or queue's mailbox tracks, set on the mailbox page in Chromium against the
 * API served in-process on PGlite: an administrator chooses for a user and a queue and puts one
 * back on the org's setting, each checked in the API; a mailbox owner sees its choice but cannot
 * change it; a refused value is shown. axe-core on each state; any console error fails the run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';
import { axeViolations } from './axe.ts';

const NANCY = 'nancy@contoso.com';
const SUPPORT = 'support@contoso.com';

describe("a user's or queue's tracked email on the mailbox page (Chromium)", { skip: browserSkip() }, () => {
  let store: Store;
  let api: Api;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let adminToken = '';
  let profileDir = '';
  let webRoot = '';
  const problems: string[] = [];
  const violations: string[] = [];
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    assert.ok(r.statusCode < 300, `${method} ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const axe = async (state: string) => {
    for (const v of await axeViolations(page)) violations.push(`${state}: ${v}`);
  };
  const nav = async (hash: string, heading: string) => {
    await page.goto(`${base}/#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
  };
  const save = async (path: string, name: string) => {
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'PATCH'),
      page.getByRole('button', { name, exact: true }).click(),
    ]);
  };
  const track = () => page.getByLabel('Track', { exact: true });

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    assert.ok(existsSync(join(webRoot, 'index.html')));
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 7))), systemRandom) });
    api = await buildApi({
      store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot,
    });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    adminToken = (await ensureFirstAdministratorToken(store, systemRandom))!.token;
    const nancy = await call('POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: NANCY });
    ids['nancy'] = nancy.id;
    ids['nancyBox'] = nancy.mailboxId;
    const support = await call('POST', '/api/queues', { name: 'Support', emailAddress: SUPPORT });
    ids['support'] = support.id;
    ids['supportBox'] = support.mailboxId;

    profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(base);
    await page.getByLabel('API token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
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

  it("shows a user following the org, sets a choice of its own, and puts it back on the org's", async () => {
    await call('PATCH', '/api/settings/email', { trackEmails: 'from-crm-parties' });
    await nav(`/mailboxes/${ids['nancyBox']}`, NANCY);
    await page.getByRole('heading', { level: 2, name: 'User settings' }).waitFor();
    assert.equal(await track().inputValue(), '', 'follows the org');
    assert.equal(await track().locator('option:checked').innerText(), 'As the email settings: Email messages from CRM leads, contacts and accounts');
    assert.deepEqual(await track().locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      ['', 'all', 'responses-to-crm', 'from-crm-parties', 'from-email-enabled-records', 'none']);
    await axe('user mailbox following the org');

    await track().selectOption({ label: 'No email messages' });
    await save(`/api/users/${ids['nancy']}`, 'Save user settings');
    await page.getByText('User settings saved.').waitFor();
    assert.equal((await call('GET', `/api/users/${ids['nancy']}`)).trackEmails, 'none');
    const audit = await call('GET', `/api/audit?entityType=user&entityId=${ids['nancy']}`);
    assert.ok(audit.some((e: { action: string; changes: { trackEmails?: unknown } }) => e.action === 'user.update' && e.changes.trackEmails === 'none'), 'audited');

    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'User settings' }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await track().inputValue(), 'none', 'the page shows the saved choice');
    await track().selectOption('');
    await save(`/api/users/${ids['nancy']}`, 'Save user settings');
    await page.getByText('User settings saved.').waitFor();
    assert.equal((await call('GET', `/api/users/${ids['nancy']}`)).trackEmails, null);
  });

  it("sets a queue's choice on its mailbox page", async () => {
    await nav(`/mailboxes/${ids['supportBox']}`, SUPPORT);
    await page.getByRole('heading', { level: 2, name: 'Queue settings' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Appointments, contacts and tasks' }).count(), 0, 'queues have no ACT');
    await track().selectOption('all');
    await save(`/api/queues/${ids['support']}`, 'Save queue settings');
    await page.getByText('Queue settings saved.').waitFor();
    assert.equal((await call('GET', `/api/queues/${ids['support']}`)).trackEmails, 'all');
    await axe('queue mailbox with its own choice');
  });

  it('shows the API refusal under the field', async () => {
    await nav(`/mailboxes/${ids['supportBox']}`, SUPPORT);
    // An option the API does not offer, as a stale page or a changed server would send it.
    await track().evaluate((el) => {
      const o = document.createElement('option');
      o.value = 'responses';
      o.textContent = 'Responses';
      el.appendChild(o);
    });
    await track().selectOption('responses');
    await save(`/api/queues/${ids['support']}`, 'Save queue settings');
    const error = page.locator('[data-field="trackEmails"] .error-text');
    await error.waitFor();
    assert.equal(await error.innerText(), 'Track: is not one of the allowed values');
    assert.equal((await call('GET', `/api/queues/${ids['support']}`)).trackEmails, 'all');
  });

  it("shows a mailbox owner its user's choice without a way to change it", async () => {
    await call('PATCH', `/api/users/${ids['nancy']}`, { trackEmails: 'all' });
    const { token } = await call('POST', '/api/tokens', { name: 'nancy laptop', role: 'mailbox-owner', userId: ids['nancy'] });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mailboxes' }).waitFor();
    await nav(`/mailboxes/${ids['nancyBox']}`, NANCY);
    await page.getByRole('heading', { level: 2, name: 'User settings' }).waitFor();
    assert.equal(await track().inputValue(), 'all');
    assert.equal(await track().isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save user settings' }).count(), 0);
    await page.getByText('An administrator changes it.').waitFor();
    await axe('mailbox owner');
  });

  it('broke no WCAG 2.1 A/AA rule and logged no console error', () => {
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  });
});
