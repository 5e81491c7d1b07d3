import type { GraphLabState, LabAttachment, LabItem, LabUser } from './graph-lab-state.ts';
import { assignConversationIndex, conversationIdOf, parentMessageIds } from '../threading/conversation-index.ts';

/** PidTagInReplyToId and PidTagInternetReferences: how Exchange keeps the threading headers of a message. */
export const inReplyToProperty = 'String 0x1042';
export const referencesProperty = 'String 0x1039';
/** PidTagMessageClass. */
export const messageClassProperty = 'String 0x001A';

export type LabEmail = {
  from: { address: string; name?: string };
  to: string[];
  cc?: string[];
  subject: string;
  body: string;
  bodyType?: 'text' | 'html';
  internetMessageId: string;
  inReplyTo?: string;
  references?: string[];
  /** The Thread-Index the sender's mail client wrote (base64 conversation index); Exchange keeps it as conversationIndex. */
  threadIndex?: string;
  messageClass?: string;
  attachments?: Array<{ name: string; contentType: string; content: Buffer; isInline?: boolean; contentId?: string }>;
  categories?: string[];
};

export type LabSend = { from: string; internetMessageId: string; subject: string; recipients: string[]; sentItemId: string };

const recipients = (list: string[]): Array<{ emailAddress: { address: string } }> => list.map((address) => ({ emailAddress: { address } }));

/** Puts a received message into a mailbox's Inbox, as transport would. */
export function deliverToInbox(state: GraphLabState, user: LabUser, email: LabEmail): LabItem {
  const inbox = state.folder(user, 'inbox')!;
  const now = new Date(state.clock.now()).toISOString();
  const headers = [
    { name: 'Message-ID', value: email.internetMessageId },
    ...(email.inReplyTo === undefined ? [] : [{ name: 'In-Reply-To', value: email.inReplyTo }]),
    ...(email.references === undefined || email.references.length === 0 ? [] : [{ name: 'References', value: email.references.join(' ') }]),
  ];
  const attachments: LabAttachment[] = (email.attachments ?? []).map((a) => ({
    id: state.newId('AAMkAtt'),
    name: a.name,
    contentType: a.contentType,
    size: a.content.length,
    isInline: a.isInline ?? false,
    ...(a.contentId === undefined ? {} : { contentId: a.contentId }),
    content: a.content,
  }));
  const item = state.create(
    user,
    `mail:${inbox.id}`,
    {
      subject: email.subject,
      body: { contentType: email.bodyType ?? 'text', content: email.body },
      bodyPreview: email.body.slice(0, 255),
      from: { emailAddress: email.from },
      sender: { emailAddress: email.from },
      toRecipients: recipients(email.to),
      ccRecipients: recipients(email.cc ?? []),
      bccRecipients: [],
      replyTo: [],
      internetMessageId: email.internetMessageId,
      internetMessageHeaders: headers,
      ...conversationOf(state, user, { carried: email.threadIndex, inReplyTo: email.inReplyTo, references: email.references }),
      receivedDateTime: now,
      sentDateTime: now,
      isRead: false,
      isDraft: false,
      importance: 'normal',
      categories: email.categories ?? [],
    },
    attachments,
  );
  item.properties.set(messageClassProperty.toLowerCase(), { id: messageClassProperty, value: email.messageClass ?? 'IPM.Note' });
  if (email.inReplyTo !== undefined) item.properties.set(inReplyToProperty.toLowerCase(), { id: inReplyToProperty, value: email.inReplyTo });
  if (email.references !== undefined && email.references.length > 0) {
    item.properties.set(referencesProperty.toLowerCase(), { id: referencesProperty, value: email.references.join(' ') });
  }
  return item;
}

/**
 * conversationIndex and conversationId as Exchange Online assigns them (threading/conversation-index.ts):
 * the index the message carries, else a reply under the mailbox's message that In-Reply-To or
 * References name, else a new conversation; the id follows from the index.
 */
export function conversationOf(
  state: GraphLabState,
  user: LabUser,
  threading: { carried?: string | undefined; inReplyTo?: string | undefined; references?: string | ReadonlyArray<string> | undefined },
): { conversationId: string; conversationIndex: string } {
  const lookup = (id: string): string | undefined => {
    for (const item of user.items.values()) {
      if (!item.collection.startsWith('mail:') || item.data['internetMessageId'] !== id) continue;
      const index = item.data['conversationIndex'];
      if (typeof index === 'string' && index !== '') return index;
    }
    return undefined;
  };
  const index = assignConversationIndex({
    carried: threading.carried,
    parentIds: parentMessageIds(threading.inReplyTo, threading.references),
    lookup,
    nowMs: state.clock.now(),
    random: state.random.bytes(16),
  });
  return { conversationIndex: index.toString('base64'), conversationId: conversationIdOf(index)! };
}

/** A draft is threaded when it is saved: under the message its In-Reply-To (PidTagInReplyToId) names, or as a new conversation. */
export function threadDraft(state: GraphLabState, user: LabUser, draft: LabItem): void {
  const inReplyTo = draft.properties.get(inReplyToProperty.toLowerCase())?.value;
  const references = draft.properties.get(referencesProperty.toLowerCase())?.value;
  const carried = typeof draft.data['conversationIndex'] === 'string' ? draft.data['conversationIndex'] : undefined;
  Object.assign(draft.data, conversationOf(state, user, { carried, inReplyTo, references }));
}

/**
 * Sends a draft: a copy in the sender's Sent Items (a new item, as Exchange creates one), the draft
 * removed, and a copy in the Inbox of every recipient that is a lab mailbox.
 */
export function sendDraft(state: GraphLabState, user: LabUser, draft: LabItem): LabSend {
  const d = draft.data;
  const list = (key: string): string[] =>
    ((d[key] as Array<{ emailAddress?: { address?: string } }> | undefined) ?? []).map((r) => r.emailAddress?.address ?? '').filter((a) => a !== '');
  const to = list('toRecipients');
  const cc = list('ccRecipients');
  const bcc = list('bccRecipients');
  const inReplyTo = draft.properties.get(inReplyToProperty.toLowerCase())?.value;
  const references = draft.properties.get(referencesProperty.toLowerCase())?.value.split(/\s+/).filter((r) => r !== '');
  const internetMessageId = String(d['internetMessageId']);
  if (typeof d['conversationIndex'] !== 'string') threadDraft(state, user, draft);
  const sentItems = state.folder(user, 'sentitems')!;
  const now = new Date(state.clock.now()).toISOString();
  const sent = state.create(
    user,
    `mail:${sentItems.id}`,
    {
      ...d,
      from: d['from'] ?? { emailAddress: { address: user.mail, name: user.displayName } },
      sender: { emailAddress: { address: user.mail, name: user.displayName } },
      isDraft: false,
      isRead: true,
      sentDateTime: now,
      receivedDateTime: now,
      internetMessageHeaders: [
        { name: 'Message-ID', value: internetMessageId },
        ...(inReplyTo === undefined ? [] : [{ name: 'In-Reply-To', value: inReplyTo }]),
        ...(references === undefined ? [] : [{ name: 'References', value: references.join(' ') }]),
        ...(((d['internetMessageHeaders'] as Array<{ name: string; value: string }> | undefined) ?? [])),
      ],
    },
    draft.attachments,
  );
  for (const [key, value] of draft.properties) sent.properties.set(key, value);
  state.remove(user, draft);
  const body = d['body'] as { contentType?: string; content?: string } | undefined;
  for (const address of [...to, ...cc, ...bcc]) {
    const recipient = state.user(address);
    if (recipient === undefined || recipient.onPremises) continue;
    deliverToInbox(state, recipient, {
      from: { address: user.mail, name: user.displayName },
      to,
      cc,
      subject: String(d['subject'] ?? ''),
      body: body?.content ?? '',
      bodyType: body?.contentType?.toLowerCase() === 'html' ? 'html' : 'text',
      internetMessageId,
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
      ...(references === undefined ? {} : { references }),
      // Exchange writes the Thread-Index header from the conversation index; the recipient's copy keeps it.
      threadIndex: String(d['conversationIndex']),
      attachments: draft.attachments.map((a) => ({ name: a.name, contentType: a.contentType, content: a.content, isInline: a.isInline })),
    });
  }
  return { from: user.mail, internetMessageId, subject: String(d['subject'] ?? ''), recipients: [...to, ...cc, ...bcc], sentItemId: sent.id };
}
