import type { ConnectionCheck } from '../driver.ts';
import { isAppError } from '../../errors.ts';
import type { Clock } from '../../clock.ts';
import type { EwsClient } from './client.ts';
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

/** Test Connection for one mailbox: each step reported, none thrown. */
export async function checkConnection(client: EwsClient, clock: Clock, mailbox: string): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  let t = clock.now();
  const done = (c: Omit<ConnectionCheck, 'durationMs'>): void => {
    const now = clock.now();
    checks.push({ ...c, durationMs: now - t });
    t = now;
  };
  try {
    const [inbox] = await client.call(GetFolder, { folders: [{ distinguished: 'inbox' }], shape: { baseShape: 'Default' } }, { mailbox });
    if (inbox && !inbox.ok) throw inbox.error;
  } catch (e) {
    done({ ok: false, ...failedStep(e, mailbox) });
    return checks;
  }
  done({ ok: true, step: 'connection', detail: `EWS answered (Exchange build ${client.serverBuild ?? 'unknown'}, requests as ${client.versionFor(mailbox)})` });
  checks.push({ ok: true, step: 'authentication', detail: 'The service account signed in', durationMs: 0 });
  checks.push({ ok: true, step: 'impersonation', detail: `Acting as ${mailbox}`, durationMs: 0 });
  checks.push({ ok: true, step: 'mailbox-access', detail: 'Inbox is readable', durationMs: 0 });
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
