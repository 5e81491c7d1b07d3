import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { conformancePath } from '../support/env.ts';
import type { EwsTransport, HttpRequest, HttpResponse } from '../../src/exchange/ews/transport.ts';
import type { ItemResult } from '../../src/exchange/driver.ts';
import { AppError } from '../../src/errors.ts';
import type { Operation } from '../../src/exchange/ews/operation.ts';
import { readEnvelope, type SoapEnvelope } from '../../src/exchange/ews/soap-response.ts';
import { readXml } from '../../src/exchange/ews/xml/xml-reader.ts';

/** A published sample streamed in small chunks, so every parse crosses chunk boundaries mid-token. */
export function sampleStream(file: string, chunkSize = 61): AsyncIterable<Uint8Array> {
  return createReadStream(conformancePath(`ews-samples/${file}`), { highWaterMark: chunkSize });
}

/** An HTTP message as published in the kit's *.http.txt files: start line, headers (with folded lines), body. */
export function readHttpSample(file: string): { startLine: string; headers: Record<string, string>; body: string } {
  const text = readFileSync(conformancePath(`ews-samples/${file}`), 'utf8');
  const at = text.indexOf('<?xml');
  const head = text.slice(0, at).split(/\r?\n/);
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of head.slice(1)) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const i = line.indexOf(':');
    last = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[last] = headers[last] === undefined ? value : `${headers[last]}\n${value}`;
  }
  return { startLine: head[0] ?? '', headers, body: text.slice(at) };
}

export function bytes(text: string, chunkSize = 61): AsyncIterable<Uint8Array> {
  const all = new TextEncoder().encode(text);
  return (async function* () {
    for (let i = 0; i < all.length; i += chunkSize) yield all.subarray(i, i + chunkSize);
  })();
}

/** A transport that answers from a queue and records every request. */
export class FakeTransport implements EwsTransport {
  readonly requests: HttpRequest[] = [];
  readonly #answers: Array<(r: HttpRequest) => Promise<HttpResponse> | HttpResponse>;
  constructor(answers: Array<(r: HttpRequest) => Promise<HttpResponse> | HttpResponse> = []) {
    this.#answers = answers;
  }
  push(answer: (r: HttpRequest) => Promise<HttpResponse> | HttpResponse): void {
    this.#answers.push(answer);
  }
  async send(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    const next = this.#answers.shift();
    if (!next) throw new Error(`FakeTransport: no answer queued for request ${this.requests.length}`);
    return next(request);
  }
  async close(): Promise<void> {}
}

export function xmlResponse(xml: string, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body: bytes(xml) };
}

/** Reading a published sample the way the client reads a body. */
export const envelopeOf = async (file: string): Promise<SoapEnvelope> => readEnvelope(await readXml(sampleStream(file)));
export const parse = async <A, R>(file: string, op: Operation<A, R>, args: A): Promise<R> => op.parse(await envelopeOf(file), args);
export const ok = <T>(r: ItemResult<T> | undefined): T => {
  assert.ok(r?.ok, `expected success, got ${r && !r.ok ? r.error.message : 'nothing'}`);
  return r.value;
};
export const err = <T>(r: ItemResult<T> | undefined): AppError => {
  assert.ok(r && !r.ok, 'expected an error result');
  return r.error;
};
export const one = { Id: 'x' };
export const msgShape = { baseShape: 'IdOnly' as const };

export async function rejects(p: Promise<unknown>, providerCode: string, kind: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.providerCode, providerCode);
    assert.equal(e.kind, kind);
    return e;
  }
  assert.fail(`expected ${providerCode}`);
}
