import { LabHttpError, type LabRequest, type LabResponse } from './lab-route.ts';

/**
 * POST /$batch (https://learn.microsoft.com/graph/json-batching): at most 20 requests; `dependsOn`
 * orders them and a failed dependency fails its dependents with 424. Independent items run up to four
 * at a time, each counted against the mailbox's limits on its own. The lab answers in reverse order,
 * since Graph promises no order and clients must correlate by id.
 */
export const maxBatchRequests = 20;

type BatchRequestItem = { id?: unknown; method?: unknown; url?: unknown; headers?: unknown; body?: unknown; dependsOn?: unknown };

export async function runBatch(req: LabRequest, dispatch: (item: LabRequest) => Promise<LabResponse>): Promise<LabResponse> {
  const requests = (req.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) throw new LabHttpError(400, 'BadRequest', 'Invalid batch payload format.');
  if (requests.length > maxBatchRequests) throw new LabHttpError(400, 'BadRequest', `Number of requests exceeds the maximum of ${maxBatchRequests}.`);
  const items = requests as BatchRequestItem[];
  const ids = items.map((item) => String(item.id ?? ''));
  if (new Set(ids).size !== ids.length || ids.includes('')) throw new LabHttpError(400, 'BadRequest', 'Batch request ids must be unique and present.');
  const results = new Map<string, LabResponse>();
  const pending = new Set(ids);
  while (pending.size > 0) {
    const ready = items.filter((item) => {
      const id = String(item.id);
      const deps = Array.isArray(item.dependsOn) ? item.dependsOn.map(String) : [];
      return pending.has(id) && deps.every((d) => results.has(d) || !ids.includes(d));
    });
    if (ready.length === 0) throw new LabHttpError(400, 'BadRequest', 'The batch has a dependency cycle.');
    for (let i = 0; i < ready.length; i += 4) {
      await Promise.all(
        ready.slice(i, i + 4).map(async (item) => {
          const id = String(item.id);
          const deps = Array.isArray(item.dependsOn) ? item.dependsOn.map(String) : [];
          const failedDep = deps.some((d) => (results.get(d)?.status ?? 200) >= 400);
          const result = failedDep
            ? { status: 424, body: { error: { code: 'FailedDependency', message: 'A request this one depends on failed.' } } }
            : await dispatch(toRequest(req, item));
          results.set(id, result);
          pending.delete(id);
        }),
      );
    }
  }
  const responses = ids
    .map((id) => {
      const r = results.get(id)!;
      return { id, status: r.status, headers: r.headers ?? {}, body: r.raw !== undefined ? r.raw.bytes.toString('base64') : (r.body ?? null) };
    })
    .reverse();
  return { status: 200, body: { responses } };
}

function toRequest(outer: LabRequest, item: BatchRequestItem): LabRequest {
  const url = new URL(String(item.url ?? '/').replace(/^\/?(v1\.0\/)?/, '/'), 'https://127.0.0.1');
  const headers: Record<string, string> = {};
  if (item.headers !== null && typeof item.headers === 'object') {
    for (const [k, v] of Object.entries(item.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
  }
  return {
    method: String(item.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: item.body,
    rawBody: Buffer.alloc(0),
    appId: outer.appId,
    roles: outer.roles,
  };
}
