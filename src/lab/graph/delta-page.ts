import type { LabItem, LabUser } from './graph-lab-state.ts';
import { LabHttpError, maxPageSize, type LabContext, type LabRequest, type LabResponse } from './lab-route.ts';
import type { DeltaPosition } from './delta-tokens.ts';

/**
 * One page of a delta query over a collection, the way Graph pages them: @odata.nextLink with a
 * $skiptoken while the snapshot has more, then @odata.deltaLink with a $deltatoken for the next round.
 * https://learn.microsoft.com/graph/delta-query-overview
 */
export type DeltaSource = {
  collection: string;
  /** Path of the delta function under /v1.0, for the links. */
  linkPath: string;
  render(item: LabItem): Record<string, unknown>;
  /** calendarView: whether an item falls in the window. */
  inWindow?: (item: LabItem, window: { start: string; end: string }) => boolean;
  window?: { start: string; end: string };
  defaultPageSize?: number;
};

export function deltaPage(ctx: LabContext, req: LabRequest, user: LabUser, source: DeltaSource): LabResponse {
  const deltaToken = req.query.get('$deltatoken');
  const skipToken = req.query.get('$skiptoken');
  let since = 0;
  let upTo = ctx.state.currentSeq();
  let offset = 0;
  let window = source.window;
  const token = deltaToken ?? skipToken;
  if (token !== null) {
    const position = ctx.tokens.read(token);
    if (position === undefined || position.c !== source.collection || position.g !== user.deltaGeneration) {
      // Exchange Online answers a delta token it does not know (expired from its cache, or never issued) with 410.
      throw new LabHttpError(410, 'syncStateNotFound', 'The sync state generation is not found. Restart the synchronization from the beginning.', {
        location: `${ctx.baseUrl()}/v1.0${source.linkPath}`,
      });
    }
    since = position.s;
    if (position.ws !== undefined && position.we !== undefined) window = { start: position.ws, end: position.we };
    if (skipToken !== null) {
      upTo = position.u ?? upTo;
      offset = position.o ?? 0;
    }
  }
  const inWindow = (item: LabItem): boolean => window === undefined || source.inWindow === undefined || source.inWindow(item, window);
  const entries: Record<string, unknown>[] = [];
  for (const id of ctx.state.changedIds(user, source.collection, since, upTo)) {
    const item = user.items.get(id);
    const present = item !== undefined && item.collection === source.collection && inWindow(item);
    if (present) entries.push(source.render(item));
    else if (since > 0) entries.push({ id, '@removed': { reason: 'deleted' } });
  }
  const size = maxPageSize(req, source.defaultPageSize ?? 10);
  const page = entries.slice(offset, offset + size);
  const base: Omit<DeltaPosition, 's'> = {
    c: source.collection,
    g: user.deltaGeneration,
    ...(window === undefined ? {} : { ws: window.start, we: window.end }),
  };
  const link = `${ctx.baseUrl()}/v1.0${source.linkPath}`;
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl()}/v1.0/$metadata#Collection(${source.collection.split(':')[0]})` };
  if (offset + size < entries.length) {
    body['@odata.nextLink'] = `${link}?$skiptoken=${ctx.tokens.issue({ ...base, s: since, u: upTo, o: offset + size })}`;
  } else {
    body['@odata.deltaLink'] = `${link}?$deltatoken=${ctx.tokens.issue({ ...base, s: upTo })}`;
  }
  body['value'] = page;
  return { status: 200, body };
}
