import { Agent, request } from 'undici';

export type LabTarget = { ewsUrl: string; caCertPem: string };

export type Reply = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

export function labAgent(caCertPem: string, connections = 64): Agent {
  return new Agent({ connect: { ca: caCertPem }, connections, keepAliveTimeout: 5000 });
}

const SOAP_OPEN =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">';

/** A request envelope with RequestServerVersion and optional impersonation; `body` is the operation element. */
export function soap(body: string, options: { impersonate?: string; version?: string } = {}): string {
  const header =
    `<soap:Header><t:RequestServerVersion Version="${options.version ?? 'Exchange2013_SP1'}"/>` +
    (options.impersonate ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${options.impersonate}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>` : '') +
    '</soap:Header>';
  return `${SOAP_OPEN}${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function post(url: string, agent: Agent, xml: string, authorization: string | undefined, extra: Record<string, string> = {}): Promise<Reply> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'text/xml; charset=utf-8', ...(authorization ? { authorization } : {}), ...extra },
    body: xml,
  });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

/** First capture of a regex in a response, for ids and sync states. */
export function grab(body: string, re: RegExp): string {
  const m = re.exec(body);
  if (!m?.[1]) throw new Error(`no match for ${re} in ${body.slice(0, 2000)}`);
  return m[1];
}

export function grabAll(body: string, re: RegExp): string[] {
  return [...body.matchAll(new RegExp(re, 'g'))].map((m) => m[1]!);
}
