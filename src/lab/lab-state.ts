import type { Clock, Random } from '../clock.ts';
import { Mailbox } from './mailbox-store/mailbox.ts';
import type { Account, MailboxEvent } from './mailbox-store/types.ts';
import type { ServerBuild } from './ews/soap.ts';

/** A service account and the mailboxes it may impersonate (ApplicationImpersonation role + scope). */
export type ServiceAccount = {
  userName: string;
  password: string;
  /** 'all' = the role assigned without a scope; a list = a management scope of those addresses. */
  impersonation: 'all' | string[];
};

export type Principal = {
  /** Login name (user name, or the token's upn/appid). */
  name: string;
  scheme: 'Basic' | 'NTLM' | 'Bearer' | 'Anonymous';
  /** The mailbox the principal owns, when it has one. */
  smtp?: string;
  /** Who it may impersonate. */
  impersonation: 'all' | string[];
};

export type Subscription = {
  id: string;
  kind: 'pull' | 'streaming' | 'push';
  mailboxNo: number;
  owner: string;
  folderKeys: Set<string> | 'all';
  eventTypes: Set<string>;
  /** Last event seq delivered (the watermark). */
  seq: number;
  timeoutMinutes: number;
  lastUsed: number;
};

export type SentRecord = {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  internetMessageId: string;
  at: number;
  kind: 'message' | 'meeting-request' | 'meeting-cancellation';
};

export type RequestRecord = {
  at: number;
  principal: string;
  mailbox?: string;
  operation: string;
  /** The request path as the client sent it (which server location it used). */
  path?: string;
  httpStatus: number;
  responseCodes: string[];
  /** X-AnchorMailbox as sent (clients must send it with impersonation). */
  anchorMailbox?: string;
  preferServerAffinity?: boolean;
  /** The X-BackEndOverrideCookie the client sent back, if any. */
  backEndCookie?: string;
};

/**
 * serverBusy: HTTP 500 fault with BackOffMilliseconds; serverBusyMessage: HTTP 200 with ErrorServerBusy in
 * the response message (how Exchange 2016+ answers ConcurrentSyncCalls throttling).
 */
export type FaultKind = 'latency' | 'drop' | 'http503' | 'serverBusy' | 'serverBusyMessage' | 'malformedXml' | 'unauthorized';

export type FaultRule = {
  kind: FaultKind;
  /** How many requests it applies to; Infinity until cleared. */
  times: number;
  /** Only for this EWS operation (e.g. 'SyncFolderItems'). */
  operation?: string;
  /** Only for requests on this mailbox (impersonated or own). */
  mailbox?: string;
  latencyMs?: number;
  backOffMs?: number;
};

export type BearerVerification =
  | { ok: true; upn?: string; appId?: string; roles?: string[] }
  | { ok: false; reason?: string };

export type BearerVerifier = (token: string) => Promise<BearerVerification> | BearerVerification;

/**
 * Builds the lab can play. `version` is both what ServerVersionInfo says and the newest
 * RequestServerVersion accepted (newer ones answer ErrorInvalidServerVersion).
 */
export const EXCHANGE_BUILDS = {
  exchange2013: { major: 15, minor: 0, build: 1497, revision: 2, version: 'Exchange2013_SP1' },
  exchange2016: { major: 15, minor: 1, build: 2507, revision: 6, version: 'V2017_07_11' },
  exchange2019: { major: 15, minor: 2, build: 1544, revision: 4, version: 'V2017_07_11' },
} as const satisfies Record<string, ServerBuild>;

/** Exchange Server 2019 CU14 (15.2.1544.4), schema version V2017_07_11. */
export const DEFAULT_BUILD: ServerBuild = EXCHANGE_BUILDS.exchange2019;

export const MAX_CONCURRENCY = 27;

/** Everything the lab's servers share: accounts, mailboxes, subscriptions, what it saw. */
export class LabState {
  readonly domain: string;
  readonly netbiosDomain: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly syncSecret: Buffer;
  readonly build: ServerBuild;
  readonly mailboxes = new Map<string, Mailbox>();
  readonly byNo: Mailbox[] = [];
  readonly serviceAccounts = new Map<string, ServiceAccount>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly sent: SentRecord[] = [];
  readonly requests: RequestRecord[] = [];
  faults: FaultRule[] = [];
  /** When set, every EWS answer body is kept here (tests validate them against the schema). */
  replyLog: Array<{ operation: string; body: string }> | undefined;
  /** While set, EWS requests wait here inside their concurrency slot (tests hold connections open with it). */
  gate: Promise<void> | undefined;
  maxConcurrency = MAX_CONCURRENCY;
  /** EWSMaxSubscriptions: 5000 in Exchange 2013+, charged against the target mailbox (FACTS.md §2). */
  maxSubscriptions = 5000;
  /** Open requests and high-water mark per throttling budget (user, or service account + target). */
  readonly inFlight = new Map<string, number>();
  readonly highWater = new Map<string, number>();
  /** Autodiscover: addresses in these domains answer RedirectAddress to the same local part in the target domain. */
  readonly redirectAddressDomains = new Map<string, string>();
  /** Autodiscover: these domains answer RedirectUrl to the lab's second Autodiscover endpoint (/redirected/…). */
  readonly redirectUrlDomains = new Set<string>();

  constructor(options: { domain: string; clock: Clock; random: Random; build?: ServerBuild }) {
    this.domain = options.domain.toLowerCase();
    this.netbiosDomain = this.domain.split('.')[0]!.toUpperCase();
    this.clock = options.clock;
    this.random = options.random;
    this.syncSecret = options.random.bytes(32);
    this.build = options.build ?? DEFAULT_BUILD;
  }

  addMailbox(account: Omit<Account, 'hasMailbox'>): Mailbox {
    const key = account.smtp.toLowerCase();
    const existing = this.mailboxes.get(key);
    if (existing) return existing;
    const mb = new Mailbox(this.byNo.length + 1, { ...account, hasMailbox: true }, this.clock, this.random);
    mb.directory = (address) => this.mailbox(address)?.account.displayName;
    this.mailboxes.set(key, mb);
    this.byNo.push(mb);
    return mb;
  }

  mailbox(smtp: string): Mailbox | undefined {
    return this.mailboxes.get(smtp.toLowerCase());
  }

  mailboxByNo(no: number): Mailbox | undefined {
    return this.byNo[no - 1];
  }

  addServiceAccount(account: ServiceAccount): void {
    this.serviceAccounts.set(account.userName.toLowerCase(), account);
  }

  /** Password lookup for Basic and NTLM; user names are matched case-insensitively, with or without DOMAIN\ or @domain. */
  passwordOf(userName: string): { password: string; principal: Principal } | undefined {
    const bare = userName.replace(/^.*\\/, '').replace(/@.*$/, '').toLowerCase();
    const service = this.serviceAccounts.get(bare);
    if (service) return { password: service.password, principal: { name: service.userName, scheme: 'Basic', impersonation: service.impersonation } };
    for (const mb of this.mailboxes.values()) {
      if (mb.account.userName.toLowerCase() === bare || mb.account.smtp.toLowerCase() === userName.toLowerCase()) {
        return { password: mb.account.password, principal: { name: mb.account.userName, scheme: 'Basic', smtp: mb.account.smtp, impersonation: [] } };
      }
    }
    return undefined;
  }

  mayImpersonate(principal: Principal, smtp: string): boolean {
    if (principal.smtp && principal.smtp.toLowerCase() === smtp.toLowerCase()) return true;
    if (principal.impersonation === 'all') return true;
    return principal.impersonation.some((a) => a.toLowerCase() === smtp.toLowerCase());
  }

  /** Applies the first matching fault rule and uses it up. */
  takeFault(kinds: FaultKind[], operation: string | undefined, mailbox: string | undefined): FaultRule | undefined {
    const rule = this.faults.find(
      (r) =>
        kinds.includes(r.kind) &&
        r.times > 0 &&
        (r.operation === undefined || r.operation === operation) &&
        (r.mailbox === undefined || (mailbox !== undefined && r.mailbox.toLowerCase() === mailbox.toLowerCase())),
    );
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.faults = this.faults.filter((r) => r !== rule);
    return rule;
  }

  eventsSince(mb: Mailbox, seq: number): MailboxEvent[] {
    return mb.events.filter((e) => e.seq > seq);
  }
}
