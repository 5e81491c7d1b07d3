import { seededRandom, systemClock } from '../../src/clock.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { forgeDeltaLink, startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { actEndToEnd } from './act-e2e-suite.ts';

/** ACT through the Graph driver against the lab's Microsoft Graph (events, contacts, To Do). */
actEndToEnd('Graph driver + lab Graph', async () => {
  const { lab, key } = await startTestGraphLab();
  const mailbox = 'alex.wilber@lab.dovetail.test';
  lab.addMailbox(mailbox, { displayName: 'Alex Wilber' });
  const open = (calendarWindow?: { pastDays: number; futureDays: number }) =>
    openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(key, 'app-act'), clock: systemClock, random: seededRandom(23), ...(calendarWindow === undefined ? {} : { calendarWindow }) });
  const unwindowed = open({ pastDays: 3_650, futureDays: 3_650 });
  return {
    driver: open(),
    mailbox,
    forgeCursor: forgeDeltaLink,
    unwindowed,
    close: async () => {
      await unwindowed.close();
      await lab.close();
    },
  };
});
