import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DemoOrg } from './demo-org.ts';
import type { DemoProgress, MailboxProgress } from './demo-progress.ts';
import { judgeDemo, summaryLines } from './demo-verdict.ts';

const org = {
  mailboxes: [
    { address: 'alex@contoso.lab', ownerType: 'user' },
    { address: 'adele@contoso.lab', ownerType: 'user' },
    { address: 'sales@contoso.lab', ownerType: 'queue' },
  ],
} as unknown as DemoOrg;

const done = (address: string, profile: MailboxProgress['profile'], extra: Partial<MailboxProgress> = {}): MailboxProgress => ({
  address, profile, enabled: true, failure: null, tracked: 1, sent: 1, appointments: address.startsWith('sales') ? 0 : 1, ...extra,
});
const progress = (mailboxes: MailboxProgress[]): DemoProgress => ({
  mailboxes, emailsTracked: mailboxes.reduce((n, m) => n + m.tracked, 0), emailsSent: mailboxes.reduce((n, m) => n + m.sent, 0), appointmentsSynced: mailboxes.reduce((n, m) => n + m.appointments, 0), emails: [],
});

describe('the demo verdict (--smoke)', () => {
  it('is OK once every mailbox is enabled and has shown its email, and each user mailbox its meeting (a queue has none)', () => {
    const v = judgeDemo(progress([done('alex@contoso.lab', 'ntlm'), done('adele@contoso.lab', 'online'), done('sales@contoso.lab', 'ntlm')]), org, false);
    assert.deepEqual([v.done, v.ok, v.reason], [true, true, null]);
    assert.equal(summaryLines(v)[0], 'Demo smoke: OK');
  });

  it('keeps waiting while a mailbox is still on its way, and says nothing yet', () => {
    const v = judgeDemo(progress([done('alex@contoso.lab', 'ntlm', { tracked: 0 }), done('adele@contoso.lab', 'online', { enabled: false }), done('sales@contoso.lab', 'ntlm')]), org, false);
    assert.deepEqual([v.done, v.ok, v.reason], [false, false, null]);
  });

  it('fails at once, without waiting out the timeout, when Test & Enable failed, naming the mailbox, profile and reason', () => {
    const v = judgeDemo(progress([
      done('alex@contoso.lab', 'ntlm'),
      done('adele@contoso.lab', 'online', { enabled: false, failure: 'graph_forbidden: Mail.Send missing', tracked: 0, sent: 0, appointments: 0 }),
      done('sales@contoso.lab', 'ntlm'),
    ]), org, false);
    assert.equal(v.done, true);
    assert.equal(v.ok, false);
    assert.match(v.reason ?? '', /^adele@contoso\.lab \(online\): not enabled: graph_forbidden: Mail\.Send missing, no tracked email, CRM email not sent, meeting not synced$/);
    const lines = summaryLines(v);
    assert.equal(lines[0], 'Demo smoke: FAILED');
    assert.ok(lines.some((l) => /adele@contoso\.lab: graph_forbidden/.test(l)), lines.join('\n'));
  });

  it('fails on the timeout with every gap left, and says it timed out', () => {
    const v = judgeDemo(progress([done('alex@contoso.lab', 'ntlm', { appointments: 0 }), done('adele@contoso.lab', 'online'), done('sales@contoso.lab', 'ntlm', { sent: 0 })]), org, true);
    assert.deepEqual([v.done, v.ok], [true, false]);
    assert.equal(v.reason, 'alex@contoso.lab (ntlm): meeting not synced; sales@contoso.lab (ntlm): CRM email not sent (timed out)');
  });
});
