/**
 * Finds a mailbox's EWS URL with Autodiscover, the way Microsoft documents it, and no further:
 * HTTPS only, at most 10 redirects, other domains only when the profile allows them, never a
 * private or loopback address reached by redirect unless allowed, never "autodiscover.<tld>".
 * Results are cached per domain for 24 hours; every attempt is recorded for Test Connection.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/autodiscover-for-exchange
 */
import { promises as dns, type SrvRecord } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Clock, Random } from '../../../clock.ts';
import { AppError } from '../../../errors.ts';
import { defaultLookup } from '../transport-connector.ts';
import type { EwsTransport } from '../transport.ts';
import type { AutodiscoverSettings } from './answer.ts';
import { addressClass, bothFormats, type Candidate, candidatesFor, domainOf, formatOf, isWithin, resolveAll } from './endpoints.ts';
import { type AutodiscoverAttempt, tryEndpoint } from './try-endpoint.ts';

export type { AutodiscoverAttempt } from './try-endpoint.ts';
export type { AutodiscoverSettings } from './answer.ts';

export type AutodiscoverOptions = {
  /** Carries the profile's credentials (Basic, NTLM or Bearer) to every endpoint. */
  transport: EwsTransport;
  clock: Clock;
  /** Picks among equally ranked SRV records. */
  random: Random;
  /** Domains, besides the mailbox's own, Autodiscover may be redirected to (a name matches itself and its subdomains). */
  allowedRedirectDomains?: readonly string[];
  /** Allow endpoints on 127.0.0.0/8 and ::1 (the lab). */
  allowLoopback?: boolean;
  /** Allow redirects to private addresses (RFC 1918 and the like). */
  allowPrivateAddresses?: boolean;
  /** Autodiscover URLs named by the profile, tried first (where a domain-joined client would use SCP). */
  configuredUrls?: readonly string[];
  /** HTTPS port of derived candidates and SRV targets; 443 except in the lab. */
  port?: number;
  lookup?: LookupFunction;
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
  /** Per request; defaults to 30 s. */
  timeoutMs?: number;
  /** Defaults to 24 hours (improving-performance-when-using-autodiscover-for-exchange). */
  refreshAfterMs?: number;
  preferInternalEwsUrl?: boolean;
};

export type AutodiscoverResult = AutodiscoverSettings & {
  /** The address the answer is for (differs from the one asked when the server redirected to another address). */
  emailAddress: string;
  /** The endpoint that answered, and how. */
  autodiscoverUrl: string;
  format: 'soap' | 'pox';
  fetchedAt: number;
  /** 'cache' when served from the per-domain cache; 'stale-cache' when a due refresh failed. */
  source: 'network' | 'cache' | 'stale-cache';
  attempts: AutodiscoverAttempt[];
};

export type Autodiscover = {
  discover(emailAddress: string, options?: { forceRefresh?: boolean }): Promise<AutodiscoverResult>;
  /** Forget a domain's cached answer (after its EWS URL stopped working). */
  invalidate(emailAddressOrDomain: string): void;
};

export const MAX_REDIRECTS = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

export function createAutodiscover(options: AutodiscoverOptions): Autodiscover {
  const cache = new Map<string, AutodiscoverResult>();
  const inFlight = new Map<string, Promise<AutodiscoverResult>>();
  const lookup = options.lookup ?? defaultLookup;
  const resolveSrv = options.resolveSrv ?? ((name: string) => dns.resolveSrv(name));
  const refreshAfter = options.refreshAfterMs ?? DAY_MS;

  const run = async (original: string): Promise<AutodiscoverResult> => {
    const attempts: AutodiscoverAttempt[] = [];
    const record = (a: AutodiscoverAttempt): void => void attempts.push(a);
    const trustedDomains = new Set([domainOf(original)]);
    let redirects = 0;
    let address = original;
    let authFailures = 0;

    const countRedirect = (): void => {
      redirects += 1;
      if (redirects > MAX_REDIRECTS) {
        throw new AppError('autodiscover_too_many_redirects', `Autodiscover for ${original} was redirected more than ${MAX_REDIRECTS} times`, {
          kind: 'permanent',
          details: { attempts },
        });
      }
    };

    /** Why a host reached by redirect (or SRV) may not be contacted, or undefined when it may. */
    const refusal = async (url: URL, redirected: boolean): Promise<string | undefined> => {
      if (url.protocol !== 'https:') return 'not an HTTPS URL';
      const host = url.hostname;
      const allowed = [...trustedDomains, ...(options.allowedRedirectDomains ?? [])].some((d) => isWithin(host, d));
      if (redirected && !allowed) return `${host} is outside ${[...trustedDomains].join(', ')} and not in the allowed redirect domains`;
      let addresses: string[];
      try {
        // Checked before connecting; the transport resolves again, so a DNS answer that changes in
        // between is not caught here (the TLS certificate check still applies).
        addresses = await resolveAll(lookup, host);
      } catch {
        return undefined; // The attempt itself will report the DNS failure.
      }
      for (const ip of addresses) {
        const kind = addressClass(ip);
        if (kind === 'loopback' && !options.allowLoopback) return `${host} resolves to loopback address ${ip}`;
        if (kind === 'private' && redirected && !options.allowPrivateAddresses) return `${host} resolves to private address ${ip}`;
      }
      return undefined;
    };

    for (;;) {
      const domain = domainOf(address);
      const queue: Array<Candidate & { redirected: boolean }> = candidatesFor(domain, options.configuredUrls ?? [], options.port).map((c) => ({ ...c, redirected: false }));
      const erroredUrls = new Set<string>();
      const deadHosts = new Set<string>();
      const busyRetried = new Set<string>();
      let restartWith: string | undefined;
      let srvTried = false;

      while (restartWith === undefined) {
        let next = queue.shift();
        if (!next && !srvTried) {
          srvTried = true;
          // Phase 3. The unauthenticated GET to http://autodiscover.<domain> is never sent: plain HTTP is not used.
          record({ url: `http://autodiscover.${domain}/autodiscover/autodiscover.xml`, method: 'redirect', outcome: 'skipped', detail: 'plain HTTP is never used', durationMs: 0 });
          const srv = await srvCandidate(domain);
          if (srv) {
            queue.push(...bothFormats(srv).map((c) => ({ ...c, redirected: true })));
            next = queue.shift();
          }
        }
        if (!next) break;
        const url = new URL(next.url);
        if (deadHosts.has(url.host)) {
          record({ url: next.url, method: next.format, outcome: 'skipped', detail: `${url.host} was unreachable`, durationMs: 0 });
          continue;
        }
        const refused = await refusal(url, next.redirected);
        if (refused) {
          record({ url: next.url, method: next.format, outcome: 'refused', detail: refused, durationMs: 0 });
          continue;
        }
        const result = await tryEndpoint({
          transport: options.transport,
          clock: options.clock,
          url: next.url,
          format: next.format,
          address,
          timeoutMs: options.timeoutMs ?? 30_000,
          preferInternal: options.preferInternalEwsUrl === true,
          record,
        });
        if (result.kind === 'failed') {
          erroredUrls.add(next.url);
          if (result.hostUnreachable) deadHosts.add(url.host);
          if (result.authFailed) authFailures += 1;
          continue;
        }
        const target = result.kind === 'http-redirect' ? result.location : result.answer.kind === 'redirect-url' ? result.answer.url : undefined;
        if (target !== undefined) {
          countRedirect();
          if (!URL.canParse(target)) {
            record({ url: target, method: 'redirect', outcome: 'refused', detail: 'not a valid URL', durationMs: 0 });
            continue;
          }
          // Resend only to an HTTPS URL that has not already failed for this address (handling-autodiscover-error-messages).
          if (erroredUrls.has(target)) {
            record({ url: target, method: 'redirect', outcome: 'refused', detail: 'this URL already failed for this address', durationMs: 0 });
            continue;
          }
          const format = formatOf(target, next.format);
          queue.unshift({ url: target, format, redirected: true });
          record({ url: target, method: 'redirect', outcome: 'followed', detail: `from ${next.url} (${redirects}/${MAX_REDIRECTS})`, durationMs: 0 });
          continue;
        }
        if (result.kind !== 'answer') continue;
        const answer = result.answer;
        if (answer.kind === 'settings') {
          return { ...answer.settings, emailAddress: address, autodiscoverUrl: next.url, format: next.format, fetchedAt: options.clock.now(), source: 'network', attempts };
        }
        if (answer.kind === 'redirect-address') {
          if (answer.address.toLowerCase() === address.toLowerCase()) {
            erroredUrls.add(next.url);
            record({ url: next.url, method: 'redirect', outcome: 'refused', detail: `redirect to the same address ${answer.address}`, durationMs: 0 });
            continue;
          }
          countRedirect();
          let newDomain: string;
          try {
            newDomain = domainOf(answer.address);
          } catch {
            record({ url: next.url, method: 'redirect', outcome: 'refused', detail: `address ${answer.address} has no fully qualified domain`, durationMs: 0 });
            continue;
          }
          const allowed = [...trustedDomains, ...(options.allowedRedirectDomains ?? [])].some((d) => isWithin(newDomain, d));
          if (!allowed) {
            record({ url: next.url, method: 'redirect', outcome: 'refused', detail: `address ${answer.address} is in ${newDomain}, not an allowed redirect domain`, durationMs: 0 });
            continue;
          }
          trustedDomains.add(newDomain);
          record({ url: next.url, method: 'redirect', outcome: 'followed', detail: `to address ${answer.address} (${redirects}/${MAX_REDIRECTS})`, durationMs: 0 });
          restartWith = answer.address;
          break;
        }
        if (answer.kind === 'error' && answer.code === 'ServerBusy' && !busyRetried.has(next.url)) {
          // ServerBusy: try this URL again after the others, once (handling-autodiscover-error-messages, table 2).
          busyRetried.add(next.url);
          queue.push(next);
          continue;
        }
        erroredUrls.add(next.url);
      }
      if (restartWith === undefined) break;
      address = restartWith;
    }
    // Several URLs may be tried and one 401 is not proof of a bad password, but a server that
    // refused the credentials is the most useful thing to report (handling-autodiscover-error-messages).
    throw new AppError(
      'autodiscover_failed',
      `Autodiscover found no EWS URL for ${original} after ${attempts.length} attempts${authFailures > 0 ? `; ${authFailures} endpoint(s) refused the credentials` : ''}`,
      { kind: authFailures > 0 ? 'auth' : 'transient', details: { attempts } },
    );

    async function srvCandidate(domain: string): Promise<string | undefined> {
      const name = `_autodiscover._tcp.${domain}`;
      const started = options.clock.now();
      let records: SrvRecord[];
      try {
        records = await resolveSrv(name);
      } catch (error) {
        record({ url: name, method: 'srv', outcome: 'error', detail: (error as { code?: string }).code ?? String(error), durationMs: options.clock.now() - started });
        return undefined;
      }
      // Only records for the HTTPS port, and among those the best priority (lowest) and weight (highest).
      const port = options.port ?? 443;
      const usable = records.filter((r) => r.port === port).sort((a, b) => a.priority - b.priority || b.weight - a.weight);
      const best = usable.filter((r) => r.priority === usable[0]?.priority && r.weight === usable[0]?.weight);
      const chosen = best.length > 0 ? best[(options.random.bytes(1)[0] ?? 0) % best.length] : undefined;
      if (!chosen) {
        record({ url: name, method: 'srv', outcome: 'error', detail: `no SRV record on port ${port}`, durationMs: options.clock.now() - started });
        return undefined;
      }
      countRedirect();
      const url = `https://${chosen.name.replace(/\.$/, '')}${port === 443 ? '' : `:${port}`}/autodiscover/autodiscover`;
      record({ url: name, method: 'srv', outcome: 'followed', detail: `${chosen.name}:${chosen.port}`, durationMs: options.clock.now() - started });
      return url;
    }
  };

  return {
    async discover(emailAddress, discoverOptions = {}) {
      const domain = domainOf(emailAddress);
      const cached = cache.get(domain);
      const now = options.clock.now();
      if (cached && !discoverOptions.forceRefresh && now - cached.fetchedAt < refreshAfter) return { ...cached, source: 'cache', attempts: [] };
      let pending = inFlight.get(domain);
      if (!pending) {
        pending = run(emailAddress).finally(() => inFlight.delete(domain));
        inFlight.set(domain, pending);
      }
      try {
        const result = await pending;
        cache.set(domain, result);
        return result;
      } catch (error) {
        // A due refresh that fails keeps the last good answer in use; an explicit refresh does not.
        if (cached && !discoverOptions.forceRefresh) {
          const attempts = error instanceof AppError ? ((error.details['attempts'] as AutodiscoverAttempt[] | undefined) ?? []) : [];
          return { ...cached, source: 'stale-cache', attempts };
        }
        throw error;
      }
    },
    invalidate(emailAddressOrDomain) {
      cache.delete(emailAddressOrDomain.includes('@') ? domainOf(emailAddressOrDomain) : emailAddressOrDomain.toLowerCase());
    },
  };
}
