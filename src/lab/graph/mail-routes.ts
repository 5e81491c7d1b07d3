import type { LabAttachment, LabFolder, LabItem, LabUser } from './graph-lab-state.ts';
import { deltaPage } from './delta-page.ts';
import {
  LabHttpError,
  checkIfMatch,
  idsInFilter,
  itemNotFound,
  mailRoles,
  mailWriteRoles,
  sendRoles,
  type LabContext,
  type LabRequest,
  type LabRoute,
} from './lab-route.ts';
import { applyProperties, expansions, messageJson, messageMime } from './message-json.ts';
import { sendDraft, threadDraft, type LabSend } from './mail-delivery.ts';
import { etagOf } from './graph-lab-state.ts';

/** Mail folders and messages: https://learn.microsoft.com/graph/api/resources/mail-api-overview */
export function mailRoutes(sends: LabSend[]): LabRoute[] {
  const u = '^/users/([^/]+)';
  return [
    route('GET', `${u}/mailFolders/([^/]+)$`, mailRoles, (ctx, req, user, [key]) => folderJson(requireFolder(ctx, user, key!), req)),
    route('PATCH', `${u}/mailFolders/([^/]+)$`, mailWriteRoles, (ctx, req, user, [key]) => {
      const folder = requireFolder(ctx, user, key!);
      const body = asObject(req.body);
      if (typeof body['displayName'] === 'string') folder.displayName = body['displayName'];
      const props = { properties: folder.extendedProperties };
      applyProperties(props, body);
      return folderJson(folder, req);
    }),
    route('GET', `${u}/mailFolders/([^/]+)/childFolders$`, mailRoles, (ctx, req, user, [key]) => {
      const parent = requireFolder(ctx, user, key!);
      const names = idsInFilter(req.query.get('$filter') ?? '', 'displayName');
      const children = [...user.folders.values()].filter(
        (f) => f.parentFolderId === parent.id && (names.length === 0 || names.some((n) => n.toLowerCase() === f.displayName.toLowerCase())),
      );
      return { status: 200, body: { value: children.map((f) => folderJson(f, req).body) } };
    }),
    route('POST', `${u}/mailFolders/([^/]+)/childFolders$`, mailWriteRoles, (ctx, req, user, [key]) => {
      const parent = requireFolder(ctx, user, key!);
      const name = asObject(req.body)['displayName'];
      if (typeof name !== 'string' || name === '') throw new LabHttpError(400, 'ErrorInvalidRequest', 'displayName is required.');
      const clash = [...user.folders.values()].some((f) => f.parentFolderId === parent.id && f.displayName.toLowerCase() === name.toLowerCase());
      if (clash) throw new LabHttpError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
      return { status: 201, body: folderJson(ctx.state.createFolder(user, parent.id, name), req).body };
    }),
    route('GET', `${u}/mailFolders/([^/]+)/messages/delta$`, mailRoles, (ctx, req, user, [key]) => {
      const folder = requireFolder(ctx, user, key!);
      return deltaPage(ctx, req, user, {
        collection: `mail:${folder.id}`,
        linkPath: `/users/${user.id}/mailFolders/${folder.id}/messages/delta`,
        render: (item) => messageJson(item, req),
      });
    }),
    route('GET', `${u}/mailFolders/([^/]+)/messages$`, mailRoles, (ctx, req, user, [key]) => {
      const folder = requireFolder(ctx, user, key!);
      const filter = req.query.get('$filter') ?? '';
      const wanted = idsInFilter(filter, 'internetMessageId');
      const items = ctx.state
        .itemsIn(user, `mail:${folder.id}`)
        .filter((item) => wanted.length === 0 || wanted.includes(String(item.data['internetMessageId'])));
      const top = Number(req.query.get('$top') ?? '10');
      return { status: 200, body: { value: items.slice(0, top).map((item) => messageJson(item, req)) } };
    }),
    route('POST', `${u}/messages$`, mailWriteRoles, (ctx, req, user) => {
      const body = asObject(req.body);
      for (const header of (body['internetMessageHeaders'] as Array<{ name?: string }> | undefined) ?? []) {
        // Graph accepts only custom headers on a new message. https://learn.microsoft.com/graph/api/resources/internetmessageheader
        if (!/^x-/i.test(header.name ?? '')) {
          throw new LabHttpError(400, 'InvalidInternetMessageHeader', `The internet message header name '${header.name ?? ''}' should start with 'x-' or 'X-'.`);
        }
      }
      const drafts = ctx.state.folder(user, 'drafts')!;
      const { singleValueExtendedProperties: _props, attachments, ...data } = body;
      const item = ctx.state.create(user, `mail:${drafts.id}`, {
        toRecipients: [],
        ccRecipients: [],
        bccRecipients: [],
        replyTo: [],
        categories: [],
        importance: 'normal',
        ...data,
        internetMessageId: typeof data['internetMessageId'] === 'string' ? data['internetMessageId'] : `<${ctx.state.newId('lab')}@lab.dovetail.test>`,
        from: data['from'] ?? { emailAddress: { address: user.mail, name: user.displayName } },
        isDraft: true,
        isRead: true,
      });
      // The server assigns the conversation (a client cannot write conversationId or conversationIndex).
      delete item.data['conversationId'];
      delete item.data['conversationIndex'];
      applyProperties(item, body);
      threadDraft(ctx.state, user, item);
      for (const attachment of Array.isArray(attachments) ? (attachments as Array<Record<string, unknown>>) : []) {
        item.attachments.push(fileAttachment(ctx, attachment));
      }
      return { status: 201, body: messageJson(item, req) };
    }),
    route('POST', `${u}/sendMail$`, sendRoles, (ctx, req, user) => {
      // https://learn.microsoft.com/graph/api/user-sendmail: the message is sent at once, saved to Sent Items unless told not to.
      const body = asObject(req.body);
      const message = asObject(body['message']);
      const drafts = ctx.state.folder(user, 'drafts')!;
      const { attachments, ...data } = message;
      const draft = ctx.state.create(user, `mail:${drafts.id}`, {
        toRecipients: [],
        ccRecipients: [],
        bccRecipients: [],
        ...data,
        internetMessageId: typeof data['internetMessageId'] === 'string' ? data['internetMessageId'] : `<${ctx.state.newId('lab')}@lab.dovetail.test>`,
        isDraft: true,
      });
      for (const attachment of Array.isArray(attachments) ? (attachments as Array<Record<string, unknown>>) : []) draft.attachments.push(fileAttachment(ctx, attachment));
      delete draft.data['conversationId'];
      delete draft.data['conversationIndex'];
      const sent = sendDraft(ctx.state, user, draft);
      sends.push(sent);
      if (body['saveToSentItems'] === false || body['saveToSentItems'] === 'false') {
        const copy = user.items.get(sent.sentItemId);
        if (copy !== undefined) ctx.state.remove(user, copy);
      }
      return { status: 202 };
    }),
    route('GET', `${u}/messages/([^/]+)$`, mailRoles, (ctx, req, user, [id]) => ({ status: 200, body: messageJson(requireMessage(user, id!), req) })),
    route('GET', `${u}/messages/([^/]+)/\\$value$`, mailRoles, (ctx, _req, user, [id]) => ({
      status: 200,
      raw: { contentType: 'text/plain', bytes: messageMime(requireMessage(user, id!), user) },
    })),
    route('PATCH', `${u}/messages/([^/]+)$`, mailWriteRoles, (ctx, req, user, [id]) => {
      const item = requireMessage(user, id!);
      checkIfMatch(req, etagOf(item));
      const { singleValueExtendedProperties: _p, id: _id, ...data } = asObject(req.body);
      Object.assign(item.data, data);
      applyProperties(item, asObject(req.body));
      ctx.state.touch(user, item);
      return { status: 200, body: messageJson(item, req) };
    }),
    route('DELETE', `${u}/messages/([^/]+)$`, mailWriteRoles, (ctx, req, user, [id]) => {
      const item = requireMessage(user, id!);
      checkIfMatch(req, etagOf(item));
      ctx.state.remove(user, item);
      return { status: 204 };
    }),
    route('POST', `${u}/messages/([^/]+)/move$`, mailWriteRoles, (ctx, req, user, [id]) => {
      const item = requireMessage(user, id!);
      const destination = asObject(req.body)['destinationId'];
      const folder = typeof destination === 'string' ? ctx.state.folder(user, destination) : undefined;
      if (folder === undefined) throw new LabHttpError(404, 'ErrorFolderNotFound', 'The specified folder could not be found in the store.');
      // Immutable ids survive a move within the mailbox. https://learn.microsoft.com/graph/outlook-immutable-id
      ctx.state.move(user, item, `mail:${folder.id}`);
      return { status: 201, body: messageJson(item, req) };
    }),
    route('POST', `${u}/messages/([^/]+)/send$`, sendRoles, (ctx, _req, user, [id]) => {
      const item = requireMessage(user, id!);
      if (item.data['isDraft'] !== true) throw new LabHttpError(400, 'ErrorInvalidOperation', 'Only draft messages can be sent.');
      sends.push(sendDraft(ctx.state, user, item));
      return { status: 202 };
    }),
    route('GET', `${u}/messages/([^/]+)/attachments/([^/]+)$`, mailRoles, (ctx, _req, user, [id, attachmentId]) => {
      const attachment = requireMessage(user, id!).attachments.find((a) => a.id === attachmentId);
      if (attachment === undefined) throw itemNotFound();
      return {
        status: 200,
        body: {
          '@odata.type': '#microsoft.graph.fileAttachment',
          id: attachment.id,
          name: attachment.name,
          contentType: attachment.contentType,
          size: attachment.size,
          isInline: attachment.isInline,
          ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }),
          contentBytes: attachment.content.toString('base64'),
        },
      };
    }),
    route('POST', `${u}/messages/([^/]+)/attachments$`, mailWriteRoles, (ctx, _req, user, [id]) => {
      const item = requireMessage(user, id!);
      const attachment = fileAttachment(ctx, asObject(_req.body));
      item.attachments.push(attachment);
      ctx.state.touch(user, item);
      return { status: 201, body: { id: attachment.id, name: attachment.name, size: attachment.size } };
    }),
  ];
}

/** A fileAttachment from a request body; over 3 MB needs an upload session (https://learn.microsoft.com/graph/outlook-large-attachments). */
function fileAttachment(ctx: LabContext, body: Record<string, unknown>): LabAttachment {
  const content = Buffer.from(String(body['contentBytes'] ?? ''), 'base64');
  if (content.length > 3 * 1024 * 1024) throw new LabHttpError(413, 'ErrorRequestEntityTooLarge', 'The attachment is too large; use an upload session.');
  return {
    id: ctx.state.newId('AAMkAtt'),
    name: String(body['name'] ?? 'attachment'),
    contentType: String(body['contentType'] ?? 'application/octet-stream'),
    size: content.length,
    isInline: body['isInline'] === true,
    ...(typeof body['contentId'] === 'string' ? { contentId: body['contentId'] } : {}),
    content,
  };
}

export function route(
  method: string,
  pattern: string,
  roles: readonly string[],
  handle: (ctx: LabContext, req: LabRequest, user: LabUser, params: string[]) => ReturnType<LabRoute['handle']>,
): LabRoute {
  return {
    method,
    pattern: new RegExp(pattern, 'i'),
    roles,
    mailbox: pattern.startsWith('^/users/'),
    handle: (ctx, req, user, params) => handle(ctx, req, user!, params),
  };
}

export function asObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LabHttpError(400, 'BadRequest', 'A JSON object body is required.');
  return value as Record<string, unknown>;
}

function requireFolder(ctx: LabContext, user: LabUser, key: string): LabFolder {
  const folder = ctx.state.folder(user, decodeURIComponent(key));
  if (folder === undefined) throw new LabHttpError(404, 'ErrorFolderNotFound', 'The specified folder could not be found in the store.');
  return folder;
}

function requireMessage(user: LabUser, id: string): LabItem {
  const item = user.items.get(decodeURIComponent(id));
  if (item === undefined || !item.collection.startsWith('mail:')) throw itemNotFound();
  return item;
}

function folderJson(folder: LabFolder, req: LabRequest): { status: number; body: Record<string, unknown> } {
  const holder = { properties: folder.extendedProperties, attachments: [], extensions: new Map() } as unknown as LabItem;
  return {
    status: 200,
    body: {
      id: folder.id,
      displayName: folder.displayName,
      parentFolderId: folder.parentFolderId,
      ...(folder.wellKnownName === undefined ? {} : { wellKnownName: folder.wellKnownName }),
      ...expansions(holder, req.query.get('$expand') ?? ''),
    },
  };
}
