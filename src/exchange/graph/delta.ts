import { AppError } from '../../errors.ts';
import type { SyncCursor } from '../driver.ts';
import type { GraphClient } from './client.ts';
import { arr, str, type Json } from './resources/graph-json.ts';

/**
 * One page of a Graph delta query. The cursor is the URL Graph handed back: the @odata.nextLink while
 * a round has more pages, then the @odata.deltaLink for the next round
 * (https://learn.microsoft.com/graph/delta-query-overview). Both are replayable: asking again with the
 * same link returns the same changes, which is what lets the engine commit a cursor only after the
 * page's effects are durable. A link Graph no longer knows answers 410 (kind cursor-invalid).
 */
export type DeltaEntry = { id: string; removed: boolean; etag?: string; resource: Json };

export type DeltaResult = { entries: DeltaEntry[]; nextCursor: SyncCursor; more: boolean };

export async function deltaPage(
  client: GraphClient,
  mailbox: string,
  cursor: SyncCursor | null,
  initial: { path: string; query?: Record<string, string> },
  prefer: string[],
): Promise<DeltaResult> {
  if (cursor !== null && !isOwnLink(client, cursor)) {
    // A cursor from another provider (an EWS SyncState) or another Graph root (the profile moved to
    // another cloud, the lab restarted on another port): start over rather than fail forever.
    throw new AppError('graph_cursor_foreign', 'The stored cursor is not a delta link of this Graph endpoint; the folder is enumerated again.', {
      kind: 'cursor-invalid',
    });
  }
  const response = await client.request({
    method: 'GET',
    mailbox,
    path: cursor ?? initial.path,
    ...(cursor === null && initial.query !== undefined ? { query: initial.query } : {}),
    headers: { prefer: prefer.join(', ') },
  });
  return readDeltaPage(response.body);
}

/** Reads one delta response body: entries (removed ones marked), and the link to continue from. */
export function readDeltaPage(body: unknown): DeltaResult {
  const page = body as Json | undefined;
  const next = str(page?.['@odata.nextLink']);
  const delta = str(page?.['@odata.deltaLink']);
  const link = next ?? delta;
  if (link === undefined) {
    throw new AppError('graph_delta_without_link', 'Microsoft Graph answered a delta query without a nextLink or deltaLink.', { kind: 'transient' });
  }
  const entries = arr(page?.['value']).flatMap((resource): DeltaEntry[] => {
    const id = str(resource['id']);
    if (id === undefined) return [];
    const etag = str(resource['@odata.etag']);
    return [{ id, removed: resource['@removed'] !== undefined, ...(etag === undefined ? {} : { etag }), resource }];
  });
  return { entries, nextCursor: link as SyncCursor, more: next !== undefined };
}

function isOwnLink(client: GraphClient, cursor: string): boolean {
  try {
    const url = new URL(cursor);
    return url.origin === client.root && url.pathname.startsWith('/v1.0/') && url.pathname.endsWith('/delta');
  } catch {
    return false;
  }
}

export function pageSizePreference(pageSize: number): string {
  return `odata.maxpagesize=${Math.max(1, Math.min(Math.floor(pageSize), 1000))}`;
}

/** Immutable ids survive moves between folders (https://learn.microsoft.com/graph/outlook-immutable-id). */
export const immutableIds = 'IdType="ImmutableId"';
