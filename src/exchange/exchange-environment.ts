/**
 * What openDriver needs beyond the profile: time and randomness, and the few settings that are not
 * part of a profile. Everything that lets Dovetail reach loopback hosts or another Entra/Graph host
 * is here, behind the explicit `lab` flag, so a stored profile can never turn it on.
 */
import type { SrvRecord } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { AuthLog } from '../auth/entra/auth-log.ts';
import type { Clock, Random } from '../clock.ts';
import type { ExchangeRequestObserver } from '../observability/exchange-requests.ts';

export type LabEndpoints = {
  /** Autodiscover may reach 127.0.0.0/8 and ::1. */
  allowLoopback: true;
  /** Name resolution for the lab's names (e.g. autodiscover.contoso.lab -> 127.0.0.1). */
  lookup?: LookupFunction;
  /** HTTPS port of derived Autodiscover candidates (443 outside the lab). */
  autodiscoverPort?: number;
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
  /** https origin of the lab Entra, used instead of the cloud's authority. */
  entraAuthorityOrigin?: string;
  /** The lab Graph's root, used instead of the cloud's Graph endpoint. */
  graphRoot?: string;
  /** CA certificates the lab services use, trusted for Entra, Key Vault and Graph. */
  trustedCaPems?: string[];
};

export type OpenDriverDeps = {
  clock: Clock;
  random: Random;
  /** The org's default Exchange Online tenant id (org email settings), for useDefaultTenantId. */
  defaultTenantId?: string | null;
  /** Domains, besides the mailbox's own, Autodiscover may follow redirects to. */
  allowedRedirectDomains?: readonly string[];
  /** Token and Key Vault events (never secrets). */
  authLog?: AuthLog;
  /** Per Entra/Key Vault/Graph request. */
  timeoutMs?: number;
  /** Told of every EWS, Autodiscover and Graph request (latency, throttling); none: not recorded. */
  requests?: ExchangeRequestObserver;
  lab?: LabEndpoints;
};
