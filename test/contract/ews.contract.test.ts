import { seededRandom, systemClock } from '../../src/clock.ts';
import type { SyncCursor } from '../../src/exchange/driver.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport } from '../../src/exchange/ews/transport.ts';
import { startLab } from '../../src/lab/lab.ts';
import { mailboxDriverContract } from './mailbox-driver-contract.ts';

/**
 * The EWS driver against the lab's EWS (Exchange Server), with NTLM and ApplicationImpersonation as a
 * profile with credentials uses them. An unknown mailbox is kind not-found on EWS (ErrorNonExistentMailbox).
 * ErrorServerBusy and HTTP 503 are kind throttled, a dropped connection transient; SyncFolderItems
 * reports a read flag changed alone as a ReadFlagChange (read-flag).
 */
mailboxDriverContract('ews', async () => {
  const lab = await startLab();
  const account = lab.serviceAccounts.find((s) => s.impersonation === 'all')!;
  const mailbox = lab.users[0]!.smtp;
  // Retry waits are recorded as asked and shortened, so BackOffMilliseconds stay real without slowing the suite.
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    waits.push(ms);
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  };
  const open = (userName: string, password: string, seed: number) => {
    const transport = createEwsTransport({
      auth: { type: 'ntlm', username: userName, password, domain: '' },
      trustedCaPem: lab.caCertPem,
      maxConnections: 4,
      clock: systemClock,
      random: seededRandom(seed),
    });
    const driver = new EwsDriver({
      transport,
      url: lab.ewsUrl,
      clock: systemClock,
      random: seededRandom(seed + 1),
      maxConcurrent: 4,
      concurrencyScope: 'profile',
      timeoutMs: 30_000,
      impersonation: true,
      sleep,
    });
    return { transport, driver };
  };
  const { transport, driver } = open(account.userName, account.password, 21);
  // svc-limited may impersonate only Alex (users[0]), so opening Megan's mailbox is refused with ErrorImpersonateUserDenied.
  const limited = lab.serviceAccounts.find((s) => s.userName === 'svc-limited')!;
  const restricted = async () => ({ driver: open(limited.userName, limited.password, 31).driver, mailbox: lab.users[1]!.smtp });
  const fields = { email: 'Subject', appointment: 'Subject', contact: 'JobTitle', task: 'Subject' } as const;
  return {
    driver,
    mailbox,
    exchange: {
      deliverEmail: async (to, email) => {
        lab.api.deliverEmail({
          to: [to],
          from: email.from,
          subject: email.subject,
          body: email.body,
          messageId: email.internetMessageId,
          ...(email.inReplyTo === undefined ? {} : { inReplyTo: email.inReplyTo }),
          ...(email.references === undefined ? {} : { references: email.references }),
        });
      },
      editItem: async (smtp, kind, id, text) => lab.api.editItem(smtp, id, { [fields[kind]]: text }),
      deleteItem: async (smtp, _kind, id) => lab.api.deleteItem(smtp, id),
      forgeCursor: (cursor) => `${cursor.slice(0, -8)}AAAAAAA=` as SyncCursor,
      unknownMailbox: { address: `nobody@${lab.domain}`, kind: 'not-found' },
      failNext: (smtp, fault, count, retryAfterMs) => {
        if (fault === 'throttled') lab.api.inject({ kind: 'serverBusy', times: count, mailbox: smtp, ...(retryAfterMs === undefined ? {} : { backOffMs: retryAfterMs }) });
        else lab.api.inject({ kind: fault === 'unavailable' ? 'http503' : 'drop', times: count, mailbox: smtp });
      },
      clearFaults: () => lab.api.clearFaults(),
      markRead: async (smtp, id, isRead) => lab.api.setRead(smtp, id, isRead),
      readFlagChange: 'read-flag',
      restricted,
    },
    waits,
    close: async () => {
      await transport.close();
      await lab.close();
    },
  };
});
