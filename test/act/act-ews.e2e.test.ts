import { seededRandom, systemClock } from '../../src/clock.ts';
import type { SyncCursor } from '../../src/exchange/driver.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport } from '../../src/exchange/ews/transport.ts';
import { startLab } from '../../src/lab/lab.ts';
import { actEndToEnd } from './act-e2e-suite.ts';

/** ACT through the EWS driver against the lab's EWS (NTLM, impersonation). */
actEndToEnd('EWS driver + lab EWS', async () => {
  const lab = await startLab({ authSchemes: ['NTLM'] });
  const transport = createEwsTransport({
    auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
    trustedCaPem: lab.caCertPem,
    maxConnections: 4,
    clock: systemClock,
    random: seededRandom(21),
  });
  const driver = new EwsDriver({ transport, url: lab.ewsUrl, clock: systemClock, random: seededRandom(22), maxConcurrent: 4, timeoutMs: 10_000, impersonation: true, sleep: async () => undefined });
  return {
    driver,
    mailbox: 'alex.wilber@contoso.lab',
    forgeCursor: (cursor: SyncCursor) => `${cursor.slice(0, -8)}AAAAAAA=` as SyncCursor,
    close: async () => {
      await transport.close();
      await lab.close();
    },
  };
});
