/** Enumerations of types.xsd (V2017_07_11) the lab checks in requests. DistinguishedFolderIdNameType: */
export const DISTINGUISHED_FOLDERS: ReadonlySet<string> = new Set([
  'calendar', 'contacts', 'deleteditems', 'drafts', 'inbox', 'journal', 'notes', 'outbox', 'sentitems',
  'tasks', 'msgfolderroot', 'publicfoldersroot', 'root', 'junkemail', 'searchfolders', 'voicemail',
  'recoverableitemsroot', 'recoverableitemsdeletions', 'recoverableitemsversions', 'recoverableitemspurges',
  'recoverableitemsdiscoveryholds', 'archiveroot', 'archivemsgfolderroot', 'archivedeleteditems',
  'archiveinbox', 'archiverecoverableitemsroot', 'archiverecoverableitemsdeletions',
  'archiverecoverableitemsversions', 'archiverecoverableitemspurges', 'archiverecoverableitemsdiscoveryholds',
  'syncissues', 'conflicts', 'localfailures', 'serverfailures', 'recipientcache', 'quickcontacts',
  'conversationhistory', 'adminauditlogs', 'todosearch', 'mycontacts', 'directory', 'imcontactlist',
  'peopleconnect', 'favorites', 'mecontact', 'personmetadata', 'teamspaceactivity', 'teamspacemessaging',
  'teamspaceworkitems', 'scheduled', 'orionnotes', 'tagitems', 'alltaggeditems', 'externalcontacts'
]);

/** Entry/@Key enumerations of the indexed contact properties (types.xsd), by container element. */
export const ENTRY_KEYS: Readonly<Record<string, { type: string; keys: ReadonlySet<string> }>> = {
  EmailAddresses: { type: 'EmailAddressKeyType', keys: new Set(['EmailAddress1', 'EmailAddress2', 'EmailAddress3']) },
  PhysicalAddresses: { type: 'PhysicalAddressKeyType', keys: new Set(['Home', 'Business', 'Other']) },
  PhoneNumbers: {
    type: 'PhoneNumberKeyType',
    keys: new Set([
      'AssistantPhone', 'BusinessFax', 'BusinessPhone', 'BusinessPhone2', 'Callback', 'CarPhone', 'CompanyMainPhone', 'HomeFax',
      'HomePhone', 'HomePhone2', 'Isdn', 'MobilePhone', 'OtherFax', 'OtherTelephone', 'Pager', 'PrimaryPhone', 'RadioPhone',
      'Telex', 'TtyTddPhone', 'BusinessMobile', 'IPPhone', 'Mms', 'Msn',
    ]),
  },
};
