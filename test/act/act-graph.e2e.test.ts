import { seededRandom, systemClock } from '../../src/clock.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { actEndToEnd } from './act-e2e-suite.ts';

/** ACT through the Graph driver against the lab's Microsoft Graph (events, contacts, To Do). */
actEndToEnd('Graph driver + lab Graph', async () => {
  const { lab, key } = await startTestGraphLab();
  const mailbox = 'alex.wilber@lab.dovetail.test';
  lab.addMailbox(mailbox, { displayName: 'Alex Wilber' });
  const driver = openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(key, 'app-act'), clock: systemClock, random: seededRandom(23) });
  return { driver, mailbox, close: () => lab.close() };
});
