import type { GraphLabState } from './graph-lab-state.ts';
import { LabHttpError, itemNotFound, mailWriteRoles, type LabResponse, type LabRoute } from './lab-route.ts';
import { asObject, route } from './mail-routes.ts';

/**
 * Attachment upload sessions (https://learn.microsoft.com/graph/outlook-large-attachments): create a
 * session on a draft, then PUT the bytes in ranges of at most 4 MB to a pre-authenticated URL that
 * must not be sent an Authorization header. Files up to 150 MB.
 */
export const maxUploadChunk = 4 * 1024 * 1024;
export const maxAttachmentSize = 150 * 1024 * 1024;

export type UploadRecord = {
  sessionId: string;
  name: string;
  size: number;
  chunkSizes: number[];
  /** Whether any PUT carried an Authorization header (it must not). */
  authorizationSent: boolean;
  completed: boolean;
};

type Session = UploadRecord & {
  secret: string;
  userKey: string;
  messageId: string;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  parts: Buffer[];
  received: number;
};

export class UploadSessions {
  readonly #state: GraphLabState;
  readonly #sessions = new Map<string, Session>();
  readonly records: UploadRecord[] = [];

  constructor(state: GraphLabState) {
    this.#state = state;
  }

  route(baseUrl: () => string): LabRoute {
    return route('POST', '^/users/([^/]+)/messages/([^/]+)/attachments/createUploadSession$', mailWriteRoles, (ctx, req, user, [messageId]) => {
      const message = user.items.get(decodeURIComponent(messageId!));
      if (message === undefined) throw itemNotFound();
      const item = asObject(asObject(req.body)['AttachmentItem']);
      const size = Number(item['size']);
      if (!Number.isInteger(size) || size <= 0) throw new LabHttpError(400, 'ErrorInvalidRequest', 'AttachmentItem.size is required.');
      if (size > maxAttachmentSize) throw new LabHttpError(400, 'ErrorAttachmentSizeLimitExceeded', 'The attachment exceeds the maximum size of 150 MB.');
      const sessionId = this.#state.newId('Sess');
      const session: Session = {
        sessionId,
        name: String(item['name'] ?? 'attachment'),
        size,
        chunkSizes: [],
        authorizationSent: false,
        completed: false,
        secret: this.#state.random.bytes(16).toString('base64url'),
        userKey: user.mail,
        messageId: message.id,
        contentType: String(item['contentType'] ?? 'application/octet-stream'),
        isInline: item['isInline'] === true,
        ...(typeof item['contentId'] === 'string' ? { contentId: item['contentId'] } : {}),
        parts: [],
        received: 0,
      };
      this.#sessions.set(sessionId, session);
      this.records.push(session);
      return {
        status: 201,
        body: {
          '@odata.context': `${baseUrl()}/v1.0/$metadata#microsoft.graph.uploadSession`,
          uploadUrl: `${baseUrl()}/upload/${sessionId}?authtoken=${session.secret}`,
          expirationDateTime: new Date(ctx.state.clock.now() + 15 * 60_000).toISOString(),
          nextExpectedRanges: ['0-'],
        },
      };
    });
  }

  /** PUT /upload/{session}?authtoken=…: one range of bytes. */
  put(sessionId: string, query: URLSearchParams, headers: Record<string, string>, body: Buffer): LabResponse {
    const session = this.#sessions.get(sessionId);
    if (session === undefined || query.get('authtoken') !== session.secret) {
      throw new LabHttpError(404, 'ErrorItemNotFound', 'The upload session was not found or has expired.');
    }
    if (headers['authorization'] !== undefined) session.authorizationSent = true;
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers['content-range'] ?? '');
    if (range === null) throw new LabHttpError(400, 'InvalidContentRange', 'Content-Range is required: bytes start-end/total.');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (total !== session.size || start !== session.received || end - start + 1 !== body.length) {
      throw new LabHttpError(416, 'InvalidRange', `Expected bytes starting at ${session.received} of ${session.size}.`);
    }
    if (body.length > maxUploadChunk) throw new LabHttpError(413, 'RequestEntityTooLarge', 'A range may carry at most 4 MB.');
    session.parts.push(body);
    session.chunkSizes.push(body.length);
    session.received += body.length;
    if (session.received < session.size) {
      return { status: 200, body: { expirationDateTime: new Date(this.#state.clock.now() + 15 * 60_000).toISOString(), nextExpectedRanges: [`${session.received}-`] } };
    }
    const user = this.#state.user(session.userKey);
    const message = user?.items.get(session.messageId);
    if (user === undefined || message === undefined) throw itemNotFound();
    const attachmentId = this.#state.newId('AAMkAtt');
    message.attachments.push({
      id: attachmentId,
      name: session.name,
      contentType: session.contentType,
      size: session.size,
      isInline: session.isInline,
      ...(session.contentId === undefined ? {} : { contentId: session.contentId }),
      content: Buffer.concat(session.parts),
    });
    this.#state.touch(user, message);
    session.completed = true;
    this.#sessions.delete(sessionId);
    return { status: 201, headers: { location: `/users/${user.id}/messages/${message.id}/attachments/${attachmentId}` } };
  }
}
