import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../../clock.ts';
import { startLabHttpsServer, type LabHttpsServer } from '../../../lab/tls/lab-ca.ts';
import type { GraphLab } from '../../../lab/graph/start-graph-lab.ts';
import { labCa, startTestGraphLab, testTokens } from '../../../../test/contract/graph-lab-fixture.ts';
import { GraphClient } from '../client.ts';
import { createSubscription, deleteSubscription, readNotifications, renewSubscription, validationAnswer, type ChangeNotification } from './subscriptions.ts';

describe('Graph change-notification subscriptions against the lab', () => {
  let lab: GraphLab;
  let endpoint: LabHttpsServer;
  let client: GraphClient;
  const mailbox = 'hank@lab.dovetail.test';
  const received: ChangeNotification[] = [];
  const states = new Map<string, string>();

  before(async () => {
    const ca = await labCa();
    const started = await startTestGraphLab({ notificationCaPem: ca.caCertPem });
    lab = started.lab;
    lab.addMailbox(mailbox);
    // Dovetail's side: answer the validation request, accept notifications that carry our clientState.
    endpoint = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = validationAnswer(new URL(req.url ?? '/', 'https://127.0.0.1').searchParams);
        if (answer !== undefined) {
          res.writeHead(answer.status, { 'content-type': answer.contentType });
          res.end(answer.body);
          return;
        }
        received.push(...readNotifications(JSON.parse(Buffer.concat(chunks).toString('utf8')), (id) => states.get(id)));
        res.writeHead(202);
        res.end();
      });
    });
    client = new GraphClient({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(started.key, 'app-subs'), clock: systemClock, random: seededRandom(5) });
  });
  after(async () => {
    await client.close();
    await endpoint.close();
    await lab.close();
  });

  it('subscribes, is notified of new mail with its clientState, renews and unsubscribes', async () => {
    const subscription = await createSubscription(client, {
      mailbox,
      resource: `users/${mailbox}/mailFolders('inbox')/messages`,
      changeType: 'created,updated',
      notificationUrl: `${endpoint.url}/graph/notifications`,
      clientState: 'per-subscription-secret',
      expiresAt: new Date(systemClock.now() + 60 * 60_000),
    });
    states.set(subscription.id, 'per-subscription-secret');
    const id = lab.deliver(mailbox, { from: { address: 'x@external.test' }, to: [mailbox], subject: 'push', body: 'push', internetMessageId: '<push@external.test>' });
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(received[0]?.subscriptionId, subscription.id);
    assert.equal(received[0]?.changeType, 'created');
    assert.equal(received[0]?.itemId, id);

    const renewed = await renewSubscription(client, mailbox, subscription.id, new Date(systemClock.now() + 2 * 60 * 60_000));
    assert.ok(Date.parse(renewed.expirationDateTime) > Date.parse(subscription.expirationDateTime));
    await deleteSubscription(client, mailbox, subscription.id);
    await deleteSubscription(client, mailbox, subscription.id);
  });
});
