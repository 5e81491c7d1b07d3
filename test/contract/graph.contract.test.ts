import { seededRandom, systemClock } from '../../src/clock.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { mailboxDriverContract } from './mailbox-driver-contract.ts';
import { graphLabControl, startTestGraphLab, testTokens } from './graph-lab-fixture.ts';

/**
 * The Graph driver against the lab's Microsoft Graph. An unknown mailbox is kind not-found on Graph
 * (404 ErrorInvalidUser); see docs/exchange-online.md. 429 and 503 are kind throttled, 500 transient
 * (error-codes.ts); a read flag changed alone arrives as an upsert (graph-lab-fixture.ts says why).
 */
mailboxDriverContract('graph', async () => {
  const mailbox = 'alice@lab.dovetail.test';
  // The application access policy lets app-restricted open every mailbox but Alice's.
  const { lab, key } = await startTestGraphLab({ mailboxAccess: (appId, address) => !(appId === 'app-restricted' && address === mailbox) });
  lab.addMailbox(mailbox, { displayName: 'Alice' });
  // Retry waits are recorded as asked and shortened, so Retry-After values stay real without slowing the suite.
  const waits: number[] = [];
  const driver = openGraphDriver({
    root: lab.url,
    trustedCaPem: lab.caCertPem,
    tokens: testTokens(key, 'app-contract'),
    clock: systemClock,
    random: seededRandom(42),
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
  });
  const restricted = async () => ({
    driver: openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(key, 'app-restricted'), clock: systemClock, random: seededRandom(43) }),
    mailbox,
  });
  return { driver, mailbox, exchange: { ...graphLabControl(lab), restricted }, waits, close: () => lab.close() };
});
