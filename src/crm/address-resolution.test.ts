import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressesToResolve, resolveParties, resolveRecipient, resolveSender, type PartyRecord } from './address-resolution.ts';

const rec = (kind: PartyRecord['kind'], id: string, address: string, createdAt = 1): PartyRecord => ({ kind, id, address, createdAt });

describe('address resolution', () => {
  it('resolves the sender to one record: user, queue, contact, account, lead', () => {
    const opts = { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' } as const;
    const all = [rec('lead', 'l', 'a@x'), rec('account', 'ac', 'a@x'), rec('contact', 'c', 'a@x'), rec('user', 'u', 'a@x'), rec('queue', 'q', 'a@x')];
    assert.deepEqual(resolveSender(all, opts), [{ kind: 'user', id: 'u' }]);
    assert.deepEqual(resolveSender(all.filter((r) => r.kind !== 'user'), opts), [{ kind: 'queue', id: 'q' }]);
    assert.deepEqual(resolveSender(all.filter((r) => r.kind !== 'user' && r.kind !== 'queue'), opts), [{ kind: 'contact', id: 'c' }]);
    assert.deepEqual(resolveSender([rec('lead', 'l', 'a@x'), rec('account', 'ac', 'a@x')], opts), [{ kind: 'account', id: 'ac' }]);
    assert.deepEqual(resolveSender([rec('lead', 'l', 'a@x')], opts), [{ kind: 'lead', id: 'l' }]);
    assert.deepEqual(resolveSender([], opts), []);
  });

  it('applies the duplicate rule to the sender', () => {
    const dupes = [rec('contact', 'c2', 'a@x', 20), rec('contact', 'c1', 'a@x', 10)];
    assert.deepEqual(resolveSender(dupes, { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' }), [{ kind: 'contact', id: 'c1' }]);
    assert.deepEqual(resolveSender(dupes, { senderDuplicates: 'unresolved', recipientsWhenSeveral: 'all' }), []);
  });

  it('takes the most recently created record of the first kind found when the rule says newest', () => {
    const newest = { senderDuplicates: 'newest', recipientsWhenSeveral: 'all' } as const;
    const dupes = [rec('contact', 'c1', 'a@x', 10), rec('contact', 'c3', 'a@x', 30), rec('contact', 'c2', 'a@x', 20), rec('lead', 'l9', 'a@x', 90)];
    assert.deepEqual(resolveSender(dupes, newest), [{ kind: 'contact', id: 'c3' }], 'a newer lead does not win over the contacts');
    const tie = [rec('account', 'b', 'a@x', 5), rec('account', 'a', 'a@x', 5)];
    assert.deepEqual(resolveSender(tie, newest), [{ kind: 'account', id: 'b' }]);
    assert.deepEqual(resolveSender(tie, { ...newest, senderDuplicates: 'oldest' }), [{ kind: 'account', id: 'a' }]);
  });

  it('resolves recipients to all matches or leaves them unresolved', () => {
    const dupes = [rec('contact', 'c1', 'a@x'), rec('lead', 'l1', 'a@x')];
    assert.equal(resolveRecipient(dupes, { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' }).length, 2);
    assert.deepEqual(resolveRecipient(dupes, { senderDuplicates: 'oldest', recipientsWhenSeveral: 'unresolved' }), []);
    assert.deepEqual(resolveRecipient([rec('lead', 'l1', 'a@x')], { senderDuplicates: 'oldest', recipientsWhenSeveral: 'unresolved' }), [{ kind: 'lead', id: 'l1' }]);
  });

  it('builds parties per role, case-insensitively, keeping unresolved addresses', () => {
    const email = {
      from: { address: 'Pat@Customer.example', name: 'Pat' },
      to: [{ address: 'shared@us.example' }, { address: 'SHARED@us.example' }],
      cc: [{ address: 'nobody@else.example' }],
      bcc: [],
    };
    assert.deepEqual(addressesToResolve(email), ['pat@customer.example', 'shared@us.example', 'nobody@else.example']);
    const records = [rec('contact', 'c', 'pat@customer.example'), rec('user', 'u', 'shared@us.example'), rec('queue', 'q', 'shared@us.example')];
    const parties = resolveParties(email, records, { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' });
    assert.deepEqual(parties, [
      { role: 'from', address: 'Pat@Customer.example', name: 'Pat', records: [{ kind: 'contact', id: 'c' }] },
      { role: 'to', address: 'shared@us.example', records: [{ kind: 'user', id: 'u' }, { kind: 'queue', id: 'q' }] },
      { role: 'cc', address: 'nobody@else.example', records: [] },
    ]);
  });
});
