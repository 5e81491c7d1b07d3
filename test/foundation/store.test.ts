/**
 * The repository suite, run unchanged against the embedded engine (PGlite) and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { isAppError } from '../../src/errors.ts';
import { splitAuthInput, profileDefaults, type ProfileFields } from '../../src/domain/profile.ts';
import { postgresSkip } from '../support/env.ts';
import { openTestStore, type TestStore } from './test-store.ts';
import type { Store } from '../../src/store/store.ts';
import type { MailboxConfig } from '../../src/domain/mailbox.ts';

const SECRET = 'S3cret-Pa55word-for-store-test';

function credentialsProfile(name: string): { fields: ProfileFields; secrets: { password: string } } {
  const { auth } = splitAuthInput({ type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-sync' });
  return { fields: { ...profileDefaults(auth), name, serverType: 'exchange-server', auth }, secrets: { password: SECRET } };
}

function mailboxConfig(ownerId: string, email: string, profileId: string | null = null): MailboxConfig {
  return {
    ownerType: 'user', ownerId, emailAddress: email, profileId, incomingMethod: 'server-side-sync', outgoingMethod: 'server-side-sync',
    actMethod: 'none', approval: 'empty', incomingEnabled: false, outgoingEnabled: false, actEnabled: false,
    processEmailFrom: null,
  };
}

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`store on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let t: TestStore;
    let store: Store;
    before(async () => {
      t = await openTestStore(engine);
      store = t.store;
    });
    after(() => t?.dispose());

    it('applies the migrations once and finds nothing to do the second time', async () => {
      const { migrateToLatest, migrationProvider } = await import('../../src/store/migrate.ts');
      const files = Object.keys(await migrationProvider.getMigrations());
      assert.equal(files[0], '0001_foundation');
      const rows = await sql<{ name: string }>`select name from dovetail_migration order by name`.execute(store.kysely);
      assert.deepEqual(rows.rows.map((r) => r.name), files);
      assert.deepEqual(await migrateToLatest(store.kysely), []);
      const mailboxCols = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns where table_name = 'mailboxes' and column_name like 'lease%'`.execute(store.kysely);
      assert.deepEqual(
        Object.fromEntries(mailboxCols.rows.map((r) => [r.column_name, r.data_type])),
        { lease_owner: 'text', lease_epoch: 'bigint', lease_expires_at: 'timestamp with time zone' },
      );
    });

    it('stores a profile with its secret sealed and returns only which secrets are set', async () => {
      const { fields, secrets } = credentialsProfile('On-prem');
      const p = await store.profiles.create(fields, secrets);
      assert.equal(p.name, 'On-prem');
      assert.deepEqual(p.secretsSet, ['password']);
      assert.equal(JSON.stringify(p).includes(SECRET), false);
      const raw = await sql<{ password_sealed: string }>`select password_sealed from email_server_profiles where id = ${p.id}`.execute(store.kysely);
      assert.match(raw.rows[0]!.password_sealed, /^dvs1\.[0-9a-f]{16}\./);
      assert.equal(raw.rows[0]!.password_sealed.includes(SECRET), false);
      assert.deepEqual(await store.profiles.getSecrets(p.id), { password: SECRET });
      assert.deepEqual(await store.profiles.get(p.id), p);
    });

    it('keeps secrets on update unless replaced or cleared', async () => {
      const { fields, secrets } = credentialsProfile('Keep');
      const p = await store.profiles.create(fields, secrets);
      t.clock.advance(1000);
      const u = await store.profiles.update(p.id, { ...fields, description: 'changed', minimumPollingIntervalMinutes: 5 }, {});
      assert.equal(u.description, 'changed');
      assert.equal(u.minimumPollingIntervalMinutes, 5);
      assert.notEqual(u.updatedAt, p.updatedAt);
      assert.deepEqual(await store.profiles.getSecrets(p.id), { password: SECRET });
      await store.profiles.update(p.id, fields, { password: 'new-one' });
      assert.deepEqual(await store.profiles.getSecrets(p.id), { password: 'new-one' });
      const cleared = await store.profiles.update(p.id, fields, {}, ['password']);
      assert.deepEqual(cleared.secretsSet, []);
    });

    it('rejects a second profile with the same name (any case) as a conflict', async () => {
      const { fields, secrets } = credentialsProfile('Twin');
      await store.profiles.create(fields, secrets);
      await assert.rejects(store.profiles.create({ ...fields, name: 'TWIN' }, secrets), (e) => isAppError(e, 'conflict') && /same name/.test(e.message));
    });

    it('lets only one profile be the default for new mailboxes', async () => {
      const a = credentialsProfile('Default A');
      const b = credentialsProfile('Default B');
      const pa = await store.profiles.create({ ...a.fields, isDefaultForNewMailboxes: true }, a.secrets);
      await assert.rejects(store.profiles.create({ ...b.fields, isDefaultForNewMailboxes: true }, b.secrets), (e) => isAppError(e, 'conflict'));
      const pb = await store.profiles.create(b.fields, b.secrets);
      await store.profiles.clearDefaultExcept(pb.id);
      await store.profiles.update(pb.id, { ...b.fields, isDefaultForNewMailboxes: true }, {});
      assert.equal((await store.profiles.findDefault())?.id, pb.id);
      assert.equal((await store.profiles.get(pa.id))?.isDefaultForNewMailboxes, false);
    });

    it('creates org email settings with Dynamics defaults once and saves changes', async () => {
      const s = await store.settings.get();
      assert.equal(s.incomingMethod, 'server-side-sync');
      assert.equal(s.processOnlyApprovedUsers, true);
      assert.equal(s.useSmartMatching, false);
      assert.deepEqual(s.trackingTokenFormat, { prefix: 'CRM:', baseDigits: 2, userDigits: 3, counterDigits: 3 });
      assert.equal((await store.settings.get()).orgId, s.orgId);
      const saved = await store.settings.save({ ...s, useSmartMatching: true, actMethod: 'none' });
      assert.equal(saved.useSmartMatching, true);
      assert.equal(saved.actMethod, 'none');
      assert.equal(saved.orgId, s.orgId);
    });

    it('keeps one mailbox per owner and per address, with cursors per folder', async () => {
      const u = await store.users.create({ fullName: 'Mail Owner', emailAddress: 'owner@contoso.com' });
      const m = await store.mailboxes.create(mailboxConfig(u.id, 'owner@contoso.com'));
      assert.equal(m.approval, 'empty');
      assert.equal(m.incomingStatus, 'not-run');
      assert.equal(m.leaseEpoch, 0);
      await assert.rejects(store.mailboxes.create(mailboxConfig(u.id, 'other@contoso.com')), (e) => isAppError(e, 'conflict'));
      const u2 = await store.users.create({ fullName: 'Second', emailAddress: 'second@contoso.com' });
      await assert.rejects(store.mailboxes.create(mailboxConfig(u2.id, 'OWNER@contoso.com')), (e) => isAppError(e, 'conflict'));
      await store.mailboxes.setCursor(m.id, 'inbox', 'state-1');
      await store.mailboxes.setCursor(m.id, 'inbox', 'state-2');
      await store.mailboxes.setCursor(m.id, 'sentitems', 'state-a');
      assert.equal(await store.mailboxes.getCursor(m.id, 'inbox'), 'state-2');
      assert.deepEqual((await store.mailboxes.listCursors(m.id)).map((c) => c.folder), ['inbox', 'sentitems']);
      assert.equal((await store.mailboxes.findByEmail('OWNER@CONTOSO.COM'))?.id, m.id);
    });

    it('writes sync state only under the expected lease epoch when fenced', async () => {
      const u = await store.users.create({ fullName: 'Fenced', emailAddress: 'fenced@contoso.com' });
      const m = await store.mailboxes.create(mailboxConfig(u.id, 'fenced@contoso.com'));
      assert.equal(await store.mailboxes.saveSyncState(m.id, { leaseEpoch: 3, leaseOwner: 'w1', leaseExpiresAt: '2026-01-05T09:05:00.000Z' }), true);
      assert.equal(await store.mailboxes.saveSyncState(m.id, { lastCycleProcessed: 9 }, 2), false);
      assert.equal(await store.mailboxes.saveSyncState(m.id, { lastCycleProcessed: 7, incomingStatus: 'success' }, 3), true);
      const after = await store.mailboxes.require(m.id);
      assert.equal(after.lastCycleProcessed, 7);
      assert.equal(after.incomingStatus, 'success');
      assert.equal(after.leaseExpiresAt, '2026-01-05T09:05:00.000Z');
    });

    it('commits a transaction as a whole or not at all', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.create({ fullName: 'Rolled back', emailAddress: 'rollback@contoso.com' });
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await store.users.findByEmail('rollback@contoso.com'), undefined);
      await store.transaction((tx) => tx.users.create({ fullName: 'Kept', emailAddress: 'kept@contoso.com' }));
      assert.notEqual(await store.users.findByEmail('kept@contoso.com'), undefined);
    });

    it('never lets a query see another transaction before it commits', async () => {
      // On PGlite every caller shares one session; only the dialect's connection queue keeps
      // this outside query from running inside the open transaction and seeing its insert.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const didInsert = new Promise<void>((r) => (inserted = r));
      const tx = store.transaction(async (trx) => {
        await trx.users.create({ fullName: 'Uncommitted', emailAddress: 'uncommitted@contoso.com' });
        inserted();
        await gate;
        throw new Error('roll back');
      });
      await didInsert;
      const outside = store.users.findByEmail('uncommitted@contoso.com');
      release();
      await assert.rejects(tx, /roll back/);
      assert.equal(await outside, undefined);
    });

    it('stores CRM records and finds them by address, any case', async () => {
      const acc = await store.crm.createAccount({ name: 'Fabrikam', emailAddress: 'info@fabrikam.com' });
      const c = await store.crm.createContact({ firstName: 'Nancy', lastName: 'Davolio', emailAddresses: ['Nancy@Fabrikam.com', 'nd@home.example'], accountId: acc.id });
      const l = await store.crm.createLead({ fullName: 'Lead One', emailAddress: 'lead@prospect.example' });
      assert.equal(c.fullName, 'Nancy Davolio');
      assert.deepEqual((await store.crm.findContactsByEmail('nancy@fabrikam.com')).map((x) => x.id), [c.id]);
      assert.deepEqual((await store.crm.findAccountsByEmail('INFO@fabrikam.com')).map((x) => x.id), [acc.id]);
      assert.deepEqual((await store.crm.findLeadsByEmail('lead@PROSPECT.example')).map((x) => x.id), [l.id]);
      assert.equal(l.status, 'open');
    });

    it('keys email activities by Message-ID and moves the outbox only from the expected status', async () => {
      const base = {
        mailboxId: null, direction: 'outgoing' as const, status: 'pending-send' as const, subject: 'Quote', bodyType: 'html' as const, body: '<p>hi</p>',
        parties: [{ role: 'to' as const, address: 'nancy@fabrikam.com', name: 'Nancy', partyType: null, partyId: null }], regarding: null,
        messageId: '<abc@dovetail>', inReplyTo: null, conversationId: 'conv-1', conversationIndex: null, trackingToken: 'CRM:0001001',
        exchangeItemId: null, sentAt: null, receivedAt: null, lastError: null,
      };
      const e = await store.activities.createEmail(base);
      assert.deepEqual(e.parties, base.parties);
      await assert.rejects(store.activities.createEmail(base), (err) => isAppError(err, 'conflict'));
      assert.equal(await store.activities.moveEmailStatus(e.id, 'pending-send', 'sending'), true);
      assert.equal(await store.activities.moveEmailStatus(e.id, 'pending-send', 'sending'), false);
      assert.equal(await store.activities.moveEmailStatus(e.id, 'sending', 'sent', { sentAt: '2026-01-05T09:00:01.000Z' }), true);
      const sent = await store.activities.findEmailByMessageId('<abc@dovetail>');
      assert.equal(sent?.status, 'sent');
      assert.equal(sent?.sentAt, '2026-01-05T09:00:01.000Z');
      const att = await store.activities.addAttachment(e.id, { name: 'a.txt', contentType: 'text/plain', size: 3, isInline: false, contentId: null, content: Buffer.from('abc') });
      assert.equal((await store.activities.getAttachmentContent(att.id))?.toString(), 'abc');
      assert.equal((await store.activities.getEmail(e.id))?.attachments.length, 1);
    });

    it('stores appointments and tasks', async () => {
      const a = await store.activities.createAppointment({
        mailboxId: null, subject: 'Review', body: '', location: 'Room 1', startAt: '2026-01-06T10:00:00.000Z', endAt: '2026-01-06T11:00:00.000Z',
        isAllDay: false, status: 'scheduled', parties: [], regarding: null,
      });
      assert.equal(a.startAt, '2026-01-06T10:00:00.000Z');
      const task = await store.activities.createTask({
        mailboxId: null, subject: 'Call back', body: '', dueAt: null, status: 'not-started', priority: 'high', percentComplete: 0, regarding: null,
      });
      const done = await store.activities.updateTask(task.id, { ...task, status: 'completed', percentComplete: 100 });
      assert.equal(done.status, 'completed');
      assert.equal(done.percentComplete, 100);
    });

    it('keeps alerts per target and an audit trail, newest first', async () => {
      const target = '11111111-2222-4333-8444-555555555555';
      await store.alerts.create({ level: 'error', targetType: 'mailbox', targetId: target, ownerUserId: null, code: 'auth', message: 'Access denied' });
      t.clock.advance(1000);
      const second = await store.alerts.create({ level: 'information', targetType: 'mailbox', targetId: target, ownerUserId: null, code: 'ok', message: 'Enabled' });
      assert.deepEqual((await store.alerts.list({ targetId: target })).map((a) => a.code), ['ok', 'auth']);
      await store.alerts.dismiss(second.id);
      assert.deepEqual((await store.alerts.list({ targetId: target })).map((a) => a.code), ['auth']);
      await store.audit.record({ actor: { type: 'cli', id: null, name: 'tester' }, action: 'create', entityType: 'user', entityId: 'x', changes: { a: 1 } });
      const entries = await store.audit.list({ entityType: 'user', entityId: 'x' });
      assert.equal(entries.length, 1);
      assert.deepEqual(entries[0]!.changes, { a: 1 });
    });

    it('authenticates tokens by hash and stops after revocation', async () => {
      const tok = await store.tokens.create({ name: 'admin', role: 'administrator', userId: null, token: 'dvt_exampletokenvalue123' });
      const raw = await sql<{ token_hash: string }>`select token_hash from api_tokens where id = ${tok.id}`.execute(store.kysely);
      assert.notEqual(raw.rows[0]!.token_hash, 'dvt_exampletokenvalue123');
      assert.equal((await store.tokens.authenticate('dvt_exampletokenvalue123'))?.id, tok.id);
      assert.equal(await store.tokens.authenticate('dvt_exampletokenvalue124'), undefined);
      await store.tokens.revoke(tok.id);
      assert.equal(await store.tokens.authenticate('dvt_exampletokenvalue123'), undefined);
    });
  });
}
