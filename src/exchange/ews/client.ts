import { AppError, isAppError } from '../../errors.ts';
import type { Clock, Random } from '../../clock.ts';
import { buildEnvelope, defaultExchangeVersion, fallbackVersion, type ExchangeVersion } from './envelope.ts';
import type { Operation, StreamingOperation } from './operation.ts';
import { responseCodeKind } from './response-codes.ts';
import { compactItem } from './schema/item-kinds.ts';
import { Semaphore } from './semaphore.ts';
import { faultError, formatBuild, messageError, readEnvelope, readEnvelopes, type ServerVersionInfo, type SoapEnvelope } from './soap-response.ts';
import type { EwsTransport, HttpResponse } from './transport.ts';
import { childText, readXml, type XmlNode, type XmlReadLimits } from './xml/xml-reader.ts';

export type EwsClientOptions = {
  transport: EwsTransport;
  /** The EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx */
  url: string;
  clock: Clock;
  random: Random;
  /** The profile's maximum concurrent connections. */
  maxConcurrent: number;
  /** Count maxConcurrent per mailbox (the default, like EWSMaxConcurrency per user) or for the whole profile. */
  concurrencyScope?: 'mailbox' | 'profile';
  /** The profile's connection timeout, applied to every call. */
  timeoutMs: number;
  /** Retries after the first attempt for transient and throttled failures. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  version?: ExchangeVersion;
  /** Act as each mailbox through ExchangeImpersonation (service account with ApplicationImpersonation). */
  impersonation?: boolean;
  limits?: Partial<XmlReadLimits>;
  /** Waits between retries; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
};

export type CallContext = {
  mailbox: string;
  /** The mailbox whose server should handle the call (X-AnchorMailbox); defaults to `mailbox`. */
  anchorMailbox?: string;
  /** Per-call override, e.g. GetStreamingEvents holds its connection for minutes. */
  timeoutMs?: number;
};

const VERSION_CODES = new Set(['ErrorInvalidServerVersion', 'ErrorInvalidSchemaVersionForMailboxVersion']);

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends EWS operations: envelope, version negotiation, impersonation and affinity headers,
 * bounded retries with jitter, a timeout on every call and a connection limit never exceeded.
 */
export class EwsClient {
  readonly #o: Required<Omit<EwsClientOptions, 'version' | 'limits'>> & { limits: Partial<XmlReadLimits> };
  readonly #slots: Semaphore;
  readonly #versions = new Map<string, ExchangeVersion>();
  readonly #defaultVersion: ExchangeVersion;
  readonly #affinityCookies = new Map<string, string>();
  #serverVersion: ServerVersionInfo | undefined;

  constructor(options: EwsClientOptions) {
    this.#o = {
      concurrencyScope: 'mailbox',
      maxRetries: 4,
      baseDelayMs: 500,
      maxDelayMs: 60_000,
      impersonation: true,
      sleep: defaultSleep,
      ...options,
      limits: options.limits ?? {},
    };
    this.#slots = new Semaphore(options.maxConcurrent);
    this.#defaultVersion = options.version ?? defaultExchangeVersion;
  }

  /** The last ServerVersionInfo seen, as a build string ("15.1.2507.6"). */
  get serverBuild(): string | undefined {
    return this.#serverVersion ? formatBuild(this.#serverVersion) : undefined;
  }

  get peakConcurrency(): number {
    return this.#slots.peak;
  }

  versionFor(mailbox: string): ExchangeVersion {
    return this.#versions.get(mailbox.toLowerCase()) ?? this.#defaultVersion;
  }

  async call<A, R>(op: Operation<A, R>, args: A, ctx: CallContext): Promise<R> {
    const envelope = await this.#send(op.name, op.affinity === true, () => op.build(args), ctx, (body) => this.#readEnvelope(body));
    return op.parse(envelope, args);
  }

  /**
   * Runs a GetStreamingEvents call, handing each notification over as it arrives. Resolves with the
   * last ConnectionStatus when the server ends the stream; an error message in any envelope
   * (e.g. ErrorSubscriptionNotFound, ErrorMissedNotificationEvents) rejects after the notifications
   * before it were delivered.
   */
  async stream<A, N>(op: StreamingOperation<A, N>, args: A, ctx: CallContext, onNotification: (n: N) => void): Promise<{ connectionStatus?: string }> {
    let envelopes: SoapEnvelope[] = [];
    await this.#send(op.name, true, () => op.build(args), ctx, async (body) => {
      const roots = await readXml(body, {
        ...this.#o.limits,
        fragment: true,
        onClose: (node, path) => {
          if (node.name === 'Notification' && path[path.length - 1] === 'Notifications') {
            onNotification(op.readNotification(node));
            return true;
          }
          return false;
        },
      });
      envelopes = readEnvelopes(roots).map((e) => this.#learn(e));
      return envelopes.find((e) => e.fault) ?? envelopes[0] ?? { messages: [] };
    });
    let connectionStatus: string | undefined;
    for (const e of envelopes) {
      for (const m of e.messages) {
        if (m.ResponseClass === 'Error') throw messageError(m, op.name);
        const status = childText(m.node, 'ConnectionStatus')?.trim();
        if (status) connectionStatus = status;
      }
    }
    return connectionStatus === undefined ? {} : { connectionStatus };
  }

  async #readEnvelope(body: AsyncIterable<Uint8Array>): Promise<SoapEnvelope> {
    const roots: XmlNode[] = await readXml(body, { ...this.#o.limits, onClose: compactItem });
    return this.#learn(readEnvelope(roots));
  }

  #learn(envelope: SoapEnvelope): SoapEnvelope {
    if (envelope.serverVersion) this.#serverVersion = envelope.serverVersion;
    return envelope;
  }

  async #send(
    name: string,
    affinity: boolean,
    build: () => string,
    ctx: CallContext,
    read: (body: AsyncIterable<Uint8Array>) => Promise<SoapEnvelope>,
  ): Promise<SoapEnvelope> {
    const body = build();
    const mailboxKey = ctx.mailbox.toLowerCase();
    const slotKey = this.#o.concurrencyScope === 'mailbox' ? mailboxKey : '*';
    const anchor = ctx.anchorMailbox ?? ctx.mailbox;
    const timeoutMs = ctx.timeoutMs ?? this.#o.timeoutMs;
    let versionRetried = false;
    for (let attempt = 0; ; attempt++) {
      const version = this.versionFor(ctx.mailbox);
      const xml = buildEnvelope(body, { version, ...(this.#o.impersonation ? { impersonate: ctx.mailbox } : {}) });
      let failure: AppError;
      try {
        const envelope = await this.#attempt(name, xml, anchor, affinity, slotKey, timeoutMs, read);
        const versionCode = envelope.fault
          ? VERSION_CODES.has(envelope.fault.responseCode) && envelope.fault.responseCode
          : envelope.messages.find((m) => VERSION_CODES.has(m.ResponseCode))?.ResponseCode;
        if (versionCode && !versionRetried) {
          const older = fallbackVersion[version];
          if (older) {
            // Remembered per mailbox: a mailbox on an older server in coexistence refuses what the others accept.
            this.#versions.set(mailboxKey, older);
            versionRetried = true;
            attempt--;
            continue;
          }
        }
        if (envelope.fault) throw faultError(envelope.fault, name, 500);
        const busy = envelope.messages.length > 0 && envelope.messages.every((m) => m.ResponseClass === 'Error' && responseCodeKind(m.innerResponseCode ?? m.ResponseCode) === 'throttled');
        if (!busy) return envelope;
        // Every message is a throttling error (ErrorServerBusy inside a 200): the whole call was refused.
        const first = envelope.messages[0]!;
        failure = new AppError('ews_throttled', `${name}: Exchange is throttling (${first.ResponseCode})`, {
          kind: 'throttled',
          providerCode: first.ResponseCode,
          ...(first.MessageText === undefined ? {} : { providerMessage: first.MessageText }),
          ...(first.backOffMs === undefined ? {} : { retryAfterMs: first.backOffMs }),
        });
        if (attempt >= this.#o.maxRetries) return envelope;
      } catch (e) {
        failure = isAppError(e) ? e : new AppError('ews_request_failed', `${name}: ${e instanceof Error ? e.message : String(e)}`, { kind: 'transient', cause: e });
        if ((failure.kind !== 'transient' && failure.kind !== 'throttled') || attempt >= this.#o.maxRetries) throw failure;
      }
      await this.#o.sleep(this.#delay(attempt, failure.retryAfterMs));
    }
  }

  async #attempt(
    name: string,
    xml: string,
    anchor: string,
    affinity: boolean,
    slotKey: string,
    timeoutMs: number,
    read: (body: AsyncIterable<Uint8Array>) => Promise<SoapEnvelope>,
  ): Promise<SoapEnvelope> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new AppError('timeout', `${name}: no complete answer from Exchange within ${timeoutMs} ms`, { kind: 'transient' });
        controller.abort(e);
        reject(e);
      }, timeoutMs);
    });
    timedOut.catch(() => undefined);
    const release = await Promise.race([this.#slots.acquire(slotKey, controller.signal), timedOut]);
    try {
      const headers: Record<string, string> = {
        'content-type': 'text/xml; charset=utf-8',
        accept: 'text/xml',
        soapaction: `"http://schemas.microsoft.com/exchange/services/2006/messages/${name}"`,
        // Routes the request to the server holding the mailbox; required with impersonation.
        // https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth
        'x-anchormailbox': anchor,
      };
      if (affinity) {
        headers['x-preferserveraffinity'] = 'true';
        const cookie = this.#affinityCookies.get(anchor.toLowerCase());
        if (cookie) headers['cookie'] = `X-BackEndOverrideCookie=${cookie}`;
      }
      const work = (async () => {
        const response = await this.#o.transport.send({ url: this.#o.url, headers, body: xml, timeoutMs, signal: controller.signal });
        return this.#handle(name, response, anchor, affinity, read);
      })();
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  async #handle(
    name: string,
    response: HttpResponse,
    anchor: string,
    affinity: boolean,
    read: (body: AsyncIterable<Uint8Array>) => Promise<SoapEnvelope>,
  ): Promise<SoapEnvelope> {
    if (affinity) {
      const m = /X-BackEndOverrideCookie=([^;,\s]+)/i.exec(response.headers['set-cookie'] ?? '');
      if (m?.[1]) this.#affinityCookies.set(anchor.toLowerCase(), m[1]);
    }
    if (response.status === 200 || response.status === 500) {
      const envelope = await read(response.body);
      if (response.status === 500 && !envelope.fault) {
        throw new AppError('ews_http_status', `${name}: HTTP 500 without a SOAP fault`, { kind: 'transient', status: 502, details: { httpStatus: 500 } });
      }
      return envelope;
    }
    await drain(response.body);
    if (response.status === 503) {
      const retryAfter = Number.parseInt(response.headers['retry-after'] ?? '', 10);
      return Promise.reject(
        new AppError('ews_http_503', `${name}: Exchange answered 503 Service Unavailable (throttled or overloaded)`, {
          kind: 'throttled',
          details: { httpStatus: 503 },
          ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
        }),
      );
    }
    throw new AppError('ews_http_status', `${name}: Exchange answered HTTP ${response.status}`, {
      kind: response.status >= 500 ? 'transient' : 'permanent',
      details: { httpStatus: response.status },
    });
  }

  /** Exponential back-off with full jitter, never shorter than what the server asked for. */
  #delay(attempt: number, retryAfterMs: number | undefined): number {
    const cap = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** attempt);
    const fraction = this.#o.random.bytes(4).readUInt32BE(0) / 0x1_0000_0000;
    const jittered = Math.floor(cap / 2 + (cap / 2) * fraction);
    return Math.max(jittered, retryAfterMs ?? 0);
  }
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _ of body) {
      // Read to the end so the keep-alive connection (and its NTLM handshake) can be reused.
    }
  } catch {
    // The status already says what went wrong.
  }
}
