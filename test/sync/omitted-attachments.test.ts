import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { listEmails } from '../../src/crm/email-activities.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { updateOrgEmailSettings } from '../../src/use-cases/settings.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

/** Attachments over the org's size limit are not stored, and the email activity says which and why. */
describe('attachments over the size limit (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  let api: Api;
  let token: string;
  before(async () => {
    h = await openHarness();
    await updateOrgEmailSettings(h.useCases, { trackEmails: 'all', maxAttachmentSizeKb: 1 });
    const profile = await createProfile(h.store);
    await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    api = await buildApi({ store: h.store, clock: h.clock, random: h.deps.random, logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), version: 'test' });
    token = (await ensureFirstAdministratorToken(h.store, h.deps.random))!.token;
  });
  after(async () => {
    await api?.close();
    await h?.dispose();
  });

  it('stores what fits, leaves out what does not, and records name, size and reason on the activity', async () => {
    h.fake.deliver('sam@us.example', {
      subject: 'Contract',
      from: { address: 'pat@customer.example' },
      attachments: [
        { id: 'a1', name: 'fits.txt', contentType: 'text/plain', size: 1024, isInline: false },
        { id: 'a2', name: 'scan.pdf', contentType: 'application/pdf', size: 1025, isInline: false },
      ],
    });
    await h.worker.runUntilIdle();
    const [email] = await listEmails(h.useCases, { direction: 'incoming' });
    assert.ok(email);
    assert.deepEqual(email.attachments.map((a) => [a.name, a.size]), [['fits.txt', 1024]]);
    const omitted = [{ name: 'scan.pdf', contentType: 'application/pdf', size: 1025, reason: 'over-size-limit', limitBytes: 1024 }];
    assert.deepEqual(email.omittedAttachments, omitted);
    const stored = await syncDb(h.store.kysely).selectFrom('email_attachments').select('name').where('email_id', '=', email.id).execute();
    assert.deepEqual(stored.map((r) => r.name), ['fits.txt'], 'the large one is not in the database');

    const r = await api.inject({ method: 'GET', url: `/api/emails/${email.id}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().omittedAttachments, omitted, 'the CRM side of the API shows what was left out');
  });

  it('an email without oversized attachments records none', async () => {
    h.fake.deliver('sam@us.example', { subject: 'Small', from: { address: 'pat@customer.example' }, attachments: [{ id: 'b1', name: 'a.txt', contentType: 'text/plain', size: 10, isInline: false }] });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const email = (await listEmails(h.useCases, { direction: 'incoming' })).find((e) => e.subject === 'Small');
    assert.deepEqual(email?.omittedAttachments, []);
    assert.equal(email?.attachments.length, 1);
  });
});
