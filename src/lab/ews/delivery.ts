import type { LabState, SentRecord } from '../lab-state.ts';
import type { Mailbox } from '../mailbox-store/mailbox.ts';
import type { MimeAddress } from '../mailbox-store/mime.ts';
import type { StoredItem } from '../mailbox-store/types.ts';
import type { XmlNode } from '../xml/parse-xml.ts';
import { tnode } from '../xml/xml-writer.ts';
import { applyDefaults } from './item-build.ts';
import { addressesOf, recipientList, singleRecipient } from './recipients.ts';

/** Properties a message keeps across transport (categories and extended properties stay with the sender). */
const TRANSPORTED = ['Subject', 'Body', 'Importance', 'Sensitivity', 'ToRecipients', 'CcRecipients', 'InternetMessageId', 'InReplyTo', 'References', 'From', 'Sender', 'ReplyTo', 'ConversationTopic', 'ConversationIndex'];

export type Envelope = { to: MimeAddress[]; cc: MimeAddress[]; bcc: MimeAddress[] };

export function envelopeOf(props: Map<string, XmlNode>): Envelope {
  return {
    to: addressesOf(props.get('ToRecipients')),
    cc: addressesOf(props.get('CcRecipients')),
    bcc: addressesOf(props.get('BccRecipients')),
  };
}

/**
 * Sends a message: records it, and delivers a copy into the Inbox of every recipient that has a lab
 * mailbox (unknown recipients are simply recorded, as mail leaving the organization).
 */
export function sendMessage(lab: LabState, sender: Mailbox, item: StoredItem, kind: SentRecord['kind'] = 'message'): SentRecord {
  const env = envelopeOf(item.props);
  const from = addressesOf(item.props.get('From'))[0] ?? { name: sender.account.displayName, address: sender.account.smtp };
  const record: SentRecord = {
    from: from.address,
    to: env.to.map((a) => a.address),
    cc: env.cc.map((a) => a.address),
    bcc: env.bcc.map((a) => a.address),
    subject: item.props.get('Subject')?.text ?? '',
    internetMessageId: item.props.get('InternetMessageId')?.text ?? '',
    at: lab.clock.now(),
    kind,
  };
  lab.sent.push(record);
  const seen = new Set<string>();
  for (const a of [...env.to, ...env.cc, ...env.bcc]) {
    const target = lab.mailbox(a.address);
    if (!target || seen.has(target.account.smtp)) continue;
    seen.add(target.account.smtp);
    deliverCopy(lab, target, item, from);
  }
  return record;
}

function deliverCopy(lab: LabState, target: Mailbox, item: StoredItem, from: MimeAddress): StoredItem {
  const props = new Map<string, XmlNode>();
  for (const name of TRANSPORTED) {
    const v = item.props.get(name);
    if (v) props.set(name, v);
  }
  if (!props.has('From')) props.set('From', singleRecipient('From', from));
  if (!props.has('Sender')) props.set('Sender', singleRecipient('Sender', from));
  if (item.kind === 'MeetingRequest') {
    for (const [k, v] of item.props) if (!props.has(k) && !['IsDraft', 'IsRead', 'IsFromMe', 'DateTimeReceived', 'DateTimeSent'].includes(k)) props.set(k, v);
  }
  applyDefaults(item.kind === 'MeetingRequest' ? 'MeetingRequest' : 'Message', props, {
    mb: target,
    now: lab.clock.now(),
    draft: false,
    read: false,
    fromMe: false,
    uid: lab.random.bytes(16).toString('hex'),
  });
  const inbox = target.distinguished('inbox')!;
  const copy = target.addItem({
    kind: item.kind === 'MeetingRequest' ? 'MeetingRequest' : 'Message',
    folderKey: inbox.key,
    props,
    attachments: item.attachments.map((a) => ({ ...a, key: target.newKey() })),
    newMail: true,
    ...(item.mime ? { mime: item.mime } : {}),
  });
  return copy;
}

/** Meeting fields an attendee's copy shares with the organizer's item. */
const MEETING_FIELDS = ['Subject', 'Body', 'Start', 'End', 'IsAllDayEvent', 'Location', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'Resources', 'Recurrence', 'UID', 'Importance', 'Sensitivity', 'IsCancelled'];

/**
 * Sends invitations (or updates) for an organizer's calendar item: each attendee with a lab mailbox
 * gets a MeetingRequest in the Inbox and a tentative copy in the Calendar (same UID).
 */
export function sendInvitations(lab: LabState, organizer: Mailbox, item: StoredItem, cancel = false, saveCopy = true): void {
  const attendees = [...addressesOf(item.props.get('RequiredAttendees')), ...addressesOf(item.props.get('OptionalAttendees')), ...addressesOf(item.props.get('Resources'))];
  const uid = item.props.get('UID')?.text ?? '';
  const subject = item.props.get('Subject')?.text ?? '';
  lab.sent.push({
    from: organizer.account.smtp,
    to: attendees.map((a) => a.address),
    cc: [],
    bcc: [],
    subject: cancel ? `Canceled: ${subject}` : subject,
    internetMessageId: `<${lab.random.bytes(16).toString('hex')}@${lab.domain}>`,
    at: lab.clock.now(),
    kind: cancel ? 'meeting-cancellation' : 'meeting-request',
  });
  item.props.set('MeetingRequestWasSent', tnode('MeetingRequestWasSent', 'true'));
  if (saveCopy) saveSentRequest(lab, organizer, item, attendees, cancel);
  for (const a of attendees) {
    const target = lab.mailbox(a.address);
    if (!target || target === organizer) continue;
    const calendar = target.distinguished('calendar')!;
    const existing = [...target.items.values()].find((i) => i.kind === 'CalendarItem' && i.props.get('UID')?.text === uid);
    const shared = new Map<string, XmlNode>();
    for (const name of MEETING_FIELDS) {
      const v = item.props.get(name);
      if (v) shared.set(name, v);
    }
    if (cancel) shared.set('IsCancelled', tnode('IsCancelled', 'true'));
    let attendeeItem: StoredItem;
    if (existing) {
      for (const [k, v] of shared) existing.props.set(k, v);
      target.modified(existing, shared.keys());
      attendeeItem = existing;
    } else if (!cancel) {
      shared.set('MyResponseType', tnode('MyResponseType', 'NoResponseReceived'));
      shared.set('LegacyFreeBusyStatus', tnode('LegacyFreeBusyStatus', 'Tentative'));
      applyDefaults('CalendarItem', shared, { mb: target, now: lab.clock.now(), draft: false, read: true, fromMe: false, uid });
      attendeeItem = target.addItem({ kind: 'CalendarItem', folderKey: calendar.key, props: shared });
    } else continue;
    const request = new Map<string, XmlNode>();
    for (const name of ['Subject', 'Body', 'Start', 'End', 'Location', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'UID', 'IsAllDayEvent', 'Recurrence']) {
      const v = item.props.get(name);
      if (v) request.set(name, v);
    }
    if (cancel) request.set('Subject', tnode('Subject', `Canceled: ${subject}`));
    request.set('ToRecipients', tnode('ToRecipients', '', {}, [...(item.props.get('RequiredAttendees')?.children ?? [])].map((att) => att.children.find((c) => c.name === 'Mailbox')!).filter(Boolean)));
    request.set('From', singleRecipient('From', { name: organizer.account.displayName, address: organizer.account.smtp }));
    request.set('AssociatedCalendarItemId', tnode('AssociatedCalendarItemId', '', { Id: attendeeItem.id, ChangeKey: target.itemChangeKey(attendeeItem) }));
    request.set('IsDelegated', tnode('IsDelegated', 'false'));
    request.set('IsOutOfDate', tnode('IsOutOfDate', 'false'));
    request.set('HasBeenProcessed', tnode('HasBeenProcessed', 'true'));
    request.set('ResponseType', tnode('ResponseType', 'NoResponseReceived'));
    request.set('MeetingRequestType', tnode('MeetingRequestType', existing ? 'FullUpdate' : 'NewMeetingRequest'));
    request.set('IntendedFreeBusyStatus', tnode('IntendedFreeBusyStatus', 'Busy'));
    if (cancel) request.set('ItemClass', tnode('ItemClass', 'IPM.Schedule.Meeting.Canceled'));
    applyDefaults('MeetingRequest', request, { mb: target, now: lab.clock.now(), draft: false, read: false, fromMe: false, uid: lab.random.bytes(16).toString('hex') });
    target.addItem({ kind: 'MeetingRequest', folderKey: target.distinguished('inbox')!.key, props: request, newMail: true });
  }
}

/** "…AndSaveCopy": the organizer keeps the request (or cancellation) in Sent Items, as Outlook shows it. */
function saveSentRequest(lab: LabState, organizer: Mailbox, item: StoredItem, attendees: MimeAddress[], cancel: boolean): void {
  const props = new Map<string, XmlNode>();
  for (const name of ['Subject', 'Body', 'Start', 'End', 'Location', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'UID', 'IsAllDayEvent', 'Recurrence']) {
    const v = item.props.get(name);
    if (v) props.set(name, v);
  }
  if (cancel) {
    props.set('Subject', tnode('Subject', `Canceled: ${item.props.get('Subject')?.text ?? ''}`));
    props.set('ItemClass', tnode('ItemClass', 'IPM.Schedule.Meeting.Canceled'));
  }
  props.set('ToRecipients', recipientList('ToRecipients', attendees));
  props.set('AssociatedCalendarItemId', tnode('AssociatedCalendarItemId', '', { Id: item.id, ChangeKey: organizer.itemChangeKey(item) }));
  props.set('IsDelegated', tnode('IsDelegated', 'false'));
  props.set('IsOutOfDate', tnode('IsOutOfDate', 'false'));
  props.set('HasBeenProcessed', tnode('HasBeenProcessed', 'true'));
  props.set('ResponseType', tnode('ResponseType', 'Organizer'));
  props.set('MeetingRequestType', tnode('MeetingRequestType', 'NewMeetingRequest'));
  props.set('IntendedFreeBusyStatus', tnode('IntendedFreeBusyStatus', 'Busy'));
  applyDefaults('MeetingRequest', props, { mb: organizer, now: lab.clock.now(), draft: false, read: true, fromMe: true, uid: lab.random.bytes(16).toString('hex') });
  organizer.addItem({ kind: 'MeetingRequest', folderKey: organizer.distinguished('sentitems')!.key, props });
}
