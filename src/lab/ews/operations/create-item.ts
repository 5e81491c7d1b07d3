import { child, type XmlNode } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { resolveFolderIn } from '../call.ts';
import { sendInvitations, sendMessage } from '../delivery.ts';
import { applyDefaults, buildItem } from '../item-build.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import { RESPONSE_TEXT } from '../response-codes.ts';
import type { StoredFolder } from '../../mailbox-store/types.ts';

RESPONSE_TEXT['ErrorMessageDispositionRequired'] ??= 'MessageDisposition attribute is required.';

const DEFAULT_FOLDER: Record<string, string> = { Message: 'drafts', CalendarItem: 'calendar', Contact: 'contacts', Task: 'tasks' };

/**
 * CreateItem: saves, sends (SendOnly / SendAndSaveCopy, delivering into lab mailboxes), and sends
 * meeting invitations (SendMeetingInvitations).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem
 */
export function CreateItem(call: EwsCall): string {
  const disposition = call.body.attrs['MessageDisposition'];
  // "This property is required for calendar items" (CreateItemType.SendMeetingInvitations reference).
  const invitations = call.body.attrs['SendMeetingInvitations'];
  const savedIn = child(call.body, 'SavedItemFolderId');
  const messages: string[] = [];
  for (const node of child(call.body, 'Items')?.children ?? []) messages.push(createOne(call, node, disposition, invitations, savedIn));
  return operationResponse('CreateItem', messages);
}

function createOne(call: EwsCall, node: XmlNode, disposition: string | undefined, invitations: string | undefined, savedIn: XmlNode | undefined): string {
  const fail = (code: string, messageXml?: string): string => {
    const e = { code, trailer: '<m:Items/>' } as { code: string; trailer: string; messageXml?: string };
    if (messageXml) e.messageXml = messageXml;
    return errorMessage('CreateItem', e);
  };
  const isMessage = node.name === 'Message';
  if (isMessage && disposition === undefined) return fail('ErrorMessageDispositionRequired');
  if (node.name === 'CalendarItem' && invitations === undefined) return fail('ErrorSendMeetingInvitationsRequired');
  let folder: StoredFolder;
  let mb = call.mailbox;
  if (savedIn) {
    const r = resolveFolderIn(call, savedIn);
    if (!r.ok) return fail(r.code);
    folder = r.value;
    mb = r.mailbox;
  } else {
    const wanted = isMessage && disposition === 'SendAndSaveCopy' ? 'sentitems' : DEFAULT_FOLDER[node.name] ?? 'drafts';
    folder = mb.distinguished(wanted)!;
  }
  const built = buildItem(mb, node, folder);
  if (!built.ok) return fail(built.code, built.fieldUri ? `<t:FieldURI FieldURI="item:${built.fieldUri}"/>` : undefined);
  const sending = isMessage && (disposition === 'SendOnly' || disposition === 'SendAndSaveCopy');
  if (sending && built.value.props.get('ToRecipients') === undefined && built.value.props.get('CcRecipients') === undefined && built.value.props.get('BccRecipients') === undefined) {
    return fail('ErrorInvalidRecipients');
  }
  applyDefaults(built.value.kind, built.value.props, {
    mb,
    now: call.lab.clock.now(),
    draft: isMessage && !sending,
    read: true,
    fromMe: true,
    uid: call.lab.random.bytes(16).toString('hex'),
  });
  const item = mb.addItem({ kind: built.value.kind, folderKey: folder.key, props: built.value.props, extended: built.value.extended, attachments: built.value.attachments, ...(built.value.mime ? { mime: built.value.mime } : {}) });
  if (sending) {
    sendMessage(call.lab, mb, item);
    // SendOnly keeps no copy; either way the answer lists no items (CreateItem-message-SendAndSaveCopy-response.xml).
    if (disposition === 'SendOnly') mb.removeItem(item);
    return success('CreateItem', '<m:Items/>');
  }
  if (item.kind === 'CalendarItem' && invitations !== undefined && invitations !== 'SendToNone' && item.props.get('IsMeeting')?.text === 'true') {
    sendInvitations(call.lab, mb, item, false, invitations === 'SendToAllAndSaveCopy');
    mb.modified(item, ['MeetingRequestWasSent']);
  }
  return success('CreateItem', el('m:Items', undefined, el(`t:${item.kind}`, undefined, el('t:ItemId', { Id: item.id, ChangeKey: mb.itemChangeKey(item) }))));
}

