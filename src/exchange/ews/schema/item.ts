import { attachments } from './attachment.ts';
import {
  body, bool, dateTime, enumeration, field, id, indexFields, int, internetHeaders, mimeContent, repeatedField, str, strings, type RecordOf,
} from './codec.ts';
import { extendedProperty } from './extended-property.ts';

export const importanceValues = ['Low', 'Normal', 'High'] as const;
export const sensitivityValues = ['Normal', 'Personal', 'Private', 'Confidential'] as const;

/**
 * ItemType, in types.xsd order (only the elements Dovetail reads or writes).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/item
 */
export const itemFields = [
  field('MimeContent', 'item:MimeContent', mimeContent),
  field('ItemId', null, id),
  field('ParentFolderId', 'item:ParentFolderId', id),
  field('ItemClass', 'item:ItemClass', str),
  field('Subject', 'item:Subject', str),
  field('Sensitivity', 'item:Sensitivity', enumeration(sensitivityValues)),
  field('Body', 'item:Body', body),
  field('Attachments', 'item:Attachments', attachments),
  field('DateTimeReceived', 'item:DateTimeReceived', dateTime),
  field('Size', 'item:Size', int),
  field('Categories', 'item:Categories', strings),
  field('Importance', 'item:Importance', enumeration(importanceValues)),
  field('InReplyTo', 'item:InReplyTo', str),
  field('IsSubmitted', 'item:IsSubmitted', bool),
  field('IsDraft', 'item:IsDraft', bool),
  field('IsFromMe', 'item:IsFromMe', bool),
  field('IsResend', 'item:IsResend', bool),
  field('IsUnmodified', 'item:IsUnmodified', bool),
  field('InternetMessageHeaders', 'item:InternetMessageHeaders', internetHeaders),
  field('DateTimeSent', 'item:DateTimeSent', dateTime),
  field('DateTimeCreated', 'item:DateTimeCreated', dateTime),
  field('ReminderDueBy', 'item:ReminderDueBy', dateTime),
  field('ReminderIsSet', 'item:ReminderIsSet', bool),
  field('ReminderMinutesBeforeStart', 'item:ReminderMinutesBeforeStart', int),
  field('HasAttachments', 'item:HasAttachments', bool),
  repeatedField('ExtendedProperty', null, extendedProperty),
  field('Culture', 'item:Culture', str),
  field('LastModifiedTime', 'item:LastModifiedTime', dateTime),
  field('ConversationId', 'item:ConversationId', id),
] as const;

export type ItemRecord = RecordOf<typeof itemFields>;
export const itemFieldIndex = indexFields(itemFields);
