/**
 * The admin center's quality bar, page by page, in a real browser (Debian's Chromium through
 * playwright-core) against the API served in-process:
 * - accessibility: axe-core's WCAG 2.0/2.1 A and AA rules (labels, names, contrast, ARIA, landmarks)
 *   report no violation on any page, at 1280 px and on a narrow window;
 * - size: the JavaScript a page loads, gzip-compressed, stays under 200 KB;
 * - layout: nothing makes the page itself scroll sideways on a narrow window (wide tables scroll
 *   inside their own box);
 * - keyboard: sign-in and navigation work with Tab and Enter alone, and the focused control shows it.
 * No worker and no Exchange lab: the pages are filled from the API and the store.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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

const jsBudgetBytes = 200 * 1024;
const NANCY = 'nancy@contoso.com';

describe('admin center quality: accessibility, size, narrow windows and keyboard (Chromium)', { skip: browserSkip() }, () => {
  let store: Store;
  let api: Api;
  let browser: BrowserContext;
  let page: Page;
  let base = '';
  let adminToken = '';
  let profileDir = '';
  let webRoot = '';
  let profileId = '';
  let mailboxId = '';
  const problems: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    assert.ok(r.statusCode < 300, `${method} ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };

  /** Every page of the admin center, with the heading that says it has rendered. */
  const pages = () => [
    { hash: '/dashboard', heading: 'Dashboard' },
    { hash: '/mailboxes', heading: 'Mailboxes' },
    { hash: `/mailboxes/${mailboxId}`, heading: NANCY },
    { hash: '/profiles', heading: 'Email server profiles' },
    { hash: '/profiles/new/exchange-server', heading: 'New Exchange Server profile' },
    { hash: '/profiles/new/exchange-online', heading: 'New Exchange Online profile' },
    { hash: `/profiles/${profileId}`, heading: 'Contoso on-premises' },
    { hash: '/settings', heading: 'Email settings' },
    { hash: '/alerts', heading: 'Alerts' },
    { hash: '/audit', heading: 'Audit log' },
    { hash: '/hma', heading: 'HMA readiness' },
  ];

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

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', webRoot, '--emptyOutDir'], { cwd: projectRoot, stdio: 'inherit' });
    assert.ok(existsSync(join(webRoot, 'index.html')));
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 9))), systemRandom) });
    api = await buildApi({
      store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test', webRoot,
    });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    adminToken = (await ensureFirstAdministratorToken(store, systemRandom))!.token;

    const profile = await call('POST', '/api/profiles', {
      name: 'Contoso on-premises', serverType: 'exchange-server', autodiscover: false,
      incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
      auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail', password: 'Quality-Check-2026!' },
    });
    profileId = profile.id;
    for (const [name, address] of [['Nancy Davolio', NANCY], ['Andrew Fuller', 'andrew@contoso.com']] as const) {
      const user = await call('POST', '/api/users', { fullName: name, emailAddress: address });
      if (address === NANCY) mailboxId = user.mailboxId;
    }
    await call('POST', '/api/queues', { name: 'Support', emailAddress: 'support@contoso.com' });
    // One alert of each level, on the mailbox and on the profile, so the walls have rows to check.
    for (const level of ['error', 'warning', 'information'] as const) {
      await store.alerts.create({ level, targetType: 'mailbox', targetId: mailboxId, ownerUserId: null, code: `quality.${level}`, message: `A ${level} about the mailbox.` });
    }
    await store.alerts.create({ level: 'error', targetType: 'profile', targetId: profileId, ownerUserId: null, code: 'quality.profile', message: 'An error about the profile.' });

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

  it('signs in and moves between pages with the keyboard alone, showing where the focus is', async () => {
    await page.goto(base);
    await page.getByLabel('API token').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the sign-in page');
    // Tab from the top of the page reaches the token field; Enter submits the form.
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('id') !== null && (document.activeElement as HTMLInputElement).labels?.[0]?.textContent === 'API token');
    }
    assert.ok(reached, 'Tab reaches the API token field');
    await page.keyboard.type(adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // Tab to the "Mailboxes" link of the navigation, checking every stop shows a focus indicator.
    const unmarked: string[] = [];
    let onLink = false;
    for (let i = 0; i < 30 && !onLink; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (el === null || el === document.body) return null;
        const s = getComputedStyle(el);
        const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
        return { text: (el.textContent ?? '').trim(), tag: el.tagName, visible, href: el.getAttribute('href') };
      });
      if (focus === null) continue;
      if (!focus.visible) unmarked.push(`${focus.tag} "${focus.text}"`);
      onLink = focus.href === '#/mailboxes';
    }
    assert.ok(onLink, 'Tab reaches the Mailboxes link');
    assert.deepEqual(unmarked, [], 'every control Tab stops on shows that it has the focus');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Mailboxes' }).waitFor();
  });

  it('has no WCAG 2.1 A/AA violation on any page, at 1280 px and on a narrow window', async () => {
    const found: string[] = [];
    for (const width of [1280, 400]) {
      await page.setViewportSize({ width, height: 860 });
      for (const p of pages()) {
        await open(p.hash, p.heading);
        for (const v of await axeViolations(page)) found.push(`${width}px ${p.hash}: ${v}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(found, []);
  });

  it('shows the HMA findings and the remediation script without violations', async () => {
    await open('/hma', 'HMA readiness');
    await page.getByLabel('Cmdlet output').fill(readFileSync(join(projectRoot, 'test/fixtures/hma/old-versions.txt'), 'utf8'));
    await page.getByRole('button', { name: 'Check readiness' }).click();
    await page.getByRole('heading', { name: /Not ready yet/ }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
  });

  it('does not make a narrow window scroll sideways', async () => {
    const overflowing: string[] = [];
    for (const width of [400, 320]) {
      await page.setViewportSize({ width, height: 800 });
      for (const p of pages()) {
        await open(p.hash, p.heading);
        const wide = await page.evaluate(() => {
          const root = document.documentElement;
          // The outermost elements that stick out, outside boxes that scroll on their own.
          const culprits = Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5 && el.parentElement?.closest('.table-wrap, pre') == null)
            .filter((el, _i, all) => !all.includes(el.parentElement as Element))
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`);
          // Text that runs past its box (a long unbroken word) has no element of its own.
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n !== null && culprits.length < 3; n = walker.nextNode()) {
            if (n.parentElement?.closest('.table-wrap, pre') != null) continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            if (range.getBoundingClientRect().right > root.clientWidth + 0.5) culprits.push(`text "${(n.textContent ?? '').trim().slice(0, 40)}" in ${n.parentElement?.tagName.toLowerCase()}`);
          }
          return { extra: root.scrollWidth - root.clientWidth, culprits };
        });
        if (wide.extra > 0) overflowing.push(`${width}px ${p.hash}: ${wide.extra}px too wide (${wide.culprits.join('; ')})`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(overflowing, []);
  });

  it('loads under 200 KB of JavaScript (gzip) on every page', async () => {
    const sizes: string[] = [];
    for (const p of pages()) {
      const fresh = await browser.newPage();
      const scripts: Promise<number>[] = [];
      fresh.on('response', (r) => {
        if (r.request().resourceType() === 'script') scripts.push(r.body().then((b) => gzipSync(b).length));
      });
      // A new tab starts signed out (the token lives in the tab's session): sign in on the
      // page's own address, which stays where it is once signed in.
      await fresh.goto(`${base}/#${p.hash}`);
      await fresh.getByLabel('API token').fill(adminToken);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.getByRole('heading', { level: 1, name: p.heading }).waitFor();
      await fresh.waitForLoadState('networkidle');
      const counted = await Promise.all(scripts);
      const total = counted.reduce((a, b) => a + b, 0);
      assert.ok(counted.length > 0, `${p.hash} loaded its script`);
      sizes.push(`${p.hash}: ${total}`);
      assert.ok(total <= jsBudgetBytes, `${p.hash} loads ${total} bytes of gzip JavaScript, over ${jsBudgetBytes}`);
      await fresh.close();
    }
    console.log(`# JavaScript per page (gzip bytes): ${sizes.join(', ')}`);
  });

  it('logged no console error', () => {
    assert.deepEqual(problems, []);
  });
});
