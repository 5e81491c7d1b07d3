import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fixedClock, seededRandom, systemClock } from '../../clock.ts';
import type { RemoteItemId, SyncCursor } from '../driver.ts';
import type { GraphLab } from '../../lab/graph/start-graph-lab.ts';
import { allRoles, startTestGraphLab, testTokens } from '../../../test/contract/graph-lab-fixture.ts';
import { GraphClient } from './client.ts';
import { GraphMailboxDriver, openGraphDriver } from './driver.ts';
import { zonedToUtcMs } from '../../lab/graph/zoned-time.ts';

/** Exchange Online limits and behaviours of the Graph driver, proven against the lab's Graph. */
describe('Graph driver against the lab', () => {
  let lab: GraphLab;
  let key: Buffer;
  const mailbox = 'bob@lab.dovetail.test';
  let n = 0;

  before(async () => {
    ({ lab, key } = await startTestGraphLab());
    lab.addMailbox(mailbox, { displayName: 'Bob' });
  });
  after(async () => lab.close());

  const driverWith = (extra: { sleeps?: number[]; roles?: string[]; maxConcurrent?: number; timeZone?: string } = {}) => {
    const tokens = testTokens(key, 'app-driver', extra.roles ?? allRoles);
    const client = new GraphClient({
      root: lab.url,
      trustedCaPem: lab.caCertPem,
      tokens,
      clock: systemClock,
      random: seededRandom(++n),
      ...(extra.maxConcurrent === undefined ? {} : { maxConcurrentPerMailbox: extra.maxConcurrent }),
      sleep: async (ms) => {
        extra.sleeps?.push(ms);
      },
    });
    return { driver: new GraphMailboxDriver({ client, tokens, clock: systemClock, ...(extra.timeZone === undefined ? {} : { timeZone: extra.timeZone }) }), client, tokens };
  };
  const deliverMany = (count: number, tag: string): string[] =>
    Array.from({ length: count }, (_, i) => {
      const internetMessageId = `<${tag}-${i}@external.test>`;
      lab.deliver(mailbox, { from: { address: 'sender@external.test' }, to: [mailbox], subject: `${tag} ${i}`, body: 'x', internetMessageId });
      return internetMessageId;
    });
  const syncAll = async (driver: GraphMailboxDriver, folder: string, cursor: SyncCursor | null) => {
    const ids: RemoteItemId[] = [];
    let current = cursor;
    for (;;) {
      const page = await driver.syncMessages(mailbox, folder as never, current, 7);
      ids.push(...page.changes.filter((c) => c.type === 'upsert').map((c) => c.id));
      current = page.nextCursor;
      if (!page.more) return { ids, cursor: current };
    }
  };

  it('rides out a storm of 429s with Retry-After: slower, and nothing lost', async () => {
    const sleeps: number[] = [];
    const { driver } = driverWith({ sleeps });
    const inbox = (await driver.getFolder(mailbox, 'inbox')).id;
    const start = await syncAll(driver, inbox, null);
    const sent = deliverMany(30, 'storm');
    lab.throttleNext(mailbox, 20, 2, { interleave: true });
    const { ids } = await syncAll(driver, inbox, start.cursor);
    const messages = await driver.getMessages(mailbox, ids);
    assert.equal(messages.every((m) => m.ok), true);
    assert.deepEqual(messages.map((m) => (m.ok ? m.value.internetMessageId : '')).sort(), [...sent].sort());
    assert.ok(sleeps.length >= 5, `waited ${sleeps.length} times`);
    assert.ok(sleeps.every((ms) => ms >= 2_000), `never came back before Retry-After: ${sleeps.join(', ')}`);
    await driver.close();
  });

  it('surfaces a storm longer than the retry bound as kind throttled, and the same cursor then loses nothing', async () => {
    const { driver } = driverWith();
    const inbox = (await driver.getFolder(mailbox, 'inbox')).id;
    const start = await syncAll(driver, inbox, null);
    const sent = deliverMany(5, 'long-storm');
    lab.throttleNext(mailbox, 50, 30);
    await assert.rejects(driver.syncMessages(mailbox, inbox, start.cursor, 50), { kind: 'throttled', retryAfterMs: 30_000 });
    lab.throttleNext(mailbox, 0, 0);
    const { ids } = await syncAll(driver, inbox, start.cursor);
    const messages = await driver.getMessages(mailbox, ids);
    assert.deepEqual(messages.map((m) => (m.ok ? m.value.internetMessageId : '')).sort(), [...sent].sort());
    await driver.close();
  });

  it('never has more than 4 requests in flight for one mailbox, as the lab measures', async () => {
    const until = async (condition: () => boolean): Promise<void> => {
      for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok(condition(), 'the lab reached the expected state');
    };
    const { driver } = driverWith();
    const inbox = (await driver.getFolder(mailbox, 'inbox')).id;
    const sent = deliverMany(20, 'parallel');
    const ids = await Promise.all(sent.map((id) => driver.findByInternetMessageId(mailbox, inbox, id)));
    const before = lab.rejectedConcurrent(mailbox);
    // Hold every request at the lab: the driver must stop at 4 in flight and queue the rest itself.
    const hold = lab.holdRequests();
    const work = Promise.all([
      ...ids.map((found) => driver.getMessages(mailbox, found)),
      driver.getMessages(mailbox, ids.flat()),
      ...Array.from({ length: 10 }, () => driver.getFolder(mailbox, 'sentitems')),
    ]);
    await until(() => lab.inFlight(mailbox) === 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(lab.inFlight(mailbox), 4, 'nothing beyond 4 reached the lab');
    hold.release();
    const results = await work;
    assert.ok(results.flat().every((r) => !('ok' in r) || r.ok));
    assert.equal(lab.highWater(mailbox), 4);
    assert.equal(lab.rejectedConcurrent(mailbox), before, 'the lab never had to refuse one');
    await driver.close();

    // The lab does enforce the limit: a client allowed 8 at once is refused past 4.
    const { driver: greedy } = driverWith({ maxConcurrent: 8 });
    const greedyHold = lab.holdRequests();
    const greedyWork = Promise.allSettled(Array.from({ length: 8 }, () => greedy.getFolder(mailbox, 'drafts')));
    await until(() => lab.rejectedConcurrent(mailbox) > before);
    greedyHold.release();
    await greedyWork;
    assert.equal(lab.highWater(mailbox), 4);
    await greedy.close();
  });

  it('spends a per-mailbox budget on the injected clock', async () => {
    const clock = fixedClock(1_700_000_000_000);
    const sleeps: number[] = [];
    const tokens = testTokens(key, 'app-budget');
    const client = new GraphClient({
      root: lab.url,
      trustedCaPem: lab.caCertPem,
      tokens,
      clock,
      random: seededRandom(3),
      budget: { burst: 5, refill: 1, perMs: 1_000 },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    });
    const before = lab.requestCount(mailbox);
    for (let i = 0; i < 10; i++) await client.request({ method: 'GET', mailbox, path: `/users/${mailbox}/mailFolders/inbox` });
    assert.equal(lab.requestCount(mailbox) - before, 10);
    assert.equal(sleeps.reduce((a, b) => a + b, 0), 5_000, 'five requests over the burst waited one refill each');
    await client.close();
  });

  it('sends a large attachment through an upload session in ranges of at most 4 MB', async () => {
    const { driver } = driverWith();
    lab.addMailbox('carol@lab.dovetail.test');
    const content = Buffer.alloc(9 * 1024 * 1024 + 123, 7);
    content.write('dovetail', 1000);
    const internetMessageId = '<large-attachment@dovetail.test>';
    await driver.sendMessage(mailbox, {
      internetMessageId,
      from: { address: mailbox },
      to: [{ address: 'carol@lab.dovetail.test' }],
      cc: [],
      bcc: [],
      subject: 'Large',
      body: { type: 'text', content: 'see attached' },
      attachments: [
        { name: 'big.bin', contentType: 'application/octet-stream', content },
        { name: 'small.txt', contentType: 'text/plain', content: Buffer.from('small') },
      ],
      stamp: { orgId: 'org-1' },
    });
    const upload = lab.uploads.at(-1)!;
    assert.equal(upload.completed, true);
    assert.equal(upload.authorizationSent, false, 'the pre-authenticated URL gets no bearer token');
    assert.ok(upload.chunkSizes.every((size) => size <= 4 * 1024 * 1024));
    assert.equal(upload.chunkSizes.reduce((a, b) => a + b, 0), content.length);
    assert.ok(upload.chunkSizes.length >= 3);
    const received = lab.messagesIn('carol@lab.dovetail.test', 'inbox').find((m) => m.data['internetMessageId'] === internetMessageId);
    const big = received?.attachments.find((a) => a.name === 'big.bin');
    assert.equal(createHash('sha256').update(big!.content).digest('hex'), createHash('sha256').update(content).digest('hex'));
    assert.equal(lab.sends.filter((s) => s.internetMessageId === internetMessageId).length, 1);

    await assert.rejects(
      driver.sendMessage(mailbox, {
        internetMessageId: '<too-large@dovetail.test>',
        from: { address: mailbox },
        to: [{ address: 'carol@lab.dovetail.test' }],
        cc: [],
        bcc: [],
        subject: 'Too large',
        body: { type: 'text', content: '' },
        attachments: [{ name: 'huge.bin', contentType: 'application/octet-stream', content: Buffer.alloc(150 * 1024 * 1024 + 1) }],
        stamp: { orgId: 'org-1' },
      }),
      { kind: 'invalid-input' },
    );
    await driver.close();
  });

  it('does not send twice: a copy in Sent Items ends a resend, a draft left by a crash is sent', async () => {
    const { driver } = driverWith();
    const email = {
      internetMessageId: '<once@dovetail.test>',
      from: { address: mailbox },
      to: [{ address: 'someone@external.test' }],
      cc: [],
      bcc: [],
      subject: 'Once',
      body: { type: 'text' as const, content: 'once' },
      attachments: [],
      stamp: { orgId: 'org-1' },
    };
    await driver.sendMessage(mailbox, email);
    await driver.sendMessage(mailbox, email);
    assert.equal(lab.sends.filter((s) => s.internetMessageId === email.internetMessageId).length, 1);

    // A crash between creating the draft and sending it leaves the draft behind.
    const { client } = driverWith();
    await client.request({ method: 'POST', mailbox, path: `/users/${mailbox}/messages`, body: { subject: 'Left over', internetMessageId: '<leftover@dovetail.test>' } });
    await client.close();
    await driver.sendMessage(mailbox, { ...email, internetMessageId: '<leftover@dovetail.test>' });
    assert.equal(lab.sends.filter((s) => s.internetMessageId === '<leftover@dovetail.test>').length, 1);
    assert.equal(lab.messagesIn(mailbox, 'drafts').filter((m) => m.data['internetMessageId'] === '<leftover@dovetail.test>').length, 0);
    await driver.close();
  });

  it('refreshes the token once when Graph answers 401', async () => {
    const { driver, tokens } = driverWith();
    // The first token handed out is corrupted, as a revoked or rotated token would be refused.
    const realGet = tokens.getToken.bind(tokens);
    let first = true;
    tokens.getToken = async (options) => {
      const token = await realGet(options);
      if (first) {
        first = false;
        return { ...token, token: `${token.token}x` };
      }
      return token;
    };
    const folder = await driver.getFolder(mailbox, 'inbox');
    assert.ok(folder.id.length > 0);
    assert.equal(tokens.forced, 1);
    await driver.close();
  });

  it('restarts from nothing when the delta token is forgotten', async () => {
    const { driver } = driverWith();
    const inbox = (await driver.getFolder(mailbox, 'inbox')).id;
    const { cursor, ids } = await syncAll(driver, inbox, null);
    lab.expireSyncState(mailbox);
    await assert.rejects(driver.syncMessages(mailbox, inbox, cursor, 10), { kind: 'cursor-invalid', providerCode: 'syncStateNotFound' });
    const again = await syncAll(driver, inbox, null);
    assert.deepEqual([...again.ids].sort(), [...ids].sort());
    // Cursors of another provider or another Graph root also start the folder over.
    await assert.rejects(driver.syncMessages(mailbox, inbox, 'H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0QiAIgGATJNiQQBDswYjN5pLsHWlHIymrKoHKZVZlXWYWQMztnbz33nvvvffee++997o7nU4n99//P1xmZAFs9s5K2smeIYCqyB8/fnwfPyJ+4ztt5ggS' as never, 10), {
      kind: 'cursor-invalid',
    });
    await assert.rejects(driver.syncMessages(mailbox, inbox, again.cursor.replace(lab.url, 'https://127.0.0.1:1') as never, 10), { kind: 'cursor-invalid' });
    await driver.close();
  });

  it('reads event times in the profile time zone (Prefer: outlook.timezone)', async () => {
    const { driver } = driverWith({ timeZone: 'America/New_York' });
    const start = { dateTime: '2031-01-15T10:00:00', timeZone: 'Europe/Paris' };
    const created = await driver.createItem(
      mailbox,
      'appointment',
      {
        subject: 'Zones',
        body: { type: 'text', content: '' },
        location: '',
        start,
        end: { dateTime: '2031-01-15T11:00:00', timeZone: 'Europe/Paris' },
        isAllDay: false,
        attendees: [],
        showAs: 'busy',
        isCancelled: false,
        isReminderOn: false,
        categories: [],
      },
      { orgId: 'org-1' },
    );
    assert.equal(created.data.start.timeZone, 'America/New_York');
    assert.equal(created.data.start.dateTime.slice(0, 19), '2031-01-15T04:00:00');
    assert.equal(zonedToUtcMs(created.data.start.dateTime, created.data.start.timeZone), zonedToUtcMs(start.dateTime, start.timeZone));
    await driver.close();
  });
});

describe('Graph Test Connection against the lab', () => {
  let lab: GraphLab;
  let key: Buffer;
  const allowed = 'dana@lab.dovetail.test';
  const blocked = 'eve@lab.dovetail.test';
  const onPremises = 'frank@lab.dovetail.test';

  before(async () => {
    ({ lab, key } = await startTestGraphLab({ mailboxAccess: (_app, address) => address !== blocked }));
    lab.addMailbox(allowed);
    lab.addMailbox(blocked);
    lab.addMailbox(onPremises, { onPremises: true });
  });
  after(async () => lab.close());

  const check = async (address: string, roles = allRoles) => {
    const driver = openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(key, 'app-tc', roles), clock: systemClock, random: seededRandom(9) });
    try {
      return await driver.testConnection(address);
    } finally {
      await driver.close();
    }
  };
  const failed = (checks: Awaited<ReturnType<typeof check>>) => checks.filter((c) => !c.ok);

  it('passes every step for a reachable mailbox with every permission', async () => {
    const checks = await check(allowed);
    assert.deepEqual(failed(checks), []);
    assert.deepEqual(
      checks.map((c) => c.step),
      ['authentication', 'permissions', 'mailbox-lookup', 'mailbox-access', 'calendar-access', 'contacts-access', 'tasks-access'],
    );
  });

  it('names missing application permissions precisely', async () => {
    const checks = await check(allowed, ['Mail.ReadWrite', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'User.Read.All']);
    const permissions = checks.find((c) => c.step === 'permissions')!;
    assert.equal(permissions.ok, false);
    assert.match(permissions.detail, /Mail\.Send/);
    assert.match(permissions.detail, /Tasks\.ReadWrite\.All/);
    assert.doesNotMatch(permissions.detail, /Mail\.ReadWrite|Calendars/);
    assert.equal(checks.find((c) => c.step === 'tasks-access')?.ok, false, 'the lab refuses To Do without the permission');
  });

  it('names the mailbox and the application access policy when one mailbox is out of scope', async () => {
    const checks = await check(blocked);
    const access = checks.find((c) => c.step === 'mailbox-access')!;
    assert.equal(access.ok, false);
    assert.match(access.detail, new RegExp(blocked.replace('.', '\\.')));
    assert.match(access.detail, /application access policy/);
    assert.match(access.remedy ?? '', /Test-ApplicationAccessPolicy/);
  });

  it('tells a mailbox outside Exchange Online and an unknown user apart', async () => {
    const local = failed(await check(onPremises));
    assert.match(local[0]?.detail ?? '', /not in Exchange Online/);
    const unknown = failed(await check('nobody@lab.dovetail.test'));
    assert.match(unknown[0]?.detail ?? '', /No user nobody@lab\.dovetail\.test/);
  });
});
