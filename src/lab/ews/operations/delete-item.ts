import { child } from '../../xml/parse-xml.ts';
import { resolveItem, type EwsCall } from '../call.ts';
import { deleteOccurrence } from '../calendar-series.ts';
import { sendInvitations } from '../delivery.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * DeleteItem: HardDelete / SoftDelete remove the item, MoveToDeletedItems moves it (new id);
 * meetings with SendMeetingCancellations notify lab attendees.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation
 */
export function DeleteItem(call: EwsCall): string {
  const type = call.body.attrs['DeleteType'] ?? 'MoveToDeletedItems';
  // Both are required for their item types (ResponseCode reference: ErrorSendMeetingCancellationsRequired,
  // ErrorAffectedTaskOccurrencesRequired).
  const cancellations = call.body.attrs['SendMeetingCancellations'];
  const taskOccurrences = call.body.attrs['AffectedTaskOccurrences'];
  const messages: string[] = [];
  for (const idNode of child(call.body, 'ItemIds')?.children ?? []) {
    const r = resolveItem(call, idNode);
    if (!r.ok) {
      messages.push(errorMessage('DeleteItem', { code: r.code }));
      continue;
    }
    const { item } = r.value;
    const mb = r.mailbox;
    if (item.kind === 'CalendarItem' && cancellations === undefined) {
      messages.push(errorMessage('DeleteItem', { code: 'ErrorSendMeetingCancellationsRequired' }));
      continue;
    }
    if (item.kind === 'Task' && taskOccurrences === undefined) {
      messages.push(errorMessage('DeleteItem', { code: 'ErrorAffectedTaskOccurrencesRequired' }));
      continue;
    }
    if (item.kind === 'CalendarItem' && cancellations !== undefined && cancellations !== 'SendToNone' && item.props.get('IsMeeting')?.text === 'true' && item.props.get('MyResponseType')?.text === 'Organizer') {
      sendInvitations(call.lab, mb, item, true, cancellations === 'SendToAllAndSaveCopy');
    }
    if (r.value.occurrence !== undefined) {
      // Deleting an occurrence removes it from its series (DeletedOccurrences), not an item from a folder.
      deleteOccurrence(mb, r.value.occurrence);
      messages.push(success('DeleteItem'));
      continue;
    }
    const deleted = mb.distinguished('deleteditems')!;
    if (type === 'MoveToDeletedItems' && item.folderKey !== deleted.key) mb.moveItem(item, deleted.key);
    else mb.removeItem(item);
    messages.push(success('DeleteItem'));
  }
  return operationResponse('DeleteItem', messages);
}
