/**
 * Administering appointments, contacts and tasks (ACT) in the admin center, in Chromium against the
 * API served in-process on PGlite: a tripped safety valve with what tripped and Confirm, a flagged
 * conflict with the CRM's values and the choice of side, a user's sync filters, and the org policy
 * (conflict policy, contact addresses, valve limits, field directions). The valve and the conflict
 * are written into the store as the ACT engine records them; no worker runs. Each change is checked
 * in the API afterwards; each role sees and may do what the API allows; axe-core checks every state;
 * any console error fails the run.
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
import { APPOINTMENT_STATUSES, TASK_STATUSES } from '../../src/domain/activity.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { actDb } from '../../src/sync/act/act-tables.ts';
import { FIELD_NAMES } from '../../src/sync/act/fields.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { browserSkip, chromiumPath, projectRoot } from '../support/env.ts';
import { axeViolations } from './axe.ts';

const NANCY = 'nancy@contoso.com';
const ANDREW = 'andrew@contoso.com';

describe('ACT administration in the admin center (Chromium)', { skip: browserSkip() }, () => {
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
    return r.statusCode === 204 ? undefined : r.json();
  };
  const axe = async (state: string) => {
    for (const v of await axeViolations(page)) violations.push(`${state}: ${v}`);
  };
  /** With DOVETAIL_SCREENSHOTS_DIR (scripts/screenshots.mjs), a picture of this state for the docs. */
  const shot = async (name: string, element?: ReturnType<Page['locator']>) => {
    const dir = process.env['DOVETAIL_SCREENSHOTS_DIR'];
    if (dir === undefined) return;
    if (element) await element.screenshot({ path: join(dir, `${name}.png`) });
    else await page.screenshot({ path: join(dir, `${name}.png`) });
  };
  const nav = async (hash: string, heading: string) => {
    await page.goto(`${base}/#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
  };
  const clickAndWait = async (path: string, name: string) => {
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname.startsWith(path) && r.request().method() !== 'GET'),
      page.getByRole('button', { name, exact: true }).click(),
    ]);
  };
  const signIn = async (token: string) => {
    if (await page.getByRole('button', { name: 'Sign out' }).count() > 0) await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in once the sign-in form is gone: its own h1 must not count, or a navigation right
    // after could reload the page before the token is kept, and land on the form again.
    await page.getByLabel('API token').waitFor({ state: 'detached' });
    await page.getByRole('heading', { level: 1 }).waitFor();
  };
  /** A link flagged the way the ACT engine flags one: both sides changed these fields, the policy said "ask". */
  const flagConflict = async (mailboxId: string, kind: 'task' | 'appointment', crmId: string, fields: string[]) => {
    const id = systemRandom.uuid();
    await actDb(store.kysely).insertInto('act_links').values({
      id, mailbox_id: mailboxId, kind, crm_id: crmId, remote_id: `AAMkAD-${id.slice(0, 8)}`, remote_version: 'ck-2', crm_version: 'v2',
      base_crm: JSON.stringify({ subject: 'Before' }), base_exchange: JSON.stringify({ subject: 'Before' }), base_hash: 'h', state: 'linked',
      conflict: JSON.stringify(fields), resolve_with: null, updated_at: new Date(),
    }).execute();
    return id;
  };
  const actSection = () => page.getByRole('region', { name: 'Appointments, contacts and tasks' });

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
    for (const [name, address] of [['Nancy Davolio', NANCY], ['Andrew Fuller', ANDREW]] as const) {
      const user = await call('POST', '/api/users', { fullName: name, emailAddress: address });
      ids[address] = user.mailboxId;
      ids[`user:${address}`] = user.id;
    }
    // Nancy's mailbox: Exchange showed 7 of her 10 synced tasks gone, so the valve stopped her tasks.
    await actDb(store.kysely).insertInto('act_valves').values({
      mailbox_id: ids[NANCY]!, kind: 'task', side: 'exchange', deletes: 7, linked: 10, tripped_at: new Date(), confirmed_at: null, confirmed_by: null,
    }).execute();
    await store.alerts.create({
      level: 'error', targetType: 'mailbox', targetId: ids[NANCY]!, ownerUserId: null, code: 'act_safety_valve',
      message: 'Synchronization of tasks stopped: Exchange suddenly shows 7 of 10 synced tasks gone. Nothing was deleted; an administrator must confirm before the deletes are carried out.',
      details: { kind: 'task', side: 'exchange', deletes: 7, linked: 10 },
    });
    const task = await call('POST', '/api/tasks', { subject: 'Call Fabrikam about the renewal', dueAt: '2026-05-04T09:00:00.000Z', priority: 'high', ownerUserId: ids[`user:${NANCY}`], mailboxId: ids[NANCY] });
    ids['task'] = task.id;
    ids['conflict'] = await flagConflict(ids[NANCY]!, 'task', task.id, ['subject', 'dueDate']);
    const meeting = await call('POST', '/api/appointments', {
      subject: 'Quarterly review', startAt: '2026-05-06T13:00:00.000Z', endAt: '2026-05-06T14:00:00.000Z', location: 'Room 4', ownerUserId: ids[`user:${NANCY}`], mailboxId: ids[NANCY],
    });
    ids['meeting'] = meeting.id;
    ids['conflict2'] = await flagConflict(ids[NANCY]!, 'appointment', meeting.id, ['(deleted in Exchange)', 'location']);

    profileDir = mkdtempSync(join(tmpdir(), 'dovetail-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
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

  it('leads from the safety valve alert to the mailbox, shows what tripped, and confirms it', async () => {
    await nav('/alerts', 'Alerts');
    await page.getByRole('link', { name: 'Review and confirm on the mailbox page' }).click();
    await page.getByRole('heading', { level: 1, name: NANCY }).waitFor();
    const valve = actSection().locator('.act-item', { hasText: 'Tasks stopped' });
    await valve.waitFor();
    assert.match(await valve.innerText(), /Exchange suddenly showed 7 of 10 synced tasks gone/);
    assert.match(await valve.innerText(), /Confirming deletes those 7 tasks from the CRM on the next synchronization/);
    await page.waitForLoadState('networkidle');
    await axe('mailbox with a tripped valve and conflicts');
    await shot('act-mailbox', actSection());

    await clickAndWait(`/api/mailboxes/${ids[NANCY]}/act/valves/task/confirm`, 'Confirm deleting 7 tasks');
    await page.getByText('Deleting the 7 tasks was confirmed').waitFor();
    await valve.getByText('Confirmed by first administrator').waitFor();
    assert.equal(await valve.getByRole('button').count(), 0, 'a confirmed valve offers nothing more to do');
    const [v] = await call('GET', `/api/act/valves?mailboxId=${ids[NANCY]}`);
    assert.equal(v.kind, 'task');
    assert.equal(v.confirmedBy, 'first administrator');
    assert.ok(v.confirmedAt !== null);
    const audit = await call('GET', `/api/audit?entityType=mailbox&entityId=${ids[NANCY]}`);
    assert.ok(audit.some((e: { action: string; changes: { deletes?: number } }) => e.action === 'act.valve.confirm' && e.changes.deletes === 7), 'the confirmation is audited');
    await axe('mailbox after confirming the valve');
  });

  it("shows a conflict's fields with the CRM's values and keeps the side chosen", async () => {
    const item = actSection().locator('.act-item', { hasText: 'Task: Call Fabrikam about the renewal' });
    await item.waitFor();
    assert.match(await item.innerText(), /Changed in the CRM and in Exchange\. Fields changed on both sides: Subject, Due date\./);
    const sides = item.getByRole('table', { name: /The CRM side of task/ });
    assert.deepEqual(await sides.locator('tbody th').allInnerTexts(), ['Subject', 'Due date']);
    assert.equal(await sides.locator('tbody tr').first().locator('td').innerText(), 'Call Fabrikam about the renewal');

    const deleted = actSection().locator('.act-item', { hasText: 'Appointment: Quarterly review' });
    assert.match(await deleted.innerText(), /Deleted in Exchange and changed in the CRM\. Fields changed on the side that kept it: Location\./);
    assert.equal(await deleted.getByRole('cell', { name: 'Room 4' }).count(), 1);
    await deleted.getByRole('button', { name: 'Keep the CRM item (it comes back in Exchange)' }).waitFor();
    await deleted.getByRole('button', { name: 'Delete it from the CRM too' }).waitFor();

    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/act/conflicts/${ids['conflict']}/resolve`),
      item.getByRole('button', { name: "Keep Exchange's values" }).click(),
    ]);
    await page.getByText('Exchange\'s values will be kept for "Call Fabrikam about the renewal"').waitFor();
    await item.getByText("Chosen: Keep Exchange's values.").waitFor();
    const conflicts = await call('GET', `/api/act/conflicts?mailboxId=${ids[NANCY]}`);
    assert.equal(conflicts.find((c: { linkId: string }) => c.linkId === ids['conflict']).resolveWith, 'exchange');
    assert.equal(conflicts.find((c: { linkId: string }) => c.linkId === ids['conflict2']).resolveWith, null, 'only the item chosen changed');
    await axe('mailbox after choosing a side');
  });

  it("edits the user's sync filters", async () => {
    const filters = page.locator('form.act-filters');
    const statuses = async (kind: string) => (await filters.locator(`[data-kind="${kind}"] input[id*="-status-"]`).evaluateAll((els) => els.map((e) => e.id.replace(/^.*-status-/, ''))));
    assert.deepEqual(await statuses('appointment'), [...APPOINTMENT_STATUSES], 'every appointment status the CRM knows');
    assert.deepEqual(await statuses('task'), [...TASK_STATUSES], 'every task status the CRM knows');
    await filters.getByLabel('Which appointments').selectOption('me-or-party');
    await filters.getByLabel('Completed').nth(1).uncheck();
    await filters.getByLabel('Faxes').uncheck();
    await filters.getByLabel('Synchronize contacts').uncheck();
    await clickAndWait(`/api/users/${ids[`user:${NANCY}`]}/act-filters`, 'Save sync filters');
    await page.getByText('Sync filters saved.').waitFor();
    const f = await call('GET', `/api/users/${ids[`user:${NANCY}`]}/act-filters`);
    assert.deepEqual(f, {
      appointment: { enabled: true, scope: 'me-or-party', statuses: null, activityTypes: null },
      contact: { enabled: false, scope: 'me', statuses: null, activityTypes: null },
      task: { enabled: true, scope: 'me', statuses: ['not-started', 'in-progress', 'waiting', 'deferred'], activityTypes: ['task', 'phonecall', 'letter'] },
    });
    assert.equal(await filters.getByLabel('Which appointments').inputValue(), 'me-or-party');
    await axe('mailbox with edited sync filters');
  });

  it('sets the org conflict policy, contact addresses, valve limits and field directions', async () => {
    await nav('/settings', 'Email settings');
    await page.getByRole('link', { name: 'conflicts, field directions and the safety valve' }).click();
    await page.getByRole('heading', { level: 1, name: 'Appointments, contacts and tasks' }).waitFor();
    await page.waitForLoadState('networkidle');
    for (const kind of ['appointment', 'contact', 'task'] as const) {
      const rows = await page.locator(`table.directions[data-kind="${kind}"] tbody tr`).evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
      assert.deepEqual(rows, [...FIELD_NAMES[kind]], `a direction for every mapped ${kind} field`);
    }
    assert.equal(await page.getByLabel('Organizer').inputValue(), 'exchange-to-crm', "the organizer is Exchange's by default");
    await axe('ACT policy');
    await shot('act-policy');

    await page.getByLabel('At least this many items').fill('0');
    await clickAndWait('/api/act/policy', 'Save ACT policy');
    await page.locator('[data-field="valve.minItems"] .error-text').waitFor();
    assert.equal((await call('GET', '/api/act/policy')).valve.minItems, 5, 'a refused change changes nothing');
    await axe('ACT policy with a refused value');

    await page.getByLabel('When a field changed in the CRM and in Exchange').selectOption('flag');
    await page.getByLabel('Contact addresses').selectOption('all');
    await page.getByLabel('At least this many items').fill('8');
    await page.getByLabel('More than this share (%)').fill('30');
    await page.locator('table.directions[data-kind="task"]').getByLabel('Description').selectOption('crm-to-exchange');
    await page.locator('table.directions[data-kind="contact"]').getByLabel('Job title').selectOption('none');
    await clickAndWait('/api/act/policy', 'Save ACT policy');
    await page.getByText('ACT policy saved.').waitFor();
    assert.deepEqual(await call('GET', '/api/act/policy'), {
      conflict: 'flag', contactAddresses: 'all', valve: { minItems: 8, fraction: 0.3 },
      directions: { task: { body: 'crm-to-exchange' }, contact: { jobTitle: 'none' } },
    });
    const audit = await call('GET', '/api/audit?entityType=act-policy');
    assert.equal(audit[0].action, 'act.policy.update');
  });

  it("lets a mailbox owner resolve its own conflicts and edit its own filters, but not confirm a valve or change the policy", async () => {
    await actDb(store.kysely).updateTable('act_valves').set({ confirmed_at: null, confirmed_by: null }).execute();
    const { token } = await call('POST', '/api/tokens', { name: 'nancy laptop', role: 'mailbox-owner', userId: ids[`user:${NANCY}`] });
    await signIn(token);
    await nav(`/mailboxes/${ids[NANCY]}`, NANCY);
    const valve = actSection().locator('.act-item', { hasText: 'Tasks stopped' });
    await valve.getByText('An administrator must confirm before the deletes are carried out.').waitFor();
    assert.equal(await valve.getByRole('button').count(), 0);
    const meeting = actSection().locator('.act-item', { hasText: 'Appointment: Quarterly review' });
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/act/conflicts/${ids['conflict2']}/resolve`),
      meeting.getByRole('button', { name: 'Keep the CRM item (it comes back in Exchange)' }).click(),
    ]);
    await meeting.getByText('Chosen: Keep the CRM item (it comes back in Exchange).').waitFor();
    assert.equal((await call('GET', `/api/act/conflicts?mailboxId=${ids[NANCY]}`)).find((c: { linkId: string }) => c.linkId === ids['conflict2']).resolveWith, 'crm');
    await page.locator('form.act-filters').getByLabel('Synchronize contacts').check();
    await clickAndWait(`/api/users/${ids[`user:${NANCY}`]}/act-filters`, 'Save sync filters');
    await page.getByText('Sync filters saved.').waitFor();
    assert.equal((await call('GET', `/api/users/${ids[`user:${NANCY}`]}/act-filters`)).contact.enabled, true);
    await axe('mailbox owner on its mailbox');

    await nav('/settings/act', 'Appointments, contacts and tasks');
    assert.equal(await page.getByRole('button', { name: 'Save ACT policy' }).count(), 0);
    assert.equal(await page.getByLabel('When a field changed in the CRM and in Exchange').isDisabled(), true);
  });

  it('shows a read-only token everything and offers no action', async () => {
    const { token } = await call('POST', '/api/tokens', { name: 'auditor', role: 'read-only' });
    await signIn(token);
    await nav(`/mailboxes/${ids[NANCY]}`, NANCY);
    await actSection().locator('.act-item', { hasText: 'Tasks stopped' }).waitFor();
    await actSection().locator('.act-item', { hasText: 'Task: Call Fabrikam about the renewal' }).waitFor();
    await page.locator('form.act-filters').getByLabel('Which appointments').waitFor();
    assert.equal(await actSection().getByRole('button').count(), 0, 'no Confirm, no side to choose, no Save, no Sync now');
    assert.equal(await page.locator('form.act-filters').getByLabel('Synchronize tasks').isDisabled(), true);
    await axe('read-only on a mailbox');
    await nav('/settings/act', 'Appointments, contacts and tasks');
    assert.equal(await page.getByRole('button', { name: 'Save ACT policy' }).count(), 0);
    assert.equal(await page.getByLabel('Contact addresses').inputValue(), 'all');
  });

  it('fits a narrow window without sideways scrolling', async () => {
    await signIn(adminToken);
    for (const width of [400, 320]) {
      await page.setViewportSize({ width, height: 800 });
      for (const [hash, heading] of [[`/mailboxes/${ids[NANCY]}`, NANCY], ['/settings/act', 'Appointments, contacts and tasks']] as const) {
        await nav(hash, heading);
        await actSection().or(page.locator('table.directions').first()).first().waitFor();
        // What sticks out of the window, outside boxes that scroll on their own.
        const wide = await page.evaluate(() => {
          const root = document.documentElement;
          const culprits = Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5 && el.parentElement?.closest('.table-wrap') == null)
            .filter((el, _i, all) => !all.includes(el.parentElement as Element))
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)} "${(el.textContent ?? '').trim().slice(0, 30)}"`);
          return { extra: root.scrollWidth - root.clientWidth, culprits };
        });
        assert.equal(wide.extra, 0, `${width}px ${hash}: ${wide.culprits.join('; ')}`);
        if (width === 400) await axe(`${hash} at 400 px`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('broke no WCAG 2.1 A/AA rule and logged no console error', () => {
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  });
});
