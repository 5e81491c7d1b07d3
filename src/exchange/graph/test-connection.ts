import type { Clock } from '../../clock.ts';
import type { TokenSource } from '../../auth/token-source.ts';
import { appRolesOf } from '../../auth/entra/missing-consent.ts';
import { describeAccessToken, ExchangeTap, exchangeError, TRACE_BODY_LIMIT, type HttpExchange } from '../../diagnostics/redact-http.ts';
import { AppError, isAppError, toError } from '../../errors.ts';
import type { ConnectionCheck } from '../driver.ts';
import { graphVersion, type GraphClient, type GraphRequest, type GraphResponse } from './client.ts';
import { arr, seg, str, type Json } from './resources/graph-json.ts';

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

type Outcome = { ok: boolean; detail: string; remedy?: string; trace?: string };

export async function testConnection(client: GraphClient, tokens: TokenSource, clock: Clock, mailbox: string): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  const tap = new ExchangeTap();
  const step = async (name: string, run: () => Promise<Outcome>): Promise<boolean> => {
    const started = clock.now();
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (error) {
      outcome = explain(name, mailbox, toError(error));
    }
    const trace = outcome.trace ?? tap.trace();
    checks.push({
      step: name,
      ok: outcome.ok,
      detail: outcome.detail,
      ...(outcome.remedy === undefined ? {} : { remedy: outcome.remedy }),
      ...(trace === undefined ? {} : { trace }),
      durationMs: clock.now() - started,
    });
    return outcome.ok;
  };
  const request = (req: GraphRequest): Promise<GraphResponse> => traced(client, tap, req);

  let roles: string[] | undefined;
  let tokenTrace: string | undefined;
  const authenticated = await step('authentication', async () => {
    const token = await tokens.getToken();
    roles = appRolesOf(token.token);
    tokenTrace = describeAccessToken(token.token, token.expiresAt);
    return { ok: true, detail: 'An app-only token for Microsoft Graph was obtained.', trace: tokenTrace };
  });
  if (!authenticated) return checks;

  await step('permissions', async () => {
    // The permissions are read from the token's roles claim: its trace is the token's.
    const trace = tokenTrace === undefined ? {} : { trace: tokenTrace };
    if (roles === undefined) return { ok: true, detail: 'The token does not list its roles; permissions are checked by the steps below.', ...trace };
    const missing = requiredRoles.filter((r) => !roles!.includes(r.role) && !r.alternatives.some((a) => roles!.includes(a)));
    if (missing.length === 0) return { ok: true, detail: `Application permissions granted: ${requiredRoles.map((r) => r.role).join(', ')}.`, ...trace };
    return {
      ...trace,
      ok: false,
      detail: `Missing application permissions: ${missing.map((r) => `${r.role} (${r.why})`).join('; ')}.`,
      remedy: `In Entra ID, add ${missing.map((r) => r.role).join(', ')} as Microsoft Graph application permissions to the app registration and grant admin consent.`,
    };
  });

  const directoryOk = await step('mailbox-lookup', async () => {
    try {
      const user = (await request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}`, query: { $select: 'id,displayName' } })).body as Json;
      return { ok: true, detail: `${mailbox} is ${str(user['displayName']) ?? String(user['id'])} in the directory.` };
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
    await request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/mailFolders/inbox`, query: { $select: 'id' } });
    return { ok: true, detail: `The app can open the mailbox ${mailbox}.` };
  });
  if (!mailOk) return checks;

  await step('calendar-access', async () => {
    const now = clock.now();
    await request({
      method: 'GET',
      mailbox,
      path: `/users/${seg(mailbox)}/calendarView/delta`,
      query: { startDateTime: new Date(now).toISOString(), endDateTime: new Date(now + 86_400_000).toISOString() },
      headers: { prefer: 'odata.maxpagesize=1' },
    });
    return { ok: true, detail: 'Calendar changes can be tracked.' };
  });
  await step('contacts-access', async () => {
    await request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/contactFolders/contacts/contacts/delta`, headers: { prefer: 'odata.maxpagesize=1' } });
    return { ok: true, detail: 'Contact changes can be tracked.' };
  });
  await step('tasks-access', async () => {
    const lists = arr(((await request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/todo/lists` })).body as Json | undefined)?.['value']);
    if (lists.length === 0) return { ok: false, detail: `Mailbox ${mailbox} has no To Do task list.` };
    return { ok: true, detail: `The To Do task lists can be read (${lists.length}).` };
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

/** One Graph request, its exchange kept by the tap: the response as Graph sent it, or the error it became. */
async function traced(client: GraphClient, tap: ExchangeTap, req: GraphRequest): Promise<GraphResponse> {
  const url = new URL(`${client.root}/${graphVersion}${req.path}`);
  for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.set(name, value);
  const exchange: HttpExchange = { method: req.method, url: url.toString(), authenticated: true, requestHeaders: { accept: 'application/json', ...(req.headers ?? {}) } };
  tap.record(exchange);
  try {
    const response = await client.request(req);
    exchange.status = response.status;
    exchange.responseHeaders = response.headers;
    exchange.responseBody = response.raw.subarray(0, TRACE_BODY_LIMIT * 4).toString('utf8');
    exchange.responseBytes = response.raw.length;
    return response;
  } catch (error) {
    // The client turns an error answer into an AppError; its status and Graph's code and message are what the body said.
    const status = isAppError(error) ? error.details['httpStatus'] : undefined;
    if (typeof status === 'number') exchange.status = status;
    const requestId = isAppError(error) ? error.details['requestId'] : undefined;
    if (typeof requestId === 'string') exchange.responseHeaders = { 'request-id': requestId };
    exchange.error = exchangeError(error);
    throw error;
  }
}
