/**
 * The admin center in a real browser (Debian's Chromium through playwright-core) against the API
 * served in-process, the sync worker and the Exchange lab: sign in, create each profile type (with
 * validation messages next to their field), set the email settings, apply defaults, approve and
 * test & enable mailboxes while watching statuses change, see a failure with its details, a tracked
 * email and alerts. Every page is screenshotted into a temp dir (or DOVETAIL_SCREENSHOTS_DIR).
 * Any console error or uncaught page error fails the run (HTTP 4xx answers the UI shows are expected).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { openDriver } from '../../src/exchange/index.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { defaultEngineOptions } from '../../src/sync/engine-deps.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';
import { axeViolations } from './axe.ts';

const ALEX = 'alex.wilber@contoso.lab';
const SALES = 'sales@contoso.lab';
const GHOST = 'ghost@contoso.lab';

describe('admin center in Chromium', { skip: browserSkip() }, () => {
  let lab: LabHandle;
  let store: Store;
  let api: Api;
  let worker: Worker;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let adminToken = '';
  let profileDir = '';
  let webRoot = '';
  let shotsDir = '';
  const problems: string[] = [];
  /** What the worker warned about, shown when a sync step does not happen in time. */
  const workerLog: string[] = [];
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    assert.ok(r.statusCode < 300, `${method} ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const inaccessible: string[] = [];
  /** A screenshot of the page as it is, and an accessibility check of that same state. */
  const shot = async (name: string) => {
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: false });
    for (const v of await axeViolations(page)) inaccessible.push(`${name}: ${v}`);
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
  /** Clicks Save and waits for the API's answer; returns what the page then shows as errors. */
  const save = async (path: string) => {
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname.startsWith(path) && r.request().method() !== 'GET'), page.getByRole('button', { name: 'Save' }).click()]);
    await page.waitForTimeout(50);
    return page.locator('.notice-bad, .error-text').allInnerTexts();
  };
  const fieldError = (apiName: string) => page.locator(`[data-field="${apiName}"] .error-text`);

  before(async () => {
    const t0 = Date.now();
    const mark = (what: string) => process.env['DOVETAIL_TEST_TRACE'] && console.log(`${what} ${Date.now() - t0} ms`);
    // Always build (a dist/web left from older sources would test the wrong admin center), into a
    // directory of its own: other browser suites build and serve at the same time.
    webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    assert.ok(existsSync(join(webRoot, 'index.html')));
    shotsDir = process.env['DOVETAIL_SCREENSHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'dovetail-shots-'));
    mkdirSync(shotsDir, { recursive: true });
    mark('built');
    lab = await startLab({ authSchemes: ['NTLM'] });
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 7))), systemRandom) });
    api = await buildApi({
      store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot,
    });
    mark('store and api');
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    adminToken = (await ensureFirstAdministratorToken(store, systemRandom))!.token;
    worker = createWorker({
      store, clock: systemClock, random: systemRandom, workerId: 'browser-test',
      log: { info: () => undefined, warn: (o: object, m: string) => void workerLog.push(`warn ${m} ${JSON.stringify(o)}`), error: (o: object, m: string) => void workerLog.push(`error ${m} ${JSON.stringify(o)}`) },
      options: { ...defaultEngineOptions, pollIntervalMs: 200, messageIdDomain: 'crm.contoso.lab', testArrivalTimeoutMs: 45_000, testArrivalPollMs: 100 },
      openDriver: async (p) => openDriver(p, await store.profiles.getSecrets(p.id), { clock: systemClock, random: systemRandom }),
    });
    worker.start();
    for (const [name, address] of [['Alex Wilber', ALEX], ['Ghost User', GHOST]] as const) {
      const user = await call('POST', '/api/users', { fullName: name, emailAddress: address });
      ids[address] = user.mailboxId;
      ids[`user:${address}`] = user.id;
    }
    ids[SALES] = (await call('POST', '/api/queues', { name: 'Sales', emailAddress: SALES })).mailboxId;
    await call('POST', '/api/contacts', { firstName: 'Ana', lastName: 'Diaz', emailAddresses: ['ana@fabrikam.example'] });

    mark('seeded');
    profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    // Generous waits: the worker, the lab and Chromium share two cores with other suites under npm test.
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => {
      // Chromium logs every non-2xx fetch; 4xx answers are ones the UI handles and shows.
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  after(async () => {
    try {
      await browser?.close();
      await worker?.stop();
      await api?.close();
      await store?.close();
      await lab?.close();
    } finally {
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      if (webRoot) rmSync(webRoot, { recursive: true, force: true });
      if (process.env['DOVETAIL_SCREENSHOTS_DIR'] === undefined && shotsDir !== '') rmSync(shotsDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown token, then signs in as administrator', async () => {
    await page.goto(base);
    await page.getByLabel('API token').fill('dvt_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token is unknown or revoked.').waitFor();
    await page.getByLabel('API token').fill('');
    await shot('sign-in');
    // Keyboard only: the token field takes the focus by Tab, Enter submits.
    await page.reload();
    await page.getByLabel('API token').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'token');
    await page.keyboard.type(adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 1);
  });

  it('creates an Exchange Server profile, showing the API validation message next to its field', async () => {
    await nav('/profiles/new/exchange-server', 'New Exchange Server profile');
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldError('name').waitFor();
    assert.match(await fieldError('name').innerText(), /Name: /);
    assert.match(await fieldError('auth.userName').innerText(), /User name: /);
    await page.getByLabel('Name', { exact: true }).fill('Contoso lab');
    await page.getByLabel('Description').fill('The Exchange lab over NTLM with impersonation');
    await page.getByLabel('Set as default profile for new mailboxes').check();
    await page.getByLabel('User name').fill('CONTOSO\\svc-dovetail');
    await page.getByLabel('Password').fill('Lab-Service-2026!');
    await page.getByLabel('Auto-discover server location').uncheck();
    await page.getByLabel('Incoming server location').fill(lab.ewsUrl);
    await page.getByLabel('Outgoing server location').fill(lab.ewsUrl);
    await page.getByLabel('Trusted CA bundle (PEM)').fill(lab.caCertPem);
    await shot('profile-exchange-server');
    assert.deepEqual(await save('/api/profiles'), []);
    await page.getByText('Profile saved.').waitFor();
    const [profile] = await call('GET', '/api/profiles');
    assert.equal(profile.name, 'Contoso lab');
    assert.equal(profile.isDefaultForNewMailboxes, true);
    assert.deepEqual(profile.secretsSet, ['password']);
    ids['profile'] = profile.id;
  });

  it('creates a Hybrid Modern Auth profile with its Key Vault fields', async () => {
    await nav('/profiles/new/exchange-server', 'New Exchange Server profile');
    await page.getByLabel('Name', { exact: true }).fill('Contoso HMA');
    await page.getByLabel('Authentication type').selectOption('hybrid-modern-auth');
    await page.getByLabel('Exchange Web Services URL').fill('http://mail.contoso.com/EWS/Exchange.asmx');
    await page.getByLabel('Azure AD resource ID').fill('https://mail.contoso.com');
    await page.getByRole('textbox', { name: 'Tenant ID' }).fill('contoso.onmicrosoft.com');
    await page.getByLabel('HMA application ID').fill('7a1c2f7e-4a8e-4c55-9a37-2f3a1b0c9d11');
    await page.getByLabel('Key Vault URI').fill('https://contoso-kv.vault.azure.net');
    await page.getByLabel('Key Vault key name').fill('dovetail-hma');
    await page.getByLabel('Key Vault application ID').fill('0f6b9a43-33c1-4a38-9e2b-5d2f6c7a8b90');
    await page.getByLabel('Key Vault client secret').fill('kv-secret-value');
    await page.getByLabel('Incoming server location').fill('https://mail.contoso.com/EWS/Exchange.asmx');
    await page.getByLabel('Outgoing server location').fill('https://mail.contoso.com/EWS/Exchange.asmx');
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldError('auth.ewsUrl').waitFor();
    await shot('profile-hma-validation');
    await page.getByLabel('Exchange Web Services URL').fill('https://mail.contoso.com/EWS/Exchange.asmx');
    assert.deepEqual(await save('/api/profiles'), []);
    await page.getByText('Profile saved.').waitFor();
  });

  it('creates an Exchange Online profile with an app certificate', async () => {
    await nav('/profiles/new/exchange-online', 'New Exchange Online profile');
    await page.getByLabel('Name', { exact: true }).fill('Contoso Online');
    await page.getByRole('textbox', { name: 'Tenant ID' }).fill('contoso.onmicrosoft.com');
    await page.getByLabel('Application ID').fill('3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f');
    await page.getByLabel('Cloud').selectOption('us-government');
    await page.getByLabel('Certificate and private key (PEM)').fill('not a certificate');
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldError('auth.certificate').waitFor();
    await page.getByLabel('Certificate and private key (PEM)').fill(`${lab.caCertPem}\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n`);
    assert.deepEqual(await save('/api/profiles'), []);
    await page.getByText('Profile saved.').waitFor();
    await nav('/profiles', 'Email server profiles');
    for (const name of ['Contoso lab', 'Contoso HMA', 'Contoso Online']) await page.getByRole('link', { name }).waitFor();
    await shot('profiles');
  });

  it('sets the org email settings', async () => {
    await nav('/settings', 'Email settings');
    await page.getByLabel('Server profile').selectOption({ label: 'Contoso lab' });
    await page.getByLabel('Appointments, contacts and tasks').selectOption('none');
    await page.getByLabel('Track', { exact: true }).selectOption('all');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Email settings saved.').waitFor();
    const s = await call('GET', '/api/settings/email');
    assert.equal(s.defaultProfileId, ids['profile']);
    assert.equal(s.trackEmails, 'all');
    await shot('settings');
  });

  it('runs Test Connection on the lab profile: every step passes, then a failure shows its details and what to do', async () => {
    await nav(`/profiles/${ids['profile']}`, 'Contoso lab');
    const panel = page.getByRole('region', { name: 'Test Connection' });
    await panel.getByLabel('Sample mailbox').fill(ALEX);
    await panel.getByRole('button', { name: 'Test Connection' }).click();
    await panel.getByText(`Every step passed with ${ALEX}.`).waitFor({ timeout: 30_000 });
    for (const step of ['Authentication', 'Mailbox access', 'Impersonation']) await panel.locator('.step-ok', { hasText: step }).first().waitFor();
    await panel.getByLabel('Sample mailbox').fill(GHOST);
    await panel.getByRole('button', { name: 'Test Connection' }).click();
    await panel.getByText(`Test Connection failed with ${GHOST}.`).waitFor({ timeout: 30_000 });
    const failed = panel.locator('.step-bad').first();
    await failed.waitFor();
    assert.match(await failed.innerText(), /What to do:/);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(shotsDir, 'test-connection.png') });
    // The failed step's last request and response, opened: shown redacted, and reachable by keyboard.
    await failed.getByText('Last request and response (redacted)').click();
    const trace = failed.locator('pre');
    await trace.waitFor();
    assert.match(await trace.innerText(), /POST .*EWS\/Exchange\.asmx/i);
    assert.doesNotMatch(await trace.innerText(), /Lab-Service-2026!/);
    for (const v of await axeViolations(page)) inaccessible.push(`test-connection trace: ${v}`);
  });

  it('applies the default settings, approves and tests & enables mailboxes, watching statuses change', async () => {
    await nav('/mailboxes', 'Mailboxes');
    await page.getByRole('row', { name: /Alex Wilber/ }).waitFor();
    await page.getByLabel('Select all shown mailboxes').check();
    await page.getByRole('button', { name: 'Apply Default Email Settings' }).click();
    await page.getByRole('region', { name: 'Apply Default Email Settings progress' }).waitFor();
    await page.getByRole('button', { name: 'Approve Email' }).click();
    await page.getByRole('region', { name: 'Approve Email progress' }).waitFor();
    await page.getByRole('row', { name: /Sales.*Approved/ }).waitFor();
    await page.getByRole('button', { name: 'Test & Enable' }).click();
    const progress = page.getByRole('region', { name: 'Test & Enable progress' });
    await progress.getByText('Completed with errors').waitFor({ timeout: 120_000 });
    // The mailbox the lab does not have fails, with what went wrong and what to do.
    const ghost = progress.locator('li', { hasText: GHOST }).first();
    await ghost.locator('.step-bad').first().waitFor();
    await shot('test-and-enable');
    await page.getByRole('row', { name: /Alex Wilber.*Success/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('row', { name: /Ghost User.*Failure/ }).waitFor({ timeout: 30_000 });
    const alex = await call('GET', `/api/mailboxes/${ids[ALEX]}`);
    assert.equal(alex.incomingStatus, 'success');
    assert.equal(alex.outgoingStatus, 'success');
    await page.getByLabel('Status').selectOption('failure');
    assert.equal(await page.locator('table.mailboxes tbody tr').count(), 1);
    await page.getByLabel('Status').selectOption('');
    await shot('mailboxes');
  });

  it('shows a tracked email, the schedule and the alert wall on the mailbox page', async () => {
    lab.api.deliverEmail({ to: [ALEX], from: { name: 'Ana Diaz', address: 'ana@fabrikam.example' }, subject: 'Order 1042', body: 'Hello' });
    // Ask for an incoming run now (again if a run in flight rescheduled it), instead of waiting for the poll interval.
    const deadline = Date.now() + 90_000;
    while ((await call('GET', `/api/emails?mailboxId=${ids[ALEX]}&direction=incoming`)).length === 0) {
      if (Date.now() >= deadline) {
        // Say why: the mailbox's state and its alerts tell a disabled pipeline from a slow one.
        const m = await call('GET', `/api/mailboxes/${ids[ALEX]}`);
        const alerts = await call('GET', `/api/alerts?mailboxId=${ids[ALEX]}`);
        assert.fail(`the email was not tracked within 90 s; mailbox: ${JSON.stringify(m)}; alerts: ${JSON.stringify(alerts)}; worker: ${workerLog.slice(-20).join(' | ')}`);
      }
      await store.mailboxes.saveSyncState(ids[ALEX]!, { nextIncomingAt: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 500));
    }
    await nav(`/mailboxes/${ids[ALEX]}`, ALEX);
    await page.getByText('Order 1042').waitFor();
    await page.getByRole('heading', { name: 'Schedule' }).waitFor();
    await page.locator('.alerts .alert').first().waitFor();
    await shot('mailbox');
  });

  it('shows the failure alert on the alerts wall, and the dashboard, audit log and HMA pages', async () => {
    await nav('/alerts', 'Alerts');
    await page.getByLabel('Level').selectOption('error');
    await page.locator('.alert-error').first().waitFor();
    assert.match(await page.locator('.alert-error').first().innerText(), /ErrorNonExistentMailbox/);
    await page.getByLabel('Level').selectOption('');
    await shot('alerts');
    await nav('/dashboard', 'Dashboard');
    await page.getByText('Sync needs attention.').waitFor();
    await page.locator('figure.chart').first().waitFor();
    await shot('dashboard');
    await nav('/audit', 'Audit log');
    await page.getByRole('cell', { name: /profile/ }).first().waitFor();
    await shot('audit');
    await nav('/hma', 'HMA readiness');
    await shot('hma');
  });

  it('checks HMA readiness from pasted cmdlet output', async () => {
    assert.ok(api.routeAccess.some((r) => r.url === '/api/hma/check'), 'the API mounts POST /api/hma/check');
    await nav('/hma', 'HMA readiness');
    await page.getByLabel('Cmdlet output').fill('Name      : EX01\nAdminDisplayVersion : Version 15.2 (Build 1544.4)\n');
    await page.getByRole('button', { name: 'Check readiness' }).click();
    // One server's version alone leaves every other requirement unproven, so the verdict is "not ready".
    await page.getByRole('heading', { name: /Not ready yet/ }).waitFor();
    await shot('hma-result');
  });

  it('shows a read-only user no edit buttons', async () => {
    const { token } = await call('POST', '/api/tokens', { name: 'auditor', role: 'read-only' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Read-only').waitFor();
    await nav('/profiles', 'Email server profiles');
    assert.equal(await page.getByRole('link', { name: /New Exchange/ }).count(), 0);
    await nav('/mailboxes', 'Mailboxes');
    assert.equal(await page.getByRole('button', { name: 'Test & Enable' }).count(), 0);
    await page.setViewportSize({ width: 420, height: 860 });
    await nav('/dashboard', 'Dashboard');
    await shot('dashboard-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('shows a mailbox owner the mailboxes and Test & Enable, without administrator actions', async () => {
    const { token } = await call('POST', '/api/tokens', { name: 'alex', role: 'mailbox-owner', userId: ids[`user:${ALEX}`] });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mailboxes' }).waitFor();
    await page.getByText('Mailbox owner').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Apply Default Email Settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Test & Enable' }).count(), 1);
    await page.getByRole('row', { name: /Alex Wilber/ }).waitFor();
  });

  it('broke no WCAG 2.1 A/AA rule in any state it took a screenshot of', () => {
    assert.deepEqual(inaccessible, []);
  });

  it('logged no console error', () => {
    assert.deepEqual(problems, []);
  });
});
