/**
 * A profile with Autodiscover on keeps each domain's EWS URL for 24 hours; when calls at that URL
 * fail in a way that says the URL may be wrong (nothing listening, HTTP 404 from a retired
 * virtual directory), the answer is dropped and the next call asks Autodiscover again. Other
 * failures (a refused credential) keep it. Real lab EWS over NTLM; Autodiscover is scripted so
 * the test controls which URL it hands out.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { profileDefaults, type EmailServerProfile } from '../../src/domain/profile.ts';
import type { Autodiscover, AutodiscoverResult } from '../../src/exchange/ews/autodiscover/autodiscover.ts';
import { AutodiscoverEwsDriver } from '../../src/exchange/open-autodiscover.ts';
import { credentialAuth, profileTransport } from '../../src/exchange/open-ews.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';

const ALEX = 'alex.wilber@contoso.lab';
const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };

/** Hands out the URLs in `urls` in turn: the next one only after invalidate() dropped the last. */
function scriptedAutodiscover(urls: string[]): Autodiscover & { discoveries: number; invalidations: string[] } {
  let i = 0;
  let cached: string | undefined;
  const ad = {
    discoveries: 0,
    invalidations: [] as string[],
    async discover(emailAddress: string): Promise<AutodiscoverResult> {
      if (cached === undefined) {
        cached = urls[Math.min(i++, urls.length - 1)]!;
        ad.discoveries++;
      }
      return { ewsUrl: cached, emailAddress, autodiscoverUrl: 'https://autodiscover.contoso.lab/autodiscover/autodiscover.svc', format: 'soap', fetchedAt: Date.now(), source: 'network', attempts: [] };
    },
    invalidate(who: string) {
      ad.invalidations.push(who);
      cached = undefined;
    },
  };
  return ad;
}

describe('Autodiscover answers dropped when their EWS URL stops working (Exchange lab)', () => {
  let lab: LabHandle;
  let deadUrl = '';
  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    // A port nothing listens on: take one, then close it.
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    deadUrl = `https://127.0.0.1:${port}/EWS/Exchange.asmx`;
  });
  after(async () => lab?.close());

  const profile = (): EmailServerProfile => ({
    ...profileDefaults(auth), id: 'p-ad', name: 'Autodiscover', description: '', ownerUserId: null, isDefaultForNewMailboxes: false,
    serverType: 'exchange-server', auth, autodiscover: true, trustedCaBundle: lab.caCertPem, connectionTimeoutSeconds: 5, secretsSet: [], createdAt: '', updatedAt: '',
  } as EmailServerProfile);
  const driverWith = (password: string, ad: Autodiscover) => {
    const p = profile();
    const deps = { clock: systemClock, random: systemRandom };
    return new AutodiscoverEwsDriver(p, profileTransport(p, credentialAuth(p, { password }), deps), ad, deps);
  };

  for (const [what, badUrl] of [['nothing listens there', () => deadUrl], ['the virtual directory answers 404', () => `${lab.baseUrl}/EWS-retired/Exchange.asmx`]] as const) {
    it(`asks Autodiscover again when ${what}, and then reaches the mailbox`, async () => {
      const ad = scriptedAutodiscover([badUrl(), lab.ewsUrl]);
      const driver = driverWith('Lab-Service-2026!', ad);
      try {
        await assert.rejects(driver.getFolder(ALEX, 'inbox'));
        assert.deepEqual(ad.invalidations, [ALEX], 'the answer was dropped');
        const inbox = await driver.getFolder(ALEX, 'inbox');
        assert.equal(inbox.wellKnown, 'inbox');
        assert.equal(ad.discoveries, 2);
      } finally {
        await driver.close();
      }
    });
  }

  it('keeps the answer when the server refuses the credentials', async () => {
    const ad = scriptedAutodiscover([lab.ewsUrl]);
    const driver = driverWith('not-the-password', ad);
    try {
      await assert.rejects(driver.getFolder(ALEX, 'inbox'), (e: unknown) => (e as { kind?: string }).kind === 'auth');
      assert.deepEqual(ad.invalidations, []);
      assert.equal(ad.discoveries, 1);
    } finally {
      await driver.close();
    }
  });
});
