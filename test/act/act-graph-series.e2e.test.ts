import { seededRandom, systemClock } from '../../src/clock.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { actSeriesEndToEnd } from './act-series-suite.ts';

/** Series exceptions through the Graph driver against the lab's Graph (instances, cancelledOccurrences). */
actSeriesEndToEnd('Graph driver + lab Graph', async () => {
  const { lab, key } = await startTestGraphLab();
  const mailbox = 'alex.wilber@lab.dovetail.test';
  lab.addMailbox(mailbox, { displayName: 'Alex Wilber' });
  const driver = openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(key, 'app-act'), clock: systemClock, random: seededRandom(29) });
  const utc = (ms: number) => ({ dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' });
  return {
    driver,
    mailbox,
    editOccurrence: (id, date, c) => lab.editOccurrence(mailbox, id, date, { subject: c.subject, location: { displayName: c.location }, start: utc(c.start), end: utc(c.end) }),
    deleteOccurrence: (id, date) => lab.deleteOccurrence(mailbox, id, date),
    close: () => lab.close(),
  };
});
