import { bool, field, indexFields, recipient, recipients, str, type RecordOf } from './codec.ts';
import { itemFields } from './item.ts';

/**
 * MessageType = ItemType + these, in types.xsd order.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/message-ex15websvcsotherref
 */
export const messageFields = [
  ...itemFields,
  field('Sender', 'message:Sender', recipient),
  field('ToRecipients', 'message:ToRecipients', recipients),
  field('CcRecipients', 'message:CcRecipients', recipients),
  field('BccRecipients', 'message:BccRecipients', recipients),
  field('IsReadReceiptRequested', 'message:IsReadReceiptRequested', bool),
  field('IsDeliveryReceiptRequested', 'message:IsDeliveryReceiptRequested', bool),
  field('ConversationIndex', 'message:ConversationIndex', str),
  field('ConversationTopic', 'message:ConversationTopic', str),
  field('From', 'message:From', recipient),
  field('InternetMessageId', 'message:InternetMessageId', str),
  field('IsRead', 'message:IsRead', bool),
  field('IsResponseRequested', 'message:IsResponseRequested', bool),
  field('References', 'message:References', str),
  field('ReplyTo', 'message:ReplyTo', recipients),
] as const;

export type MessageRecord = RecordOf<typeof messageFields>;
export const messageFieldIndex = indexFields(messageFields);
