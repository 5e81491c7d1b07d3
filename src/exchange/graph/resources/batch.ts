import { AppError } from '../../../errors.ts';
import type { ItemResult } from '../../driver.ts';
import type { GraphClient, GraphMethod } from '../client.ts';
import { graphError, parseRetryAfter } from '../error-codes.ts';

/**
 * JSON batching: up to 20 requests in one POST /$batch (https://learn.microsoft.com/graph/json-batching;
 * the limit is in known-issues, "JSON batch requests are currently limited to 20 individual requests").
 *
 * Graph may answer the items in any order; we return one result per input item, in input order.
 * Items are evaluated one by one against throttling, so some may come back 429 while others succeed:
 * those (and the items that failed only because they depended on one, 424) are sent again in a new
 * batch after the longest Retry-After, up to the client's retry bound.
 * https://learn.microsoft.com/graph/throttling#throttling-and-batching
 *
 * The batch holds min(items, 4) of the mailbox's concurrency permits: Exchange may run the items of
 * a batch in parallel, and each counts against the 4-concurrent limit of the app and mailbox.
 */
export const maxBatchSize = 20;

export type BatchItem = {
  method: GraphMethod;
  /** A path under /v1.0, starting with '/'. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Indexes (in the same call) of items that must succeed first. They must fall in the same chunk of 20. */
  dependsOn?: number[];
};

export type BatchItemResponse = { status: number; headers: Record<string, string>; body: unknown };

export type BatchWireResponse = { id?: unknown; status?: unknown; headers?: unknown; body?: unknown };

/** Batch responses by request id: Graph may answer in any order. */
export function correlateBatch(responses: readonly BatchWireResponse[]): Map<string, BatchWireResponse> {
  return new Map(responses.map((r) => [String(r.id), r]));
}

export async function sendBatch(client: GraphClient, mailbox: string, items: BatchItem[]): Promise<ItemResult<BatchItemResponse>[]> {
  const results: Array<ItemResult<BatchItemResponse> | undefined> = new Array(items.length).fill(undefined);
  for (let start = 0; start < items.length; start += maxBatchSize) {
    const chunk = items.slice(start, start + maxBatchSize).map((item, offset) => ({ item, index: start + offset }));
    for (const { item, index } of chunk) {
      for (const dep of item.dependsOn ?? []) {
        if (dep < start || dep >= start + chunk.length || dep >= index) {
          throw new AppError('graph_batch_dependency', `Batch item ${index} depends on item ${dep}, outside its batch of ${maxBatchSize}.`, {
            kind: 'invalid-input',
          });
        }
      }
    }
    await runChunk(client, mailbox, chunk, results);
  }
  return results.map((result, index) => result ?? { ok: false, error: missing(index) });
}

async function runChunk(
  client: GraphClient,
  mailbox: string,
  chunk: Array<{ item: BatchItem; index: number }>,
  results: Array<ItemResult<BatchItemResponse> | undefined>,
): Promise<void> {
  let pending = chunk;
  for (let round = 1; pending.length > 0; round++) {
    const requests = pending.map(({ item, index }) => ({
      id: String(index),
      method: item.method,
      url: item.url,
      ...(item.dependsOn === undefined || item.dependsOn.length === 0
        ? {}
        : { dependsOn: item.dependsOn.filter((d) => pending.some((p) => p.index === d)).map(String) }),
      ...(item.body === undefined ? {} : { body: item.body, headers: { 'content-type': 'application/json', ...(item.headers ?? {}) } }),
      ...(item.body === undefined && item.headers !== undefined ? { headers: item.headers } : {}),
    }));
    let wire: BatchWireResponse[];
    try {
      const response = await client.send(
        { method: 'POST', path: '/$batch', mailbox, body: { requests } },
        Math.min(pending.length, 4),
        pending.length,
      );
      const body = response.body as { responses?: unknown } | undefined;
      wire = Array.isArray(body?.responses) ? (body.responses as BatchWireResponse[]) : [];
    } catch (error) {
      const failure = error instanceof AppError ? error : new AppError('graph_batch_failed', String(error), { kind: 'transient' });
      for (const { index } of pending) results[index] = { ok: false, error: failure };
      return;
    }
    const byId = correlateBatch(wire);
    const retry: Array<{ item: BatchItem; index: number }> = [];
    let longestWait: number | undefined;
    for (const entry of pending) {
      const answer = byId.get(String(entry.index));
      if (answer === undefined) {
        results[entry.index] = { ok: false, error: missing(entry.index) };
        continue;
      }
      const status = typeof answer.status === 'number' ? answer.status : 500;
      const headers = lowerHeaders(answer.headers);
      if (status < 400) {
        results[entry.index] = { ok: true, value: { status, headers, body: answer.body ?? null } };
        continue;
      }
      const retryAfterMs = parseRetryAfter(headers['retry-after'], client.now());
      const error = graphError(status, answer.body, {
        method: entry.item.method,
        path: entry.item.url,
        mailbox,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      const retryable = error.kind === 'throttled' || status === 424 || (error.kind === 'transient' && entry.item.method !== 'POST');
      if (retryable && round <= client.maxRetries) {
        retry.push(entry);
        if (retryAfterMs !== undefined) longestWait = Math.max(longestWait ?? 0, retryAfterMs);
      } else {
        results[entry.index] = { ok: false, error };
      }
    }
    // A 424 whose dependency is not retried will never succeed: settle it now.
    pending = retry.filter((entry) => {
      const deps = entry.item.dependsOn ?? [];
      const blocked = deps.some((d) => results[d] !== undefined && !results[d]!.ok);
      if (blocked) {
        results[entry.index] = {
          ok: false,
          error: new AppError('graph_batch_dependency_failed', `Batch item ${entry.index} was not run: an item it depends on failed.`, {
            kind: 'permanent',
          }),
        };
      }
      return !blocked;
    });
    if (pending.length > 0) await client.backOff(round, longestWait);
  }
}

function missing(index: number): AppError {
  return new AppError('graph_batch_incomplete', `Microsoft Graph returned no response for batch item ${index}.`, { kind: 'transient' });
}

function lowerHeaders(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
