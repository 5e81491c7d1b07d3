/**
 * An Exchange Server profile with Autodiscover off reads at its incoming server location and sends
 * at its outgoing one, each on its port when the URL names none (seed 003: "enter the incoming and
 * outgoing email server information. Enter the ports..."). The lab records the path of every
 * request, so the test sees which location each call used.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { profileDefaults, type EmailServerProfile } from '../../src/domain/profile.ts';
import { openDriver } from '../../src/exchange/index.ts';
import type { MailboxDriver } from '../../src/exchange/driver.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';

const ALEX = 'alex.wilber@contoso.lab';
const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };

describe('incoming and outgoing server locations and ports (Exchange lab)', () => {
  let lab: LabHandle;
  let driver: MailboxDriver | undefined;

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
  });
  after(async () => {
    await driver?.close();
    await lab?.close();
  });

  const profileWith = (fields: Partial<EmailServerProfile>): EmailServerProfile => ({
    ...profileDefaults(auth), id: 'p-locations', name: 'Locations', description: '', ownerUserId: null, isDefaultForNewMailboxes: false,
    serverType: 'exchange-server', auth, autodiscover: false, trustedCaBundle: lab.caCertPem, createdAt: '', updatedAt: '', ...fields,
  } as EmailServerProfile);

  it('reads at the incoming location on its port and sends at the outgoing location', async () => {
    const port = Number(new URL(lab.ewsUrl).port);
    const incomingServerUrl = `https://127.0.0.1/EWS/Exchange.asmx`; // no port in the URL: the incoming port field gives it
    const outgoingServerUrl = `https://127.0.0.1:${port}/ews/exchange.asmx`; // another path, the port in the URL
    const profile = profileWith({ incomingServerUrl, outgoingServerUrl, incomingPort: port });
    driver = openDriver(profile, { password: 'Lab-Service-2026!' }, { clock: systemClock, random: systemRandom });

    const inbox = await driver.getFolder(ALEX, 'inbox');
    await driver.syncMessages(ALEX, inbox.id, null, 10);
    const messageId = `<locations-${Date.now()}@crm.contoso.lab>`;
    await driver.sendMessage(ALEX, {
      internetMessageId: messageId, from: { address: ALEX }, to: [{ address: 'ana@fabrikam.example' }], cc: [], bcc: [],
      subject: 'Sent at the outgoing location', body: { type: 'text', content: 'x' }, attachments: [], stamp: { orgId: 'org-1', activityId: 'a-1' },
    });

    const calls = lab.api.requests(ALEX).map((r) => `${r.operation} ${r.path}`);
    assert.ok(calls.includes('SyncFolderItems /EWS/Exchange.asmx'), calls.join('\n'));
    const sends = lab.api.requests(ALEX).filter((r) => r.operation === 'CreateItem' || r.operation === 'SendItem');
    assert.ok(sends.length > 0, calls.join('\n'));
    assert.deepEqual([...new Set(sends.map((r) => r.path))], ['/ews/exchange.asmx'], 'every sending call went to the outgoing location');
    assert.equal(lab.api.sent().filter((s) => s.internetMessageId === messageId).length, 1);

    const checks = await driver.testConnection(ALEX);
    assert.ok(checks.some((c) => c.step.startsWith('outgoing-') && c.detail.includes(outgoingServerUrl)), 'Test Connection checks the outgoing location too');
    assert.ok(checks.every((c) => c.ok), JSON.stringify(checks));
  });
});
