import { readFileSync } from 'node:fs';
import { seededRandom, systemClock } from '../../src/clock.ts';
import type { TokenSource } from '../../src/auth/token-source.ts';
import { GraphClient } from '../../src/exchange/graph/client.ts';
import { startLabHttpsServer } from '../../src/lab/tls/lab-ca.ts';
import { labCa } from '../contract/graph-lab-fixture.ts';
import { conformancePath } from '../support/env.ts';

/**
 * Reading the published Graph .http samples, and a replay server that answers Dovetail's Graph client
 * with them over real HTTPS (lab CA), recording every request the client sends, so a sample request
 * can be compared with the one Dovetail builds for the same operation.
 */
export const sampleText = (name: string): string => readFileSync(conformancePath(`graph/${name}`), 'utf8');

export type HttpSample = { startLine: string; headers: Record<string, string>; body: string };

/**
 * An .http sample: start line, headers, then the body. Some published samples have no blank line
 * between the headers and the JSON body, so headers end at the first line that is not `Name: value`.
 */
export function httpSample(name: string): HttpSample {
  const lines = sampleText(name).split(/\r?\n/);
  const headers: Record<string, string> = {};
  let i = 1;
  for (; i < lines.length; i++) {
    const header = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(lines[i]!);
    if (header === null) break;
    headers[header[1]!.toLowerCase()] = header[2]!.trim();
  }
  return { startLine: lines[0]!.trim(), headers, body: lines.slice(i).join('\n').trim() };
}

/** A request sample: method, URL (without the trailing HTTP version), headers and JSON body if any. */
export function requestSample(name: string): { method: string; url: URL; path: string; headers: Record<string, string>; json: Record<string, unknown> | undefined } {
  const sample = httpSample(name);
  const [method, address] = sample.startLine.split(/\s+/);
  const url = new URL(address!);
  // `path` keeps the sample's placeholders ({id}) as written; URL percent-encodes the braces.
  return { method: method!, url, path: decodeURIComponent(url.pathname), headers: sample.headers, json: sample.body === '' ? undefined : (JSON.parse(sample.body) as Record<string, unknown>) };
}

/** A response sample: status, reason, headers, body text. */
export function responseSample(name: string): { status: number; reason: string; headers: Record<string, string>; body: string } {
  const sample = httpSample(name);
  const m = /^(?:HTTP\/1\.1 )?(\d{3}) (.*)$/.exec(sample.startLine);
  if (m === null) throw new Error(`${name}: not a status line: ${sample.startLine}`);
  return { status: Number(m[1]), reason: m[2]!, headers: sample.headers, body: sample.body };
}

/** A path template of an -http-syntax sample ("/users/{id | userPrincipalName}/sendMail") as a RegExp. */
export function templatePattern(template: string): RegExp {
  const escaped = template.split(/\{[^}]*\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}$`);
}

export type SeenRequest = { method: string; path: string; url: URL; headers: Record<string, string | string[] | undefined>; json: unknown };
export type ReplayAnswer = { status: number; reason?: string; headers?: Record<string, string>; body?: string };

export type Replay = { url: string; seen: SeenRequest[]; client: GraphClient; caCertPem: string; tokens: TokenSource; close(): Promise<void> };

const staticTokens: TokenSource = { getToken: async () => ({ token: 'replay-token', expiresAt: systemClock.now() + 3_600_000 }) };

export async function startReplay(answer: (seen: SeenRequest) => ReplayAnswer): Promise<Replay> {
  const ca = await labCa();
  const seen: SeenRequest[] = [];
  const server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const request: SeenRequest = { method: req.method ?? '', path: url.pathname, url, headers: req.headers, json: raw === '' ? undefined : JSON.parse(raw) };
      seen.push(request);
      const reply = answer(request);
      if (reply.reason === undefined) res.writeHead(reply.status, reply.headers ?? {});
      else res.writeHead(reply.status, reply.reason, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  const client = new GraphClient({
    root: server.url,
    trustedCaPem: ca.caCertPem,
    tokens: staticTokens,
    clock: systemClock,
    random: seededRandom(7),
    retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });
  return {
    url: server.url,
    seen,
    client,
    caCertPem: ca.caCertPem,
    tokens: staticTokens,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export const jsonAnswer = (status: number, body: unknown): ReplayAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
