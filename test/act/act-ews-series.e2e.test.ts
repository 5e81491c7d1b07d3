import { seededRandom, systemClock } from '../../src/clock.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport } from '../../src/exchange/ews/transport.ts';
import { startLab } from '../../src/lab/lab.ts';
import { actSeriesEndToEnd } from './act-series-suite.ts';

/** Series exceptions through the EWS driver against the lab's EWS (ModifiedOccurrences, DeletedOccurrences, OccurrenceItemId). */
actSeriesEndToEnd('EWS driver + lab EWS', async () => {
  const lab = await startLab({ authSchemes: ['NTLM'] });
  const transport = createEwsTransport({
    auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
    trustedCaPem: lab.caCertPem,
    maxConnections: 4,
    clock: systemClock,
    random: seededRandom(31),
  });
  const driver = new EwsDriver({ transport, url: lab.ewsUrl, clock: systemClock, random: seededRandom(32), maxConcurrent: 4, timeoutMs: 10_000, impersonation: true, sleep: async () => undefined });
  const mailbox = 'alex.wilber@contoso.lab';
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    driver,
    mailbox,
    editOccurrence: (id, date, c) => lab.api.editOccurrence(mailbox, id, date, { Subject: c.subject, Location: c.location, Start: iso(c.start), End: iso(c.end) }),
    deleteOccurrence: (id, date) => lab.api.deleteOccurrence(mailbox, id, date),
    close: async () => {
      await transport.close();
      await lab.close();
    },
  };
});
