import type { ConnectionCheck } from '../driver.ts';
import { isAppError } from '../../errors.ts';
import { ExchangeTap } from '../../diagnostics/redact-http.ts';
import { tracedTransport } from '../../diagnostics/test-connection/traced-transport.ts';
import { EwsClient, type EwsClientOptions } from './client.ts';
import { GetFolder } from './operations/get-folder.ts';
import type { DistinguishedFolderName } from './schema/folder-id.ts';

const permissionFolders: DistinguishedFolderName[] = ['sentitems', 'drafts', 'calendar', 'contacts', 'tasks'];

const impersonationCodes = new Set(['ErrorImpersonateUserDenied', 'ErrorImpersonationDenied', 'ErrorImpersonationFailed', 'ErrorInvalidExchangeImpersonationHeaderData']);
const networkCodes = new Set(['dns_failed', 'connect_failed', 'tls_failed', 'timeout']);

function failedStep(e: unknown, mailbox: string): Pick<ConnectionCheck, 'step' | 'detail' | 'remedy'> {
  const detail = e instanceof Error ? e.message : String(e);
  if (!isAppError(e)) return { step: 'mailbox-access', detail };
  if (networkCodes.has(e.code)) return { step: 'connection', detail, remedy: 'Check the EWS URL, DNS, firewall and the server certificate (or the profile trusted CA bundle).' };
  // Before the generic auth case: impersonation codes are kind auth too, but the sign-in worked and the
  // fix is a role assignment for this mailbox, which Exchange's own message does not name.
  if (e.providerCode && impersonationCodes.has(e.providerCode)) {
    return {
      step: 'impersonation',
      detail: `The service account may not act as ${mailbox}: ${detail}`,
      remedy: `Grant the service account the ApplicationImpersonation role with a scope that includes ${mailbox} (New-ManagementRoleAssignment -Role ApplicationImpersonation).`,
    };
  }
  if (e.kind === 'auth') return { step: 'authentication', detail, remedy: 'Check the service account credentials and the authentication methods enabled on the EWS virtual directory.' };
  if (e.providerCode === 'ErrorNonExistentMailbox') return { step: 'mailbox-access', detail, remedy: 'Check the mailbox primary SMTP address.' };
  return { step: 'mailbox-access', detail };
}

/**
 * Test Connection for one mailbox: each step reported, none thrown, each with the redacted last
 * request and response that decided it. It runs on a client of its own over a traced transport
 * (the same connections and credentials), so sync traffic is never copied into a trace.
 */
export async function checkConnection(options: EwsClientOptions, mailbox: string): Promise<ConnectionCheck[]> {
  const { clock } = options;
  const tap = new ExchangeTap();
  const client = new EwsClient({ ...options, transport: tracedTransport(options.transport, tap) });
  const checks: ConnectionCheck[] = [];
  let t = clock.now();
  const done = (c: Omit<ConnectionCheck, 'durationMs' | 'trace'>, durationMs?: number): void => {
    const now = clock.now();
    const trace = tap.trace();
    checks.push({ ...c, ...(trace === undefined ? {} : { trace }), durationMs: durationMs ?? now - t });
    t = now;
  };
  try {
    const [inbox] = await client.call(GetFolder, { folders: [{ distinguished: 'inbox' }], shape: { baseShape: 'Default' } }, { mailbox });
    if (inbox && !inbox.ok) throw inbox.error;
  } catch (e) {
    done({ ok: false, ...failedStep(e, mailbox) });
    return checks;
  }
  // One GetFolder on the inbox, as the mailbox, proved all four: its exchange is each one's trace.
  done({ ok: true, step: 'connection', detail: `EWS answered (Exchange build ${client.serverBuild ?? 'unknown'}, requests as ${client.versionFor(mailbox)})` });
  done({ ok: true, step: 'authentication', detail: 'The service account signed in' }, 0);
  done({ ok: true, step: 'impersonation', detail: `Acting as ${mailbox}` }, 0);
  done({ ok: true, step: 'mailbox-access', detail: 'Inbox is readable' }, 0);
  try {
    const results = await client.call(GetFolder, { folders: permissionFolders.map((f) => ({ distinguished: f })), shape: { baseShape: 'IdOnly' } }, { mailbox });
    const failed = results.flatMap((r, i) => (r.ok ? [] : [`${permissionFolders[i]}: ${r.error.providerCode ?? r.error.code}`]));
    done(
      failed.length === 0
        ? { ok: true, step: 'permissions', detail: `Folders readable: ${permissionFolders.join(', ')}` }
        : { ok: false, step: 'permissions', detail: `Not readable: ${failed.join('; ')}`, remedy: 'Give the service account full access to these folders, or disable the delivery methods that need them.' },
    );
  } catch (e) {
    done({ ok: false, ...failedStep(e, mailbox), step: 'permissions' });
  }
  return checks;
}
