/**
 * MessageText the lab sends with each ResponseCode. Texts come from the published samples in
 * ../shared/conformance/ews-samples where one exists, otherwise from Exchange's own wording.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
 */
export const RESPONSE_TEXT: Record<string, string> = {
  ErrorItemNotFound: 'The specified object was not found in the store.',
  ErrorFolderNotFound: 'The specified folder could not be found in the store.',
  ErrorInvalidIdMalformed: 'Id is malformed.',
  ErrorInvalidSyncStateData: 'Synchronization state data is corrupt or otherwise invalid.',
  ErrorInvalidPropertyRequest: 'Property is not valid for this object type.',
  ErrorInvalidPropertySet: 'Set action is invalid for property.',
  ErrorInvalidPropertyDelete: 'Delete action is invalid for property.',
  ErrorInvalidPropertyAppend: 'Append action is invalid for property.',
  ErrorCannotCreateContactInNonContactFolder: 'Cannot create a contact in a non-contact Folder.',
  ErrorCannotCreateCalendarItemInNonCalendarFolder: 'Cannot create a calendar item in a non-calendar folder.',
  ErrorCannotCreateTaskInNonTaskFolder: 'Cannot create a task in a non-task Folder.',
  ErrorSubscriptionNotFound: 'The specified subscription was not found.',
  ErrorSubscriptionAccessDenied: 'Access is denied. Only the subscription owner may access the subscription.',
  ErrorInvalidSubscription: 'The subscription is no longer valid.',
  ErrorInvalidWatermark: 'The watermark is invalid.',
  ErrorIrresolvableConflict:
    'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
  ErrorInvalidChangeKey: 'The change key is invalid.',
  ErrorChangeKeyRequiredForWriteOperations: 'The change key is required for write operations.',
  ErrorStaleObject: 'The change key is not up-to-date. Get the item again and retry.',
  ErrorFolderExists: 'A folder with the specified name already exists.',
  ErrorNameResolutionNoResults: 'No results were found.',
  ErrorNameResolutionMultipleResults: 'Multiple results were found.',
  ErrorAccessDenied: 'Access is denied. Check credentials and try again.',
  ErrorInvalidOperation: 'The operation is not valid for this item.',
  ErrorInvalidRecipients: 'At least one recipient is not valid.',
  ErrorMissingRecipients: 'The operation requires at least one recipient.',
  ErrorInvalidRequest: 'The request is invalid.',
  ErrorObjectTypeChanged: 'The object type of the item cannot be changed.',
  ErrorInvalidExtendedProperty: 'The extended property is invalid.',
  ErrorInvalidExtendedPropertyValue: 'The extended property value is invalid.',
  ErrorCalendarIsCancelledForAccept: 'The meeting has been cancelled.',
  ErrorAttachmentNotFound: 'The attachment could not be found.',
  ErrorInvalidAttachmentId: 'The attachment id is invalid.',
  ErrorExceededSubscriptionCount: "You have exceeded the maximum number of subscriptions allowed by your account's throttling policy.",
  ErrorServerBusy: 'The server cannot service this request right now. Try again later.',
  ErrorInternalServerError: 'An internal server error occurred. The operation failed.',
  ErrorMoveCopyFailed: 'The move or copy operation failed.',
  ErrorInvalidUserConfigurationName: 'The user configuration name is invalid.',
  ErrorItemSave: 'The item could not be saved.',
  ErrorSendMeetingInvitationsRequired: 'SendMeetingInvitations attribute is required for calendar items.',
  ErrorSendMeetingInvitationsOrCancellationsRequired: 'SendMeetingInvitationsOrCancellations attribute is required for calendar items.',
  ErrorSendMeetingCancellationsRequired: 'SendMeetingCancellations attribute is required for calendar items.',
  ErrorAffectedTaskOccurrencesRequired: 'AffectedTaskOccurrences attribute is required for task items.',
  ErrorUnsupportedMimeConversion: 'Mime conversion is not supported for this item type.',
};

export function responseText(code: string): string {
  return RESPONSE_TEXT[code] ?? code;
}
