import { etagOf, type GraphLabState, type LabItem, type LabUser } from './graph-lab-state.ts';
import { deltaPage } from './delta-page.ts';
import {
  LabHttpError,
  calendarRoles,
  checkIfMatch,
  contactRoles,
  itemNotFound,
  taskRoles,
  type LabContext,
  type LabRequest,
  type LabRoute,
} from './lab-route.ts';
import { applyProperties, expansions } from './message-json.ts';
import { asObject, route } from './mail-routes.ts';
import { utcMsToZoned, zonedToUtcMs } from './zoned-time.ts';
import { cancelledOccurrences, isSeriesMaster, occurrence, occurrenceChanges, occurrencesIn, recurrenceWritten, type Occurrence } from './event-series.ts';

/**
 * Calendar events (calendarView delta), contacts (contact folder delta) and Microsoft To Do tasks
 * (list delta), with etags checked on If-Match.
 * https://learn.microsoft.com/graph/api/resources/event, …/contact, …/todotask
 */
export function actRoutes(): LabRoute[] {
  const u = '^/users/([^/]+)';
  const events: Kind = { collection: () => 'calendar', render: eventJson, prepare: (ctx, user, data) => prepareEvent(ctx.state, user, data), written: recurrenceWritten };
  const contacts: Kind = { collection: (user) => `contacts:${user.contactFolderId}`, render: plainJson('#microsoft.graph.contact'), prepare: (_c, _u, d) => d };
  const tasks = (listId: string): Kind => ({ collection: () => `todo:${listId}`, render: plainJson('#microsoft.graph.todoTask'), prepare: (_c, _u, d) => d });
  return [
    route('GET', `${u}/calendar$`, calendarRoles, (_ctx, _req, user) => ({ status: 200, body: { id: user.calendarId, name: 'Calendar' } })),
    route('GET', `${u}/calendarView/delta$`, calendarRoles, (ctx, req, user) => {
      const start = req.query.get('startDateTime') ?? req.query.get('startdatetime');
      const end = req.query.get('endDateTime') ?? req.query.get('enddatetime');
      const hasToken = req.query.has('$deltatoken') || req.query.has('$skiptoken');
      if (!hasToken && (start === null || end === null)) {
        throw new LabHttpError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
      }
      return deltaPage(ctx, req, user, {
        collection: 'calendar',
        linkPath: `/users/${user.id}/calendarView/delta`,
        render: (item) => eventJson(item, req),
        inWindow: eventInWindow,
        ...(start === null || end === null ? {} : { window: { start, end } }),
      });
    }),
    // GET calendarView: the events overlapping a window. Real Graph expands series into their
    // occurrences; the lab answers the series master, as its calendarView delta does (docs/lab.md).
    route('GET', `${u}/calendarView$`, calendarRoles, (ctx, req, user) => {
      const start = req.query.get('startDateTime') ?? req.query.get('startdatetime');
      const end = req.query.get('endDateTime') ?? req.query.get('enddatetime');
      if (start === null || end === null) {
        throw new LabHttpError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
      }
      const items = ctx.state.itemsIn(user, 'calendar').filter((item) => eventInWindow(item, { start, end }));
      return { status: 200, body: { value: items.map((item) => eventJson(item, req)) } };
    }),
    ...seriesRoutes(`${u}/(?:calendar/)?events`),
    ...crud(`${u}/(?:calendar/)?events`, calendarRoles, () => events),
    route('GET', `${u}/contactFolders/([^/]+)$`, contactRoles, (_ctx, _req, user, [folder]) => {
      requireContactFolder(user, folder!);
      return { status: 200, body: { id: user.contactFolderId, displayName: 'Contacts', parentFolderId: '' } };
    }),
    route('GET', `${u}/contactFolders/([^/]+)/contacts/delta$`, contactRoles, (ctx, req, user, [folder]) => {
      requireContactFolder(user, folder!);
      return deltaPage(ctx, req, user, {
        collection: contacts.collection(user),
        linkPath: `/users/${user.id}/contactFolders/${user.contactFolderId}/contacts/delta`,
        render: (item) => contacts.render(item, req),
      });
    }),
    ...crud(`${u}/contactFolders/[^/]+/contacts`, contactRoles, () => contacts, true),
    ...crud(`${u}/contacts`, contactRoles, () => contacts),
    route('GET', `${u}/todo/lists$`, taskRoles, (_ctx, _req, user) => ({ status: 200, body: { value: user.todoLists } })),
    route('GET', `${u}/todo/lists/([^/]+)/tasks/delta$`, taskRoles, (ctx, req, user, [list]) => {
      const listId = requireList(user, list!);
      return deltaPage(ctx, req, user, {
        collection: `todo:${listId}`,
        linkPath: `/users/${user.id}/todo/lists/${listId}/tasks/delta`,
        render: (item) => plainJson('#microsoft.graph.todoTask')(item, req),
      });
    }),
    route('GET', `${u}/todo/lists/([^/]+)/tasks$`, taskRoles, (ctx, req, user, [list]) => {
      const listId = requireList(user, list!);
      return { status: 200, body: { value: ctx.state.itemsIn(user, `todo:${listId}`).map((item) => plainJson('#microsoft.graph.todoTask')(item, req)) } };
    }),
    route('POST', `${u}/todo/lists/([^/]+)/tasks/([^/]+)/extensions$`, taskRoles, (ctx, req, user, [list, id]) => {
      const item = requireItem(user, id!, `todo:${requireList(user, list!)}`);
      const { '@odata.type': _type, extensionName, ...data } = asObject(req.body);
      if (typeof extensionName !== 'string') throw new LabHttpError(400, 'InvalidRequest', 'extensionName is required.');
      if (item.extensions.has(extensionName)) throw new LabHttpError(409, 'NameAlreadyExists', 'An extension with this name already exists.');
      item.extensions.set(extensionName, data);
      ctx.state.touch(user, item);
      return { status: 201, body: { '@odata.type': '#microsoft.graph.openTypeExtension', id: extensionName, extensionName, ...data } };
    }),
    route('PATCH', `${u}/todo/lists/([^/]+)/tasks/([^/]+)/extensions/([^/]+)$`, taskRoles, (ctx, req, user, [list, id, name]) => {
      const item = requireItem(user, id!, `todo:${requireList(user, list!)}`);
      const extensionName = decodeURIComponent(name!);
      const existing = item.extensions.get(extensionName);
      if (existing === undefined) throw itemNotFound();
      const { '@odata.type': _type, extensionName: _name, ...data } = asObject(req.body);
      Object.assign(existing, data);
      ctx.state.touch(user, item);
      return { status: 204 };
    }),
    ...crud(`${u}/todo/lists/([^/]+)/tasks`, taskRoles, (user, params) => tasks(requireList(user, params[0]!)), true),
  ];
}

type Kind = {
  collection: (user: LabUser) => string;
  render: (item: LabItem, req: LabRequest) => Record<string, unknown>;
  prepare: (ctx: LabContext, user: LabUser, data: Record<string, unknown>) => Record<string, unknown>;
  /** Told before an item takes its new data. */
  written?: (item: LabItem, next: Record<string, unknown>) => void;
};

/** POST on the collection, GET/PATCH/DELETE on an item; `scoped` when the pattern captures a container id. */
function crud(base: string, roles: readonly string[], kindOf: (user: LabUser, params: string[]) => Kind, scoped = false): LabRoute[] {
  const itemParams = (params: string[]): [string[], string] => (scoped ? [params.slice(0, -1), params.at(-1)!] : [[], params[0]!]);
  return [
    route('POST', `${base}$`, roles, (ctx, req, user, params) => {
      const kind = kindOf(user, params);
      const { singleValueExtendedProperties: _p, extensions, ...data } = asObject(req.body);
      const item = ctx.state.create(user, kind.collection(user), kind.prepare(ctx, user, data));
      applyProperties(item, asObject(req.body));
      if (Array.isArray(extensions)) {
        for (const ext of extensions as Array<Record<string, unknown>>) {
          const { '@odata.type': _type, extensionName, ...extData } = ext;
          if (typeof extensionName === 'string') item.extensions.set(extensionName, extData);
        }
      }
      return { status: 201, body: kind.render(item, req) };
    }),
    route('GET', `${base}/([^/]+)$`, roles, (_ctx, req, user, params) => {
      const [scope, id] = itemParams(params);
      const kind = kindOf(user, scope);
      return { status: 200, body: kind.render(requireItem(user, id, kind.collection(user)), req) };
    }),
    route('PATCH', `${base}/([^/]+)$`, roles, (ctx, req, user, params) => {
      const [scope, id] = itemParams(params);
      const kind = kindOf(user, scope);
      const item = requireItem(user, id, kind.collection(user));
      checkIfMatch(req, etagOf(item));
      const { singleValueExtendedProperties: _p, id: _id, extensions: _e, ...data } = asObject(req.body);
      const next = kind.prepare(ctx, user, { ...item.data, ...data });
      kind.written?.(item, next);
      item.data = next;
      applyProperties(item, asObject(req.body));
      ctx.state.touch(user, item);
      return { status: 200, body: kind.render(item, req) };
    }),
    route('DELETE', `${base}/([^/]+)$`, roles, (ctx, req, user, params) => {
      const [scope, id] = itemParams(params);
      const kind = kindOf(user, scope);
      const item = requireItem(user, id, kind.collection(user));
      checkIfMatch(req, etagOf(item));
      ctx.state.remove(user, item);
      return { status: 204 };
    }),
  ];
}

function requireItem(user: LabUser, id: string, collection: string): LabItem {
  const item = user.items.get(decodeURIComponent(id));
  if (item === undefined || item.collection !== collection) throw itemNotFound();
  return item;
}

function requireList(user: LabUser, key: string): string {
  const decoded = decodeURIComponent(key);
  const list = user.todoLists.find((l) => l.id === decoded);
  if (list === undefined) throw new LabHttpError(404, 'ErrorItemNotFound', 'The specified list was not found.');
  return list.id;
}

function requireContactFolder(user: LabUser, key: string): void {
  const decoded = decodeURIComponent(key);
  // 'contacts' names the default contact folder, as the well-known names do for mail folders.
  if (decoded.toLowerCase() !== 'contacts' && decoded !== user.contactFolderId) {
    throw new LabHttpError(404, 'ErrorFolderNotFound', 'The specified folder could not be found in the store.');
  }
}

function plainJson(type: string): (item: LabItem, req: LabRequest) => Record<string, unknown> {
  return (item, req) => ({
    '@odata.type': type,
    '@odata.etag': etagOf(item),
    id: item.id,
    createdDateTime: new Date(item.createdAt).toISOString(),
    lastModifiedDateTime: new Date(item.lastModifiedAt).toISOString(),
    ...item.data,
    ...expansions(item, req.query.get('$expand') ?? ''),
  });
}

type Zoned = { dateTime: string; timeZone: string };

/** Fills an event's server-side fields (type, organizer, iCalUId, original zones) and checks its times. */
export function prepareEvent(state: GraphLabState, user: LabUser, data: Record<string, unknown>): Record<string, unknown> {
  const start = data['start'] as Zoned | undefined;
  const end = data['end'] as Zoned | undefined;
  if (start === undefined || end === undefined) throw new LabHttpError(400, 'ErrorInvalidRequest', 'start and end are required.');
  try {
    if (zonedToUtcMs(end.dateTime, end.timeZone) < zonedToUtcMs(start.dateTime, start.timeZone)) {
      throw new LabHttpError(400, 'ErrorInvalidRequest', 'The end of the event is before its start.');
    }
  } catch (error) {
    if (error instanceof LabHttpError) throw error;
    throw new LabHttpError(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${start.timeZone}'.`);
  }
  const attendees = ((data['attendees'] as Array<Record<string, unknown>> | undefined) ?? []).map((a) => ({
    status: { response: 'none', time: '0001-01-01T00:00:00Z' },
    ...a,
  }));
  return {
    isAllDay: false,
    isCancelled: false,
    isReminderOn: true,
    showAs: 'busy',
    categories: [],
    location: { displayName: '' },
    body: { contentType: 'text', content: '' },
    ...data,
    attendees,
    type: data['recurrence'] === undefined || data['recurrence'] === null ? 'singleInstance' : 'seriesMaster',
    organizer: data['organizer'] ?? { emailAddress: { address: user.mail, name: user.displayName } },
    iCalUId: data['iCalUId'] ?? `040000008200E00074C5B7101A82E008${state.random.bytes(16).toString('hex').toUpperCase()}`,
    originalStartTimeZone: start.timeZone,
    originalEndTimeZone: end.timeZone,
  };
}

/** `Prefer: outlook.timezone` picks the zone start and end are written in; UTC otherwise. */
function eventJson(item: LabItem, req: LabRequest): Record<string, unknown> {
  const zone = /outlook\.timezone="([^"]+)"/i.exec(req.headers['prefer'] ?? '')?.[1] ?? 'UTC';
  const convert = (value: unknown): Zoned => {
    const z = value as Zoned;
    return { dateTime: utcMsToZoned(zonedToUtcMs(z.dateTime, z.timeZone), zone), timeZone: zone };
  };
  return {
    ...plainJson('#microsoft.graph.event')(item, req),
    changeKey: item.changeKey,
    start: convert(item.data['start']),
    end: convert(item.data['end']),
    ...(isSeriesMaster(item) ? { cancelledOccurrences: cancelledOccurrences(item) } : {}),
  };
}

/** An occurrence as Graph shows it: the master's fields with the occurrence's own, its own id, type and original start. */
function occurrenceJson(master: LabItem, o: Occurrence, req: LabRequest): Record<string, unknown> {
  const { cancelledOccurrences: _c, ...json } = eventJson({ ...master, id: o.id, data: o.data }, req);
  return { ...json, type: o.exception ? 'exception' : 'occurrence', seriesMasterId: master.id, originalStart: new Date(o.originalStartMs).toISOString().replace('.000Z', 'Z'), recurrence: null };
}

/**
 * GET /events/{id}/instances over a window, and GET, PATCH and DELETE on one occurrence. A change
 * to an occurrence makes it an exception; a delete cancels it. Both change the master.
 */
function seriesRoutes(base: string): LabRoute[] {
  const find = (user: LabUser, masterId: string, date: string): { master: LabItem; o: Occurrence } => {
    const master = requireItem(user, masterId, 'calendar');
    const o = occurrence(master, date);
    if (o === null) throw itemNotFound();
    return { master, o };
  };
  const occurrencePath = `${base}/([^/.]+)\\.(\\d{4}-\\d{2}-\\d{2})$`;
  return [
    route('GET', `${base}/([^/]+)/instances$`, calendarRoles, (_ctx, req, user, [id]) => {
      const master = requireItem(user, id!, 'calendar');
      const start = Date.parse(req.query.get('startDateTime') ?? req.query.get('startdatetime') ?? '');
      const end = Date.parse(req.query.get('endDateTime') ?? req.query.get('enddatetime') ?? '');
      if (Number.isNaN(start) || Number.isNaN(end)) throw new LabHttpError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
      if (!isSeriesMaster(master)) return { status: 200, body: { value: [] } };
      return { status: 200, body: { value: occurrencesIn(master, start, end).map((o) => occurrenceJson(master, o, req)) } };
    }),
    route('GET', occurrencePath, calendarRoles, (_ctx, req, user, [id, date]) => {
      const { master, o } = find(user, id!, date!);
      return { status: 200, body: occurrenceJson(master, o, req) };
    }),
    route('PATCH', occurrencePath, calendarRoles, (ctx, req, user, [id, date]) => {
      const { master, o } = find(user, id!, date!);
      const { recurrence, singleValueExtendedProperties: _p, id: _id, ...fields } = asObject(req.body);
      if (recurrence !== undefined && recurrence !== null) throw new LabHttpError(400, 'ErrorInvalidRequest', 'The recurrence of an occurrence cannot be set.');
      const changes = occurrenceChanges(master);
      const was = changes.get(o.date);
      changes.set(o.date, { deleted: false, fields: { ...(was?.deleted === false ? was.fields : {}), ...fields } });
      ctx.state.touch(user, master);
      return { status: 200, body: occurrenceJson(master, occurrence(master, o.date)!, req) };
    }),
    route('DELETE', occurrencePath, calendarRoles, (ctx, _req, user, [id, date]) => {
      const { master, o } = find(user, id!, date!);
      occurrenceChanges(master).set(o.date, { deleted: true });
      ctx.state.touch(user, master);
      return { status: 204 };
    }),
  ];
}

function eventInWindow(item: LabItem, window: { start: string; end: string }): boolean {
  const start = item.data['start'] as Zoned;
  const end = item.data['end'] as Zoned;
  const windowStart = Date.parse(window.start);
  const windowEnd = Date.parse(window.end);
  const startMs = zonedToUtcMs(start.dateTime, start.timeZone);
  if (item.data['type'] === 'seriesMaster') {
    const range = (item.data['recurrence'] as { range?: { type?: string; endDate?: string } } | undefined)?.range;
    const rangeEnd = range?.type === 'endDate' && range.endDate !== undefined ? Date.parse(`${range.endDate}T23:59:59Z`) : Number.POSITIVE_INFINITY;
    return startMs < windowEnd && rangeEnd >= windowStart;
  }
  return startMs < windowEnd && zonedToUtcMs(end.dateTime, end.timeZone) > windowStart;
}
