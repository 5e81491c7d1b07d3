import type { HmaFinding } from '../types.ts';

/** What the seed says that no cmdlet output can confirm: stated once in every report. */
export function notes(): HmaFinding[] {
  return [
    {
      code: 'hma.protocols.not-covered',
      severity: 'info',
      title: 'IMAP, POP and Outlook Anywhere (RPC/HTTP) cannot use HMA',
      evidence: [],
      why: 'HMA covers MAPI over HTTP, EWS, ActiveSync, OAB, Autodiscover, OWA and ECP only. Clients on IMAP, POP or RPC/HTTP keep using legacy authentication.',
      fix: 'Move Outlook to MAPI over HTTP and keep IMAP/POP/RPC-over-HTTP clients on their current authentication, or retire them.',
    },
    {
      code: 'hma.identities.synchronized',
      severity: 'info',
      title: 'All user identities must be synchronized with Entra ID',
      evidence: [],
      why: 'Tokens are issued by Entra ID, so only synchronized users can sign in with HMA; Exchange output cannot show this.',
      fix: 'Check Entra Connect (or Cloud Sync) covers every mailbox user.',
    },
    {
      code: 'hma.mobile.autodetect',
      severity: 'info',
      title: 'Outlook for iOS and Android needs the AutoDetect service to reach Exchange',
      evidence: [],
      why: 'With HMA, Outlook mobile connects through Microsoft AutoDetect.',
      fix: 'If Outlook mobile is used, allow 52.125.128.0/20 and 52.127.96.0/23 to reach Exchange on TCP 443 (HTTPS).',
    },
  ];
}
