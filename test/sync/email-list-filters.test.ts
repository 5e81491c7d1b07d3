/**
 * GET /api/emails filters as a CRM app uses them: by regarding record, by party (address or
 * record id), by direction and status, and by date (inclusive bounds on when the email was
 * received, sent or created); an impossible date is refused with the field named.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { bearer, openApiHarness, type ApiHarness } from '../foundation/api-harness.ts';

describe('listing email activities with filters (API, PGlite)', () => {
  let h: ApiHarness;
  const ids: Record<string, string> = {};
  let accountId = '';
  let contactId = '';
  const list = async (query: string) => {
    const r = await h.api.inject({ method: 'GET', url: `/api/emails?${query}`, headers: bearer(h.adminToken) });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as Array<{ id: string }>).map((e) => e.id).sort();
  };
  const idsOf = (...names: string[]) => names.map((n) => ids[n]!).sort();

  before(async () => {
    h = await openApiHarness();
    const user = await h.api.inject({ method: 'POST', url: '/api/users', headers: bearer(h.adminToken), payload: { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' } });
    const mailboxId = user.json().mailboxId as string;
    accountId = (await h.store.crm.createAccount({ name: 'Fabrikam' })).id;
    contactId = (await h.store.crm.createContact({ firstName: 'Ana', lastName: 'Diaz', emailAddresses: ['ana@fabrikam.example'] })).id;
    const db = syncDb(h.store.kysely);
    const rows: Array<[string, 'incoming' | 'outgoing', string, string, boolean, string]> = [
      // name, direction, status, when, regarding the account, from/to
      ['jan-in', 'incoming', 'received', '2026-01-10T09:00:00Z', true, 'ana@fabrikam.example'],
      ['feb-in', 'incoming', 'received', '2026-02-10T09:00:00Z', false, 'bo@tailspin.example'],
      ['feb-out', 'outgoing', 'sent', '2026-02-20T09:00:00Z', true, 'ana@fabrikam.example'],
      ['mar-out', 'outgoing', 'failed', '2026-03-05T09:00:00Z', false, 'bo@tailspin.example'],
    ];
    for (const [name, direction, status, when, regarding, other] of rows) {
      const id = randomUUID();
      ids[name] = id;
      const at = new Date(when);
      const otherParty = { address: other, name: null, partyType: other.startsWith('ana') ? 'contact' : null, partyId: other.startsWith('ana') ? contactId : null };
      const parties = direction === 'incoming'
        ? [{ role: 'from', ...otherParty }, { role: 'to', address: 'nancy@contoso.com', name: 'Nancy Davolio', partyType: null, partyId: null }]
        : [{ role: 'from', address: 'nancy@contoso.com', name: 'Nancy Davolio', partyType: null, partyId: null }, { role: 'to', ...otherParty }];
      await db.insertInto('email_activities').values({
        id, mailbox_id: mailboxId, direction, status, subject: name, body_type: 'text', body: 'x', parties: JSON.stringify(parties),
        ...(regarding ? { regarding_type: 'account', regarding_id: accountId } : {}),
        ...(direction === 'incoming' ? { received_at: at } : status === 'sent' ? { sent_at: at } : {}),
        created_at: at, updated_at: at,
      } as never).execute();
    }
  });
  after(() => h?.close());

  it('filters by regarding record, party, direction and status', async () => {
    assert.deepEqual(await list(`regardingId=${accountId}`), idsOf('jan-in', 'feb-out'));
    assert.deepEqual(await list('party=ANA@fabrikam.example'), idsOf('jan-in', 'feb-out'), 'by address, any case');
    assert.deepEqual(await list(`party=${contactId}`), idsOf('jan-in', 'feb-out'), 'by the resolved record id');
    assert.deepEqual(await list('direction=outgoing'), idsOf('feb-out', 'mar-out'));
    assert.deepEqual(await list('direction=outgoing&status=failed'), idsOf('mar-out'));
  });

  it('filters by date, both bounds inclusive, on when the email was received, sent or created', async () => {
    assert.deepEqual(await list('from=2026-02-10T09:00:00Z'), idsOf('feb-in', 'feb-out', 'mar-out'));
    assert.deepEqual(await list('to=2026-02-20T09:00:00Z'), idsOf('jan-in', 'feb-in', 'feb-out'));
    assert.deepEqual(await list('from=2026-02-01T00:00:00Z&to=2026-02-28T23:59:59Z'), idsOf('feb-in', 'feb-out'));
    assert.deepEqual(await list('from=2026-04-01T00:00:00Z'), []);
  });

  it('refuses a date that is not one, naming the field', async () => {
    const r = await h.api.inject({ method: 'GET', url: '/api/emails?from=last-tuesday', headers: bearer(h.adminToken) });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /from/);
  });
});
