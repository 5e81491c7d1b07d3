import type { Clock } from '../../clock.ts';
import type { TokenSource } from '../../auth/token-source.ts';
import { appRolesOf } from '../../auth/entra/missing-consent.ts';
import { AppError, toError } from '../../errors.ts';
import type { ConnectionCheck } from '../driver.ts';
import type { GraphClient } from './client.ts';
import { seg } from './resources/graph-json.ts';
import { defaultListId } from './resources/todo-tasks.ts';
import { getUser } from './resources/users.ts';

/**
 * Test Connection for an Exchange Online profile, step by step; a failed step is reported, never thrown.
 * Application permissions are read from the token's `roles` claim (app-only tokens carry the granted
 * application permissions there: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * Tasks.ReadWrite exists only as a delegated permission; the application permission for To Do is
 * Tasks.ReadWrite.All, which we ask for and accept either name in the claim.
 */
export const requiredRoles: ReadonlyArray<{ role: string; alternatives: readonly string[]; why: string }> = [
  { role: 'Mail.ReadWrite', alternatives: [], why: 'read, track, categorize and move email' },
  { role: 'Mail.Send', alternatives: [], why: 'send email from CRM' },
  { role: 'Calendars.ReadWrite', alternatives: [], why: 'sync appointments' },
  { role: 'Contacts.ReadWrite', alternatives: [], why: 'sync contacts' },
  { role: 'Tasks.ReadWrite.All', alternatives: ['Tasks.ReadWrite'], why: 'sync tasks (Microsoft To Do)' },
];

export async function testConnection(client: GraphClient, tokens: TokenSource, clock: Clock, mailbox: string): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  const step = async (name: string, run: () => Promise<{ ok: boolean; detail: string; remedy?: string }>): Promise<boolean> => {
    const started = clock.now();
    let outcome: { ok: boolean; detail: string; remedy?: string };
    try {
      outcome = await run();
    } catch (error) {
      outcome = explain(name, mailbox, toError(error));
    }
    checks.push({ step: name, ok: outcome.ok, detail: outcome.detail, ...(outcome.remedy === undefined ? {} : { remedy: outcome.remedy }), durationMs: clock.now() - started });
    return outcome.ok;
  };

  let roles: string[] | undefined;
  const authenticated = await step('authentication', async () => {
    const token = await tokens.getToken();
    roles = appRolesOf(token.token);
    return { ok: true, detail: 'An app-only token for Microsoft Graph was obtained.' };
  });
  if (!authenticated) return checks;

  await step('permissions', async () => {
    if (roles === undefined) return { ok: true, detail: 'The token does not list its roles; permissions are checked by the steps below.' };
    const missing = requiredRoles.filter((r) => !roles!.includes(r.role) && !r.alternatives.some((a) => roles!.includes(a)));
    if (missing.length === 0) return { ok: true, detail: `Application permissions granted: ${requiredRoles.map((r) => r.role).join(', ')}.` };
    return {
      ok: false,
      detail: `Missing application permissions: ${missing.map((r) => `${r.role} (${r.why})`).join('; ')}.`,
      remedy: `In Entra ID, add ${missing.map((r) => r.role).join(', ')} as Microsoft Graph application permissions to the app registration and grant admin consent.`,
    };
  });

  const directoryOk = await step('mailbox-lookup', async () => {
    try {
      const user = await getUser(client, mailbox);
      return { ok: true, detail: `${mailbox} is ${user.displayName ?? user.id} in the directory.` };
    } catch (error) {
      // Without User.Read.All the directory read is denied; mailbox access below still decides.
      if ((error as AppError).providerCode === 'Authorization_RequestDenied') {
        return { ok: true, detail: 'The app may not read the directory (User.Read.All not granted); skipped.' };
      }
      throw error;
    }
  });
  if (!directoryOk) return checks;

  const mailOk = await step('mailbox-access', async () => {
    await client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/mailFolders/inbox`, query: { $select: 'id' } });
    return { ok: true, detail: `The app can open the mailbox ${mailbox}.` };
  });
  if (!mailOk) return checks;

  await step('calendar-access', async () => {
    const now = clock.now();
    await client.request({
      method: 'GET',
      mailbox,
      path: `/users/${seg(mailbox)}/calendarView/delta`,
      query: { startDateTime: new Date(now).toISOString(), endDateTime: new Date(now + 86_400_000).toISOString() },
      headers: { prefer: 'odata.maxpagesize=1' },
    });
    return { ok: true, detail: 'Calendar changes can be tracked.' };
  });
  await step('contacts-access', async () => {
    await client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/contactFolders/contacts/contacts/delta`, headers: { prefer: 'odata.maxpagesize=1' } });
    return { ok: true, detail: 'Contact changes can be tracked.' };
  });
  await step('tasks-access', async () => {
    await defaultListId(client, mailbox);
    return { ok: true, detail: 'The To Do task lists can be read.' };
  });
  return checks;
}

/** The administrator's reading of a failed step. */
function explain(step: string, mailbox: string, error: Error): { ok: false; detail: string; remedy?: string } {
  if (!(error instanceof AppError)) return { ok: false, detail: `${step} failed: ${error.message}` };
  const code = error.providerCode;
  if (step === 'authentication') {
    return { ok: false, detail: `No token for Microsoft Graph: ${error.message}`, remedy: 'Check the tenant id, client id and certificate of the profile.' };
  }
  if (error.code === 'graph_mailbox_not_in_cloud') {
    return {
      ok: false,
      detail: `${mailbox} exists but its mailbox is not in Exchange Online (${code ?? 'MailboxNotEnabledForRESTAPI'}): ${error.providerMessage ?? ''}`.trim(),
      remedy: 'Use an Exchange Server profile for on-premises mailboxes, or license / migrate the mailbox to Exchange Online.',
    };
  }
  if (error.kind === 'not-found' && (code === 'ErrorInvalidUser' || code === 'Request_ResourceNotFound')) {
    return { ok: false, detail: `No user ${mailbox} in the tenant (${code}).`, remedy: "Check the mailbox's primary SMTP address." };
  }
  if (error.kind === 'auth' && /AccessPolicy|RAOP/i.test(error.providerMessage ?? '')) {
    return {
      ok: false,
      detail: `Access to ${mailbox} is blocked by an application access policy (or an RBAC for Applications scope) for this app: ${error.providerMessage}`,
      remedy: `Add ${mailbox} to the mail-enabled security group the policy allows (check with Test-ApplicationAccessPolicy -Identity ${mailbox} -AppId <client id>), or widen the RBAC for Applications management scope.`,
    };
  }
  if (error.kind === 'auth') {
    return {
      ok: false,
      detail: `Microsoft Graph refused ${step} for ${mailbox} (${code ?? error.code}): ${error.providerMessage ?? error.message}`,
      remedy:
        'Grant the missing Microsoft Graph application permission with admin consent; if permissions are granted, an application access policy or RBAC for Applications scope probably excludes this mailbox.',
    };
  }
  if (error.kind === 'throttled' || error.kind === 'transient') {
    return { ok: false, detail: `Microsoft Graph is busy or unreachable: ${error.message}`, remedy: 'Try again in a few minutes.' };
  }
  return { ok: false, detail: error.message };
}
