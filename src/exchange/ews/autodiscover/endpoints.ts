import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../../errors.ts';

/**
 * Where Autodiscover looks, in Microsoft's documented order (autodiscover-for-exchange, phase 1):
 * URLs the profile names (Dovetail does no SCP/LDAP lookup; an administrator copies the SCP URL
 * into the profile instead), then https://<domain>/autodiscover/autodiscover and
 * https://autodiscover.<domain>/autodiscover/autodiscover, each as SOAP (.svc) then POX (.xml).
 * The domain is used whole: labels are never stripped, so "autodiscover.<tld>" (or the parent
 * domain's autodiscover host) is never contacted.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-generate-a-list-of-autodiscover-endpoints
 */
export type Candidate = { url: string; format: 'soap' | 'pox' };

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    // A single label ("user@com") would make autodiscover.<tld> a candidate.
    throw new AppError('autodiscover_invalid_address', `"${address}" has no fully qualified domain to run Autodiscover for`, { kind: 'invalid-input' });
  }
  return domain;
}

/** Both dialects of one endpoint: SOAP first (Microsoft's recommendation), then POX. */
export function bothFormats(url: string): Candidate[] {
  const base = url.replace(/\.(svc|xml)$/i, '');
  return [
    { url: `${base}.svc`, format: 'soap' },
    { url: `${base}.xml`, format: 'pox' },
  ];
}

/** The format a redirect target speaks, from its extension (SOAP by default). */
export function formatOf(url: string, fallback: 'soap' | 'pox'): 'soap' | 'pox' {
  const path = new URL(url).pathname.toLowerCase();
  if (path.endsWith('.svc')) return 'soap';
  if (path.endsWith('.xml')) return 'pox';
  return fallback;
}

export function candidatesFor(domain: string, configuredUrls: readonly string[], port: number | undefined): Candidate[] {
  const origin = (host: string): string => `https://${host}${port && port !== 443 ? `:${port}` : ''}`;
  return [
    ...configuredUrls.flatMap(bothFormats),
    ...bothFormats(`${origin(domain)}/autodiscover/autodiscover`),
    ...bothFormats(`${origin(`autodiscover.${domain}`)}/autodiscover/autodiscover`),
  ];
}

/** host is `domain` itself or a name under it. */
export function isWithin(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  return h === d || h.endsWith(`.${d}`);
}

/** Loopback and private ranges (RFC 1918, RFC 4193, link-local, CGNAT, unspecified). */
export function addressClass(address: string): 'loopback' | 'private' | 'public' {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const a = mapped ?? address;
  if (isIP(a) === 4) {
    const [p, q] = a.split('.').map(Number) as [number, number];
    if (p === 127) return 'loopback';
    if (p === 10 || p === 0 || (p === 172 && q >= 16 && q <= 31) || (p === 192 && q === 168) || (p === 169 && q === 254) || (p === 100 && q >= 64 && q <= 127)) {
      return 'private';
    }
    return 'public';
  }
  const lower = a.toLowerCase();
  if (lower === '::1') return 'loopback';
  if (lower === '::' || /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower)) return 'private';
  return 'public';
}

/** Every address a host name resolves to (a literal IP resolves to itself). */
export function resolveAll(lookup: LookupFunction, host: string): Promise<string[]> {
  if (isIP(host.replace(/^\[|\]$/g, ''))) return Promise.resolve([host.replace(/^\[|\]$/g, '')]);
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve((addresses as unknown as Array<{ address: string }>).map((a) => a.address));
    });
  });
}
