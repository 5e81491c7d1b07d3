import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../clock.ts';
import { startLab, type LabHandle } from '../lab.ts';
import { TrafficGenerator } from './traffic-generator.ts';

const KNOWN = [
  { name: 'Ana Diaz', address: 'ana@fabrikam.example' },
  { name: 'Bo Chen', address: 'bo@tailspin.example' },
];

describe('traffic generator', () => {
  let lab: LabHandle;
  before(async () => {
    lab = await startLab({ insecureHttp: true });
  });
  after(async () => {
    await lab.close();
  });

  const mailboxes = (): string[] => lab.users.slice(0, 2).map((u) => u.smtp);

  it('is deterministic for a seed and covers every kind of activity', () => {
    const a = new TrafficGenerator({ api: lab.api, mailboxes: mailboxes(), knownSenders: KNOWN, random: seededRandom(42) });
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) a.step();
    // Simulate Dovetail sending tracked email, then let replies come in.
    lab.state.sent.push({ from: mailboxes()[0]!, to: ['ana@fabrikam.example'], cc: [], bcc: [], subject: 'Quote CRM:0000042', internetMessageId: '<q42@contoso.lab>', at: 0, kind: 'message' });
    for (let i = 0; i < 150; i++) seen.add(a.step().kind);
    for (const kind of ['email-known', 'email-unknown', 'reply-with-token', 'reply-without-token', 'meeting', 'contact-edit', 'task-edit']) assert.ok(seen.has(kind), kind);

    const kindsOf = async (seed: number): Promise<string[]> => {
      const l = await startLab({ insecureHttp: true, random: seededRandom(99) });
      const g = new TrafficGenerator({ api: l.api, mailboxes: l.users.slice(0, 2).map((u) => u.smtp), knownSenders: KNOWN, random: seededRandom(seed) });
      const out = Array.from({ length: 30 }, () => g.step()).map((e) => `${e.kind}|${e.mailbox}|${e.detail}`);
      await l.close();
      return out;
    };
    return Promise.all([kindsOf(7), kindsOf(7), kindsOf(8)]).then(([x, y, z]) => {
      assert.deepEqual(x, y);
      assert.notDeepEqual(x, z);
    });
  });

  it('replies carry In-Reply-To and References; the token is kept or dropped as chosen', () => {
    const inbox = lab.api.items(mailboxes()[0]!, 'inbox').filter((i) => i.subject.startsWith('RE: Quote'));
    assert.ok(inbox.some((i) => i.subject === 'RE: Quote CRM:0000042'));
    assert.ok(inbox.some((i) => i.subject === 'RE: Quote'));
    for (const i of inbox) {
      const item = lab.api.item(mailboxes()[0]!, i.id);
      assert.equal(item.props.get('InReplyTo')?.text, '<q42@contoso.lab>');
      assert.equal(item.props.get('References')?.text, '<q42@contoso.lab>');
    }
  });
});
