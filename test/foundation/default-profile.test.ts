/**
 * "Set as default profile for new mailboxes" on a profile and the org email settings' server
 * profile are one setting: whichever is changed, the other follows, and new user and queue
 * mailboxes get that profile (PGlite and PostgreSQL, over the API).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresSkip } from '../support/env.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

const profile = (name: string, isDefaultForNewMailboxes: boolean) => ({
  name, serverType: 'exchange-server', isDefaultForNewMailboxes,
  auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-sync', password: 'Pw-default-profile-1' },
});

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`the default profile for new mailboxes on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let h: ApiHarness;
    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const r = await h.api.inject({ method, url, headers: bearer(h.adminToken), ...(payload === undefined ? {} : { payload }) });
      assert.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.statusCode === 204 ? undefined : r.json();
    };
    const defaults = async () => {
      const settings = await call('GET', '/api/settings/email');
      const flagged = (await call('GET', '/api/profiles')).filter((p: { isDefaultForNewMailboxes: boolean }) => p.isDefaultForNewMailboxes).map((p: { id: string }) => p.id);
      return { settings: settings.defaultProfileId as string | null, flagged: flagged as string[] };
    };
    before(async () => {
      h = await openApiHarness(engine);
    });
    after(() => h?.close());

    it('moves the org default with the profile flag, and the flag with the org default', async () => {
      const a = await call('POST', '/api/profiles', profile('On-premises A', true));
      assert.deepEqual(await defaults(), { settings: a.id, flagged: [a.id] }, 'a new default profile becomes the org default');
      const user = await call('POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' });
      assert.equal((await call('GET', `/api/mailboxes/${user.mailboxId}`)).profileId, a.id, 'a new user mailbox gets it');

      const b = await call('POST', '/api/profiles', profile('On-premises B', false));
      await call('PATCH', `/api/profiles/${b.id}`, { isDefaultForNewMailboxes: true });
      assert.deepEqual(await defaults(), { settings: b.id, flagged: [b.id] }, 'setting another profile as default moves both');
      const queue = await call('POST', '/api/queues', { name: 'Support', emailAddress: 'support@contoso.com' });
      assert.equal((await call('GET', `/api/mailboxes/${queue.mailboxId}`)).profileId, b.id, 'a new queue mailbox gets it');

      await call('PATCH', '/api/settings/email', { defaultProfileId: a.id });
      assert.deepEqual(await defaults(), { settings: a.id, flagged: [a.id] }, 'the org setting moves the flag');

      await call('PATCH', `/api/profiles/${a.id}`, { isDefaultForNewMailboxes: false });
      assert.deepEqual(await defaults(), { settings: null, flagged: [] }, 'clearing the flag clears the org default');

      await call('PATCH', '/api/settings/email', { defaultProfileId: b.id });
      await call('DELETE', `/api/profiles/${b.id}`);
      assert.deepEqual(await defaults(), { settings: null, flagged: [] }, 'deleting the default profile leaves no default');
    });
  });
}
