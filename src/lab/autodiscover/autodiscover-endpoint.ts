import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BearerVerifier, LabState } from '../lab-state.ts';
import { authenticate, type AuthScheme, type ExtendedProtection } from '../http/authenticate.ts';
import { child, childText, parseXml, type XmlNode } from '../xml/parse-xml.ts';
import { soapAutodiscover } from './soap-autodiscover.ts';
import { poxAutodiscover, poxError } from './pox-autodiscover.ts';

export type AutodiscoverRequest = {
  lab: LabState;
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  path: string;
  baseUrl: string;
  authSchemes: readonly AuthScheme[];
  verifyBearer: BearerVerifier | undefined;
  extendedProtection: ExtendedProtection;
};

/**
 * Autodiscover for the lab's domains: SOAP (autodiscover.svc, GetUserSettings) and POX
 * (autodiscover.xml). Both sit behind the same authentication as EWS, as on Exchange.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/autodiscover-for-exchange
 */
export async function handleAutodiscover(r: AutodiscoverRequest): Promise<void> {
  const redirected = r.path.startsWith('/redirected/');
  const file = r.path.replace(/^\/redirected/, '');
  if (r.req.method !== 'POST' || (file !== '/autodiscover/autodiscover.svc' && file !== '/autodiscover/autodiscover.xml')) {
    r.res.writeHead(file === '/autodiscover/autodiscover.xml' || file === '/autodiscover/autodiscover.svc' ? 405 : 404);
    r.res.end();
    return;
  }
  const auth = await authenticate(r.lab, r.authSchemes, r.verifyBearer, r.req, r.res, r.extendedProtection);
  if (!auth.ok) return;
  let doc: XmlNode | undefined;
  try {
    doc = parseXml(r.body);
  } catch {
    doc = undefined;
  }
  const ctx = { lab: r.lab, baseUrl: r.baseUrl, redirected };
  if (file.endsWith('.svc')) {
    const out = doc ? soapAutodiscover(ctx, doc) : undefined;
    if (!out) {
      r.res.writeHead(400, { 'Content-Type': 'text/plain' });
      r.res.end('Bad Request');
      return;
    }
    r.res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
    r.res.end(out);
    return;
  }
  const address = childText(child(doc, 'Request'), 'EMailAddress');
  const out = doc && address ? poxAutodiscover(ctx, address) : poxError(r.lab, '600', 'Invalid Request');
  r.res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
  r.res.end(out);
}

