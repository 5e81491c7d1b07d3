import type { ItemKind } from '../mailbox-store/types.ts';

/**
 * Element order of each item type, as types.xsd declares it (ItemType, then the subtype's own
 * sequence). Declared once here: it drives response order, which properties a type accepts,
 * and ErrorInvalidPropertyRequest for properties the type does not have.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/item
 */
const ITEM = [
  'MimeContent', 'ItemId', 'ParentFolderId', 'ItemClass', 'Subject', 'Sensitivity', 'Body', 'Attachments',
  'DateTimeReceived', 'Size', 'Categories', 'Importance', 'InReplyTo', 'IsSubmitted', 'IsDraft', 'IsFromMe',
  'IsResend', 'IsUnmodified', 'InternetMessageHeaders', 'DateTimeSent', 'DateTimeCreated', 'ResponseObjects',
  'ReminderDueBy', 'ReminderIsSet', 'ReminderNextTime', 'ReminderMinutesBeforeStart', 'DisplayCc', 'DisplayTo',
  'DisplayBcc', 'HasAttachments', 'ExtendedProperty', 'Culture', 'EffectiveRights', 'LastModifiedName',
  'LastModifiedTime', 'IsAssociated', 'WebClientReadFormQueryString', 'WebClientEditFormQueryString',
  'ConversationId', 'UniqueBody', 'Flag', 'StoreEntryId', 'InstanceKey', 'NormalizedBody', 'EntityExtractionResult',
  'PolicyTag', 'ArchiveTag', 'RetentionDate', 'Preview', 'RightsManagementLicenseData', 'PredictedActionReasons',
  'IsClutter', 'BlockStatus', 'HasBlockedImages', 'TextBody', 'IconIndex', 'SearchKey', 'SortKey', 'Hashtags',
  'Mentions', 'MentionedMe', 'MentionsPreview', 'MentionsEx', 'AppliedHashtags', 'AppliedHashtagsPreview', 'Likes',
  'LikesPreview', 'PendingSocialActivityTagIds', 'AtAllMention', 'CanDelete', 'InferenceClassification',
];

const MESSAGE = [
  'Sender', 'ToRecipients', 'CcRecipients', 'BccRecipients', 'IsReadReceiptRequested', 'IsDeliveryReceiptRequested',
  'ConversationIndex', 'ConversationTopic', 'From', 'InternetMessageId', 'IsRead', 'IsResponseRequested', 'References',
  'ReplyTo', 'ReceivedBy', 'ReceivedRepresenting', 'ApprovalRequestData', 'VotingInformation', 'ReminderMessageData',
  'MessageSafety', 'SenderSMTPAddress', 'MailboxGuids', 'MailboxGuid',
];

const MEETING_MESSAGE = [
  'AssociatedCalendarItemId', 'IsDelegated', 'IsOutOfDate', 'HasBeenProcessed', 'ResponseType', 'UID', 'RecurrenceId',
  'DateTimeStamp', 'IsOrganizer',
];

const MEETING_REQUEST = [
  'MeetingRequestType', 'IntendedFreeBusyStatus', 'Start', 'End', 'OriginalStart', 'IsAllDayEvent',
  'LegacyFreeBusyStatus', 'Location', 'When', 'IsMeeting', 'IsCancelled', 'IsRecurring', 'MeetingRequestWasSent',
  'CalendarItemType', 'MyResponseType', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'Resources',
  'ConflictingMeetingCount', 'AdjacentMeetingCount', 'ConflictingMeetings', 'AdjacentMeetings', 'Duration', 'TimeZone',
  'AppointmentReplyTime', 'AppointmentSequenceNumber', 'AppointmentState', 'Recurrence', 'FirstOccurrence',
  'LastOccurrence', 'ModifiedOccurrences', 'DeletedOccurrences', 'MeetingTimeZone', 'StartTimeZone', 'EndTimeZone',
  'ConferenceType', 'AllowNewTimeProposal', 'IsOnlineMeeting', 'MeetingWorkspaceUrl', 'NetShowUrl', 'EnhancedLocation',
  'ChangeHighlights', 'StartWallClock', 'EndWallClock', 'StartTimeZoneId', 'EndTimeZoneId',
];

const CALENDAR_ITEM = [
  'UID', 'RecurrenceId', 'DateTimeStamp', 'Start', 'End', 'OriginalStart', 'IsAllDayEvent', 'LegacyFreeBusyStatus',
  'Location', 'When', 'IsMeeting', 'IsCancelled', 'IsRecurring', 'MeetingRequestWasSent', 'IsResponseRequested',
  'CalendarItemType', 'MyResponseType', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'Resources',
  'InboxReminders', 'ConflictingMeetingCount', 'AdjacentMeetingCount', 'ConflictingMeetings', 'AdjacentMeetings',
  'Duration', 'TimeZone', 'AppointmentReplyTime', 'AppointmentSequenceNumber', 'AppointmentState', 'Recurrence',
  'FirstOccurrence', 'LastOccurrence', 'ModifiedOccurrences', 'DeletedOccurrences', 'MeetingTimeZone',
  'StartTimeZone', 'EndTimeZone', 'ConferenceType', 'AllowNewTimeProposal', 'IsOnlineMeeting', 'MeetingWorkspaceUrl',
  'NetShowUrl', 'EnhancedLocation', 'StartWallClock', 'EndWallClock', 'StartTimeZoneId', 'EndTimeZoneId',
  'IntendedFreeBusyStatus', 'JoinOnlineMeetingUrl', 'OnlineMeetingSettings', 'IsOrganizer', 'CalendarActivityData',
];

const CONTACT = [
  'FileAs', 'FileAsMapping', 'DisplayName', 'GivenName', 'Initials', 'MiddleName', 'Nickname', 'CompleteName',
  'CompanyName', 'EmailAddresses', 'AbchEmailAddresses', 'PhysicalAddresses', 'PhoneNumbers', 'AssistantName',
  'Birthday', 'BusinessHomePage', 'Children', 'Companies', 'ContactSource', 'Department', 'Generation', 'ImAddresses',
  'JobTitle', 'Manager', 'Mileage', 'OfficeLocation', 'PostalAddressIndex', 'Profession', 'SpouseName', 'Surname',
  'WeddingAnniversary', 'HasPicture', 'PhoneticFullName', 'PhoneticFirstName', 'PhoneticLastName', 'Alias', 'Notes',
  'Photo', 'UserSMIMECertificate', 'MSExchangeCertificate', 'DirectoryId', 'ManagerMailbox', 'DirectReports',
  'AccountName', 'IsAutoUpdateDisabled', 'IsMessengerEnabled', 'Comment', 'ContactShortId', 'ContactType', 'Gender',
  'IsHidden', 'ObjectId', 'PassportId', 'IsPrivate', 'SourceId', 'TrustLevel', 'CreatedBy', 'Urls', 'Cid',
  'SkypeAuthCertificate', 'SkypeContext', 'SkypeId', 'SkypeRelationship', 'YomiNickname', 'XboxLiveTag', 'InviteFree',
  'HidePresenceAndProfile', 'IsPendingOutbound', 'SupportGroupFeeds', 'UserTileHash', 'UnifiedInbox', 'Mris', 'Wlid',
  'AbchContactId', 'NotInBirthdayCalendar', 'ShellContactType', 'ImMri', 'PresenceTrustLevel', 'OtherMri',
  'ProfileLastChanged', 'MobileIMEnabled', 'PartnerNetworkProfilePhotoUrl', 'PartnerNetworkThumbnailPhotoUrl',
  'PersonId', 'ConversationGuid',
];

const TASK = [
  'ActualWork', 'AssignedTime', 'BillingInformation', 'ChangeCount', 'Companies', 'CompleteDate', 'Contacts',
  'DelegationState', 'Delegator', 'DueDate', 'IsAssignmentEditable', 'IsComplete', 'IsRecurring', 'IsTeamTask',
  'Mileage', 'Owner', 'PercentComplete', 'Recurrence', 'StartDate', 'Status', 'StatusDescription', 'TotalWork',
];

export const ELEMENT_ORDER: Record<ItemKind, readonly string[]> = {
  Message: [...ITEM, ...MESSAGE],
  MeetingRequest: [...ITEM, ...MESSAGE, ...MEETING_MESSAGE, ...MEETING_REQUEST],
  CalendarItem: [...ITEM, ...CALENDAR_ITEM],
  Contact: [...ITEM, ...CONTACT],
  Task: [...ITEM, ...TASK],
};

export const ITEM_CLASS: Record<ItemKind, string> = {
  Message: 'IPM.Note',
  MeetingRequest: 'IPM.Schedule.Meeting.Request',
  CalendarItem: 'IPM.Appointment',
  Contact: 'IPM.Contact',
  Task: 'IPM.Task',
};

export const ITEM_KINDS = Object.keys(ELEMENT_ORDER) as ItemKind[];

export function isItemKind(name: string): name is ItemKind {
  return (ITEM_KINDS as string[]).includes(name);
}

/** Indexed properties live in a container element, one Entry per FieldIndex. */
const INDEXED_CONTAINER: Record<string, string> = {
  'contacts:EmailAddress': 'EmailAddresses',
  'contacts:PhoneNumber': 'PhoneNumbers',
  'contacts:ImAddress': 'ImAddresses',
  'contacts:PhysicalAddress': 'PhysicalAddresses',
};

/**
 * The element a FieldURI names: the part after the first colon ("item:Subject" -> Subject);
 * indexed URIs ("contacts:PhysicalAddress:Street") name their container.
 */
export function elementForFieldUri(fieldUri: string): string | undefined {
  const parts = fieldUri.split(':');
  if (parts.length < 2) return undefined;
  const container = INDEXED_CONTAINER[`${parts[0]}:${parts[1]}`];
  if (container) return container;
  return parts[1];
}

/** Properties the server maintains; a client setting them gets ErrorInvalidPropertySet. */
export const READ_ONLY = new Set([
  'ItemId', 'ParentFolderId', 'DateTimeReceived', 'Size', 'DateTimeCreated', 'DateTimeSent', 'HasAttachments',
  'DisplayTo', 'DisplayCc', 'DisplayBcc', 'LastModifiedTime', 'LastModifiedName', 'IsSubmitted', 'IsDraft',
  'IsFromMe', 'IsResend', 'IsUnmodified', 'ConversationId', 'Attachments', 'ChangeCount', 'Duration',
  'CalendarItemType', 'MyResponseType', 'IsRecurring', 'IsMeeting', 'MeetingRequestWasSent', 'EffectiveRights', 'CompleteName',
]);

/** What FindItem and SyncFolderItems leave out of the Default and AllProperties shapes. */
export const NOT_IN_VIEWS = new Set(['Body', 'Attachments', 'MimeContent', 'UniqueBody', 'InternetMessageHeaders']);
