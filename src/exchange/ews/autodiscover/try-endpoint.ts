import type { Clock } from '../../../clock.ts';
import { AppError } from '../../../errors.ts';
import type { EwsTransport, HttpResponse } from '../transport.ts';
import { readXml } from '../xml/xml-reader.ts';
import type { AutodiscoverAnswer } from './answer.ts';
import { buildGetUserSettingsRequest, GET_USER_SETTINGS_ACTION, interpretGetUserSettings, parseGetUserSettingsResponse } from './get-user-settings.ts';
import { buildPoxRequest, interpretPox, parsePoxResponse } from './pox-autodiscover.ts';

/** One line of the diagnostics Test Connection shows: which URL, how, what happened, how long. */
export type AutodiscoverAttempt = {
  url: string;
  method: 'soap' | 'pox' | 'redirect' | 'srv';
  outcome: 'settings' | 'redirect' | 'followed' | 'refused' | 'http_error' | 'auth_failed' | 'error' | 'skipped';
  detail: string;
  durationMs: number;
};

export type EndpointResult =
  | { kind: 'answer'; answer: AutodiscoverAnswer }
  | { kind: 'http-redirect'; location: string }
  | { kind: 'failed'; hostUnreachable: boolean; authFailed: boolean };

/** Autodiscover answers are small; anything bigger is not an Autodiscover answer. */
const MAX_RESPONSE_BYTES = 1 << 20;
const HOST_LEVEL = new Set(['dns_failed', 'connect_failed', 'tls_failed', 'timeout']);

async function discard(response: HttpResponse): Promise<void> {
  try {
    for await (const _ of response.body);
  } catch {
    // The body of a response we do not use may fail; the attempt is already decided.
  }
}

/** Sends one Autodiscover request (SOAP or POX) to one URL and records what happened. */
export async function tryEndpoint(input: {
  transport: EwsTransport;
  clock: Clock;
  url: string;
  format: 'soap' | 'pox';
  address: string;
  timeoutMs: number;
  preferInternal: boolean;
  record: (attempt: AutodiscoverAttempt) => void;
}): Promise<EndpointResult> {
  const started = input.clock.now();
  const record = (outcome: AutodiscoverAttempt['outcome'], detail: string): void =>
    input.record({ url: input.url, method: input.format, outcome, detail, durationMs: input.clock.now() - started });
  const soap = input.format === 'soap';
  let response: HttpResponse;
  try {
    response = await input.transport.send({
      url: input.url,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        // Routes the request to the mailbox's own server on Exchange 2013 and later.
        'x-anchormailbox': input.address,
        ...(soap ? { soapaction: `"${GET_USER_SETTINGS_ACTION}"` } : {}),
      },
      body: soap ? buildGetUserSettingsRequest(input.address, input.url) : buildPoxRequest(input.address),
      timeoutMs: input.timeoutMs,
    });
  } catch (error) {
    const code = error instanceof AppError ? error.code : 'error';
    const message = error instanceof Error ? error.message : String(error);
    record(code === 'auth_failed' ? 'auth_failed' : 'error', `${code}: ${message}`);
    return { kind: 'failed', hostUnreachable: HOST_LEVEL.has(code), authFailed: code === 'auth_failed' };
  }
  if ([301, 302, 303, 307, 308].includes(response.status)) {
    await discard(response);
    const location = response.headers['location'];
    if (!location) {
      record('http_error', `HTTP ${response.status} without a Location header`);
      return { kind: 'failed', hostUnreachable: false, authFailed: false };
    }
    let target: string;
    try {
      target = new URL(location, input.url).toString();
    } catch {
      record('http_error', `HTTP ${response.status} to an unusable Location`);
      return { kind: 'failed', hostUnreachable: false, authFailed: false };
    }
    record('redirect', `HTTP ${response.status} to ${target}`);
    return { kind: 'http-redirect', location: target };
  }
  if (response.status !== 200) {
    await discard(response);
    record('http_error', `HTTP ${response.status}`);
    return { kind: 'failed', hostUnreachable: false, authFailed: false };
  }
  let answer: AutodiscoverAnswer;
  try {
    const roots = await readXml(response.body, { maxBytes: MAX_RESPONSE_BYTES, maxDepth: 32 });
    answer = soap ? interpretGetUserSettings(parseGetUserSettingsResponse(roots), input.preferInternal) : interpretPox(parsePoxResponse(roots), input.preferInternal);
  } catch (error) {
    record('error', `unreadable response: ${error instanceof Error ? error.message : String(error)}`);
    return { kind: 'failed', hostUnreachable: false, authFailed: false };
  }
  switch (answer.kind) {
    case 'settings':
      record('settings', `EWS URL ${answer.settings.ewsUrl}`);
      break;
    case 'redirect-address':
      record('redirect', `redirect to address ${answer.address}`);
      break;
    case 'redirect-url':
      record('redirect', `redirect to URL ${answer.url}`);
      break;
    case 'error':
      record('error', `${answer.code}${answer.message ? `: ${answer.message}` : ''}`);
      break;
  }
  return { kind: 'answer', answer };
}
