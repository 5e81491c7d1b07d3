/**
 * The admin center's settings fields in a real browser (Debian's Chromium through playwright-core)
 * against the API served in-process: org email settings for alerts, duplicate addresses and the
 * attachment size; a profile's allowed Autodiscover redirect domains and clearing a field back to
 * none; a mailbox's "process email from" on its page and in bulk edit; the attachments an email
 * left out; and what a mailbox-owner token sees (its role, its own mailbox only, no admin actions).
 * No worker and no Exchange lab: nothing here synchronizes. Any console error fails the run.
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
import { syncDb } from '../../src/sync/sync-tables.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';

const NANCY = 'nancy@contoso.com';
const ANDREW = 'andrew@contoso.com';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('admin center settings fields in Chromium', { skip: browserSkip() }, () => {
  let store: Store;
  let api: Api;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let adminToken = '';
  let profileDir = '';
  let webRoot = '';
  const problems: string[] = [];
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    assert.ok(r.statusCode < 300, `${method} ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  /** Every form control of the page has a label (or aria-label) a screen reader can announce. */
  const assertLabelled = async (where: string) => {
    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select, textarea'))
        .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${where}`);
  };
  const nav = async (hash: string, heading: string) => {
    await page.goto(`${base}/#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
    await assertLabelled(hash);
  };
  const clickAndWait = async (path: string, button: string) => {
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname.startsWith(path) && r.request().method() !== 'GET'),
      page.getByRole('button', { name: button, exact: true }).click(),
    ]);
  };
  const fieldError = (apiName: string) => page.locator(`[data-field="${apiName}"] .error-text`);
  const signIn = async (token: string) => {
    if (await page.getByRole('button', { name: 'Sign out' }).count() > 0) await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  before(async () => {
    // Always build (a dist/web left from older sources would test the wrong admin center), into a
    // directory of its own: other browser suites build and serve at the same time.
    webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    assert.ok(existsSync(join(webRoot, 'index.html')));
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 7))), systemRandom) });
    api = await buildApi({
      store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot,
    });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    adminToken = (await ensureFirstAdministratorToken(store, systemRandom))!.token;
    for (const [name, address] of [['Nancy Davolio', NANCY], ['Andrew Fuller', ANDREW]] as const) {
      const user = await call('POST', '/api/users', { fullName: name, emailAddress: address });
      ids[address] = user.mailboxId;
      ids[`user:${address}`] = user.id;
    }
    // An incoming email whose attachment was over the size limit, as the incoming pipeline records it.
    const now = new Date();
    await syncDb(store.kysely).insertInto('email_activities').values({
      id: systemRandom.uuid(), mailbox_id: ids[NANCY]!, direction: 'incoming', status: 'received', subject: 'Signed contract', body_type: 'text', body: 'Attached.',
      parties: JSON.stringify([{ role: 'from', address: 'ana@fabrikam.example', name: 'Ana Diaz', partyType: null, partyId: null }]),
      omitted_attachments: JSON.stringify([{ name: 'contract-scan.pdf', contentType: 'application/pdf', size: 9 * 1024 * 1024, reason: 'over-size-limit', limitBytes: 5120 * 1024 }]),
      received_at: now, created_at: now, updated_at: now,
    }).execute();

    profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => {
      // Chromium logs every non-2xx fetch; 4xx answers are ones the UI handles and shows.
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(base);
    await signIn(adminToken);
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

  it('shows who is signed in from /api/me', async () => {
    await page.locator('.who-token', { hasText: 'first administrator' }).waitFor();
    assert.equal(await page.locator('.who-user').count(), 0, 'an administrator token belongs to no user');
  });

  it('sets alert levels, duplicate-address rules and the attachment size, with the API message next to a refused field', async () => {
    await nav('/settings', 'Email settings');
    for (const label of ['Error', 'Warning', 'Information', 'Alert the mailbox owner']) assert.equal(await page.getByLabel(label, { exact: true }).isChecked(), true, label);
    await page.getByLabel('Information', { exact: true }).uncheck();
    await page.getByLabel('Alert the mailbox owner').uncheck();
    await page.getByLabel('Sender matching several records').selectOption('newest');
    await page.getByLabel('Recipient matching several records').selectOption('unresolved');
    await page.getByLabel('Maximum attachment size (KB)').fill('1024');
    await clickAndWait('/api/settings/email', 'Save');
    await page.getByText('Email settings saved.').waitFor();
    const s = await call('GET', '/api/settings/email');
    assert.deepEqual(
      [s.alertLevels, s.alertMailboxOwners, s.senderDuplicateRule, s.recipientDuplicateRule, s.maxAttachmentSizeKb],
      [['error', 'warning'], false, 'newest', 'unresolved', 1024],
    );
    await nav('/alerts', 'Alerts');
    await page.locator('.notice', { hasText: 'Information alerts are not recorded' }).waitFor();
    await nav('/settings', 'Email settings');

    await page.getByLabel('Maximum attachment size (KB)').fill('0');
    await clickAndWait('/api/settings/email', 'Save');
    await fieldError('maxAttachmentSizeKb').waitFor();
    assert.match(await fieldError('maxAttachmentSizeKb').innerText(), /Maximum attachment size \(KB\): must be between 1 and 131072/);
    assert.equal((await call('GET', '/api/settings/email')).maxAttachmentSizeKb, 1024);
  });

  it('saves a profile with allowed Autodiscover redirect domains, refuses a URL there, and clears a field back to none', async () => {
    await nav('/profiles/new/exchange-server', 'New Exchange Server profile');
    await page.getByLabel('Name', { exact: true }).fill('Contoso');
    await page.getByLabel('User name').fill('CONTOSO\\svc-crm');
    await page.getByLabel('Password').fill('not-a-real-password');
    await page.getByLabel('Allowed Autodiscover redirect domains').fill('https://fabrikam.com/');
    await clickAndWait('/api/profiles', 'Save');
    await fieldError('autodiscoverAllowedRedirectDomains').waitFor();
    await page.getByLabel('Allowed Autodiscover redirect domains').fill('fabrikam.com\ncontoso-mail.com');
    await page.getByLabel('Trusted CA bundle (PEM)').fill(PEM);
    await clickAndWait('/api/profiles', 'Save');
    await page.getByText('Profile saved.').waitFor();
    const [profile] = await call('GET', '/api/profiles');
    assert.deepEqual(profile.autodiscoverAllowedRedirectDomains, ['fabrikam.com', 'contoso-mail.com']);
    assert.equal(profile.trustedCaBundle, PEM);
    ids['profile'] = profile.id;

    await page.getByRole('heading', { level: 1, name: 'Contoso' }).waitFor();
    assert.equal(await page.getByLabel('Allowed Autodiscover redirect domains').inputValue(), 'fabrikam.com\ncontoso-mail.com');
    await page.getByLabel('Trusted CA bundle (PEM)').fill('');
    await clickAndWait(`/api/profiles/${profile.id}`, 'Save');
    await page.getByText('Profile saved.').waitFor();
    assert.equal((await call('GET', `/api/profiles/${profile.id}`)).trustedCaBundle, null);
    await page.getByLabel('Auto-discover server location').uncheck();
    assert.equal(await page.getByLabel('Allowed Autodiscover redirect domains').count(), 0, 'only shown with Autodiscover');
  });

  it("sets a mailbox's process email from on its page and shows an attachment that was left out", async () => {
    await nav(`/mailboxes/${ids[NANCY]}`, NANCY);
    await page.getByText('contract-scan.pdf').waitFor();
    assert.match(await page.locator('.omitted li').first().innerText(), /contract-scan\.pdf \(9\.0 MB\) not stored: larger than the maximum attachment size of 5,120 KB/);
    await page.getByLabel('Process email from').fill('2026-03-01T08:30');
    await clickAndWait(`/api/mailboxes/${ids[NANCY]}`, 'Save mailbox settings');
    await page.getByText('Mailbox settings saved.').waitFor();
    const m = await call('GET', `/api/mailboxes/${ids[NANCY]}`);
    assert.equal(new Date(m.processEmailFrom).getTime(), new Date('2026-03-01T08:30').getTime());
  });

  it('sets and clears process email from for several mailboxes in bulk edit', async () => {
    await nav('/mailboxes', 'Mailboxes');
    await page.getByLabel('Select all shown mailboxes').check();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Process email from').selectOption('set');
    await dialog.getByLabel('Process email received after').fill('2026-04-01T00:00');
    await assertLabelled('bulk edit');
    await clickAndWait('/api/mailboxes/bulk-edit', 'Change');
    await dialog.waitFor({ state: 'detached' });
    for (const address of [NANCY, ANDREW]) {
      assert.equal(new Date((await call('GET', `/api/mailboxes/${ids[address]}`)).processEmailFrom).getTime(), new Date('2026-04-01T00:00').getTime(), address);
    }
    await page.getByLabel('Select all shown mailboxes').check();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await dialog.getByLabel('Process email from').selectOption('clear');
    await clickAndWait('/api/mailboxes/bulk-edit', 'Change');
    await dialog.waitFor({ state: 'detached' });
    for (const address of [NANCY, ANDREW]) assert.equal((await call('GET', `/api/mailboxes/${ids[address]}`)).processEmailFrom, null, address);
  });

  it('shows a mailbox owner its role and user, only its own mailbox, and no administrator actions', async () => {
    const { token } = await call('POST', '/api/tokens', { name: 'nancy laptop', role: 'mailbox-owner', userId: ids[`user:${NANCY}`] });
    await signIn(token);
    await page.getByRole('heading', { level: 1, name: 'Mailboxes' }).waitFor();
    await page.locator('.who-token', { hasText: 'nancy laptop' }).waitFor();
    await page.locator('.who-user', { hasText: NANCY }).waitFor();
    await page.getByRole('row', { name: /Nancy Davolio/ }).waitFor();
    assert.equal(await page.locator('table.mailboxes tbody tr').count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'HMA readiness' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Edit', exact: true }).count(), 0);

    await nav(`/mailboxes/${ids[NANCY]}`, NANCY);
    assert.equal(await page.getByRole('button', { name: 'Save mailbox settings' }).count(), 1, 'an owner may set its own mailbox');
    assert.equal(await page.getByRole('button', { name: 'Approve Email' }).count(), 0);

    await page.goto(`${base}/#/mailboxes/${ids[ANDREW]}`);
    await page.locator('.notice-bad', { hasText: 'this mailbox belongs to another user' }).waitFor();

    await nav('/settings', 'Email settings');
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    assert.equal(await page.getByLabel('Error', { exact: true }).isDisabled(), true);
  });

  it('logged no console error', () => {
    assert.deepEqual(problems, []);
  });
});
