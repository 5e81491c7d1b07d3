import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSkip } from '../support/env.ts';
import { ALEX, MEGAN, startFixture, type Fixture } from './support/lab-fixture.ts';
import { grab } from './support/ews-http.ts';
import { validateEnvelopes } from './support/ews-schema.ts';
import { OPERATIONS } from '../../src/lab/ews/operations/index.ts';

const ok = (body: string): void => assert.match(body, /ResponseClass="Success"/, body.slice(0, 1500));
const code = (body: string, expected: string): void => assert.match(body, new RegExp(`<m:ResponseCode>${expected}</m:ResponseCode>`), body.slice(0, 1500));

describe('lab EWS: every operation, success and error paths, against the schema', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  it('folders: GetFolder, FindFolder, CreateFolder, SyncFolderHierarchy', async () => {
    ok((await f.call('GetFolder distinguished', `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/><t:DistinguishedFolderId Id="calendar"/><t:DistinguishedFolderId Id="contacts"/><t:DistinguishedFolderId Id="tasks"/></m:FolderIds></m:GetFolder>`)).body);
    code((await f.call('GetFolder malformed', `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="@@@"/></m:FolderIds></m:GetFolder>`)).body, 'ErrorInvalidIdMalformed');
    const created = await f.call('CreateFolder', `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>Undeliverable</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>`);
    ok(created.body);
    const folderId = grab(created.body, /<t:FolderId Id="([^"]+)"/);
    code((await f.call('CreateFolder exists', `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>undeliverable</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>`)).body, 'ErrorFolderExists');
    const found = await f.call('FindFolder restriction', `<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant><t:Constant Value="Undeliverable"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`);
    assert.match(found.body, new RegExp(`FolderId Id="${folderId.replace(/[+/=]/g, '\\$&')}"`));
    assert.match(found.body, /TotalItemsInView="1"/);
    ok((await f.call('FindFolder deep', `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="root"/></m:ParentFolderIds></m:FindFolder>`)).body);
    code((await f.call('FindFolder malformed', `<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:FolderId Id="AQ=="/></m:ParentFolderIds></m:FindFolder>`)).body, 'ErrorInvalidIdMalformed');
    const h1 = await f.call('SyncFolderHierarchy initial', `<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape></m:SyncFolderHierarchy>`);
    assert.match(h1.body, /<t:DisplayName>Undeliverable<\/t:DisplayName>/);
    const state = grab(h1.body, /<m:SyncState>([^<]+)</);
    await f.call('CreateFolder second', `<m:CreateFolder><m:ParentFolderId><t:FolderId Id="${folderId}"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>Sub</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>`);
    const h2 = await f.call('SyncFolderHierarchy incremental', `<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:SyncState>${state}</m:SyncState></m:SyncFolderHierarchy>`);
    assert.match(h2.body, /<t:Create><t:Folder>.*<t:DisplayName>Sub<\/t:DisplayName>/);
    code((await f.call('SyncFolderHierarchy forged', `<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:SyncState>H4sIA=</m:SyncState></m:SyncFolderHierarchy>`)).body, 'ErrorInvalidSyncStateData');
  });

  it('calendar, contacts and tasks: create (with recurrence and invitations), get, update, delete', async () => {
    const meeting = await f.call(
      'CreateItem meeting',
      `<m:CreateItem SendMeetingInvitations="SendToAllAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>Weekly review</t:Subject><t:Body BodyType="Text">Agenda</t:Body>` +
        `<t:Start>2026-12-01T14:00:00Z</t:Start><t:End>2026-12-01T15:00:00Z</t:End><t:Location>Room 1</t:Location><t:RequiredAttendees><t:Attendee><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:Attendee></t:RequiredAttendees>` +
        `<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Tuesday</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-12-01</t:StartDate><t:NumberOfOccurrences>4</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence></t:CalendarItem></m:Items></m:CreateItem>`,
    );
    ok(meeting.body);
    const meetingId = grab(meeting.body, /<t:ItemId Id="([^"]+)"/);
    assert.ok(f.lab.api.items(MEGAN, 'inbox').some((i) => i.kind === 'MeetingRequest' && i.subject === 'Weekly review'));
    assert.ok(f.lab.api.items(MEGAN, 'calendar').some((i) => i.subject === 'Weekly review'));
    const got = await f.call('GetItem calendar', `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${meetingId}"/></m:ItemIds></m:GetItem>`);
    assert.match(got.body, /<t:CalendarItemType>RecurringMaster<\/t:CalendarItemType>/);
    assert.match(got.body, /<t:MeetingRequestWasSent>true</);
    for (const folder of ['calendar', 'inbox']) {
      const synced = await f.call(`SyncFolderItems ${folder}`, `<m:SyncFolderItems><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Body"/></t:AdditionalProperties></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="${folder}"/></m:SyncFolderId><m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`, { impersonate: MEGAN });
      assert.match(synced.body, folder === 'calendar' ? /<t:CalendarItem>.*<t:Subject>Weekly review/ : /<t:MeetingRequest>.*<t:Subject>Weekly review/);
    }
    const inviteId = f.lab.api.items(MEGAN, 'inbox').find((i) => i.kind === 'MeetingRequest')!.id;
    ok((await f.call('GetItem meeting request', `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${inviteId}"/></m:ItemIds></m:GetItem>`, { impersonate: MEGAN })).body);
    code((await f.call('GetItem invalid property', `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="meeting:AssociatedCalendarItemId"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="${meetingId}"/></m:ItemIds></m:GetItem>`)).body, 'ErrorInvalidPropertyRequest');
    const view = await f.call('FindItem CalendarView', `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:CalendarView StartDate="2026-11-30T00:00:00Z" EndDate="2026-12-31T00:00:00Z"/><m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>`);
    assert.match(view.body, /<t:Subject>Weekly review<\/t:Subject>/);
    const ck = grab(got.body, /<t:ItemId Id="[^"]+" ChangeKey="([^"]+)"/);
    ok((await f.call('UpdateItem meeting', `<m:UpdateItem ConflictResolution="AutoResolve" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="${meetingId}" ChangeKey="${ck}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Location"/><t:CalendarItem><t:Location>Room 2</t:Location></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body);
    assert.ok(f.lab.api.items(MEGAN, 'calendar').some((i) => f.lab.api.item(MEGAN, i.id).props.get('Location')?.text === 'Room 2'));
    ok((await f.call('DeleteItem meeting', `<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToAllAndSaveCopy"><m:ItemIds><t:ItemId Id="${meetingId}"/></m:ItemIds></m:DeleteItem>`)).body);
    assert.equal(f.lab.api.sent().at(-1)?.kind, 'meeting-cancellation');

    code((await f.call('CreateItem calendar without SendMeetingInvitations', `<m:CreateItem><m:Items><t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem></m:Items></m:CreateItem>`)).body, 'ErrorSendMeetingInvitationsRequired');
    const appt = f.lab.api.createMeeting({ organizer: ALEX, subject: 'Solo', start: '2026-12-03T10:00:00Z', end: '2026-12-03T11:00:00Z', attendees: [] });
    const ckOf = (id: string): string => f.lab.api.mailbox(ALEX).itemChangeKey(f.lab.api.item(ALEX, id));
    code((await f.call('UpdateItem calendar without SendMeetingInvitationsOrCancellations', `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="${appt}" ChangeKey="${ckOf(appt)}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>y</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body, 'ErrorSendMeetingInvitationsOrCancellationsRequired');
    code((await f.call('DeleteItem calendar without SendMeetingCancellations', `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="${appt}"/></m:ItemIds></m:DeleteItem>`)).body, 'ErrorSendMeetingCancellationsRequired');
    const soloTask = f.lab.api.createTask(ALEX, { subject: 'solo task' });
    code((await f.call('DeleteItem task without AffectedTaskOccurrences', `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="${soloTask}"/></m:ItemIds></m:DeleteItem>`)).body, 'ErrorAffectedTaskOccurrencesRequired');

    const contact = await f.call('CreateItem contact', `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="contacts"/></m:SavedItemFolderId><m:Items><t:Contact><t:GivenName>Ana</t:GivenName><t:CompanyName>Fabrikam</t:CompanyName><t:EmailAddresses><t:Entry Key="EmailAddress1">ana@fabrikam.example</t:Entry></t:EmailAddresses><t:PhysicalAddresses><t:Entry Key="Business"><t:City>Lyon</t:City></t:Entry></t:PhysicalAddresses><t:Surname>Diaz</t:Surname></t:Contact></m:Items></m:CreateItem>`);
    ok(contact.body);
    const contactId = grab(contact.body, /<t:ItemId Id="([^"]+)"/);
    code((await f.call('CreateItem contact in inbox', `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="inbox"/></m:SavedItemFolderId><m:Items><t:Contact><t:GivenName>X</t:GivenName></t:Contact></m:Items></m:CreateItem>`)).body, 'ErrorCannotCreateContactInNonContactFolder');
    ok(
      (await f.call('UpdateItem indexed', `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="${contactId}" ChangeKey="${ckOf(contactId)}"/><t:Updates><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:Street" FieldIndex="Business"/><t:Contact><t:PhysicalAddresses><t:Entry Key="Business"><t:Street>1 Main St</t:Street></t:Entry></t:PhysicalAddresses></t:Contact></t:SetItemField><t:DeleteItemField><t:FieldURI FieldURI="contacts:CompanyName"/></t:DeleteItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body,
    );
    const contactGot = await f.call('GetItem contact', `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${contactId}"/></m:ItemIds></m:GetItem>`);
    assert.match(contactGot.body, /<t:Entry Key="Business"><t:Street>1 Main St<\/t:Street><t:City>Lyon<\/t:City><\/t:Entry>/);
    assert.doesNotMatch(contactGot.body, /CompanyName/);
    code((await f.call('UpdateItem without ChangeKey', `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="${contactId}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="contacts:JobTitle"/><t:Contact><t:JobTitle>x</t:JobTitle></t:Contact></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body, 'ErrorChangeKeyRequiredForWriteOperations');
    code((await f.call('UpdateItem read-only property', `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="${contactId}" ChangeKey="${ckOf(contactId)}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:DateTimeCreated"/><t:Contact><t:DateTimeCreated>2020-01-01T00:00:00Z</t:DateTimeCreated></t:Contact></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body, 'ErrorInvalidPropertySet');

    const task = await f.call('CreateItem task', `<m:CreateItem><m:Items><t:Task><t:Subject>Send quote</t:Subject><t:DueDate>2026-12-05T00:00:00Z</t:DueDate><t:Status>InProgress</t:Status></t:Task></m:Items></m:CreateItem>`);
    const taskId = grab(task.body, /<t:ItemId Id="([^"]+)"/);
    ok((await f.call('UpdateItem append categories', `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="${taskId}" ChangeKey="${ckOf(taskId)}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Categories"/><t:Task><t:Categories><t:String>A</t:String></t:Categories></t:Task></t:SetItemField><t:AppendToItemField><t:FieldURI FieldURI="item:Categories"/><t:Task><t:Categories><t:String>B</t:String></t:Categories></t:Task></t:AppendToItemField><t:SetItemField><t:FieldURI FieldURI="task:Status"/><t:Task><t:Status>Completed</t:Status></t:Task></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)).body);
    const taskGot = await f.call('GetItem task', `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${taskId}"/></m:ItemIds></m:GetItem>`);
    assert.match(taskGot.body, /<t:Categories><t:String>A<\/t:String><t:String>B<\/t:String><\/t:Categories>/);
    assert.match(taskGot.body, /<t:IsComplete>true<\/t:IsComplete>.*<t:PercentComplete>100<\/t:PercentComplete>/);
    ok((await f.call('DeleteItem task', `<m:DeleteItem DeleteType="HardDelete" AffectedTaskOccurrences="AllOccurrences"><m:ItemIds><t:ItemId Id="${taskId}"/></m:ItemIds></m:DeleteItem>`)).body);
    code((await f.call('DeleteItem gone', `<m:DeleteItem DeleteType="HardDelete" AffectedTaskOccurrences="AllOccurrences"><m:ItemIds><t:ItemId Id="${taskId}"/></m:ItemIds></m:DeleteItem>`)).body, 'ErrorItemNotFound');
  });

  it('messages: MoveItem, SendItem, GetAttachment, FindItem paging, MIME create', async () => {
    const [delivered] = f.lab.api.deliverEmail({ to: [ALEX], from: { name: 'Contoso Buyer', address: 'buyer@fabrikam.example' }, subject: 'Quote request', body: 'Please quote', attachments: [{ name: 'rfq.txt', contentType: 'text/plain', content: Buffer.from('items: 10') }] });
    const got = await f.call('GetItem attachments', `<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${delivered!.itemId}"/></m:ItemIds></m:GetItem>`);
    const attachmentId = grab(got.body, /<t:AttachmentId Id="([^"]+)"/);
    const att = await f.call('GetAttachment', `<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="${attachmentId}"/></m:AttachmentIds></m:GetAttachment>`);
    assert.equal(Buffer.from(grab(att.body, /<t:Content>([^<]+)</), 'base64').toString(), 'items: 10');
    code((await f.call('GetAttachment malformed', `<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="${delivered!.itemId}"/></m:AttachmentIds></m:GetAttachment>`)).body, 'ErrorInvalidIdMalformed');
    const undeliverable = await f.call('FindFolder by name', `<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant><t:Constant Value="Undeliverable"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`);
    const target = grab(undeliverable.body, /<t:FolderId Id="([^"]+)"/);
    const moved = await f.call('MoveItem', `<m:MoveItem><m:ToFolderId><t:FolderId Id="${target}"/></m:ToFolderId><m:ItemIds><t:ItemId Id="${delivered!.itemId}"/></m:ItemIds></m:MoveItem>`);
    ok(moved.body);
    assert.notEqual(grab(moved.body, /<t:ItemId Id="([^"]+)"/), delivered!.itemId);
    code((await f.call('MoveItem old id', `<m:MoveItem><m:ToFolderId><t:DistinguishedFolderId Id="inbox"/></m:ToFolderId><m:ItemIds><t:ItemId Id="${delivered!.itemId}"/></m:ItemIds></m:MoveItem>`)).body, 'ErrorItemNotFound');

    const mime = Buffer.from(`From: Alex <${ALEX}>\r\nTo: <${MEGAN}>\r\nSubject: From MIME\r\nMessage-ID: <mime-1@contoso.lab>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody text\r\n`).toString('base64');
    const draft = await f.call('CreateItem MIME draft', `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${mime}</t:MimeContent></t:Message></m:Items></m:CreateItem>`);
    const draftId = grab(draft.body, /<t:ItemId Id="([^"]+)" ChangeKey="([^"]+)"/);
    const draftCk = grab(draft.body, /ChangeKey="([^"]+)"/);
    ok((await f.call('SendItem', `<m:SendItem SaveItemToFolder="true"><m:ItemIds><t:ItemId Id="${draftId}" ChangeKey="${draftCk}"/></m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId></m:SendItem>`)).body);
    assert.ok(f.lab.api.items(MEGAN, 'inbox').some((i) => i.internetMessageId === '<mime-1@contoso.lab>' && i.subject === 'From MIME'));
    code((await f.call('CreateItem message without disposition', `<m:CreateItem><m:Items><t:Message><t:Subject>x</t:Subject></t:Message></m:Items></m:CreateItem>`)).body, 'ErrorMessageDispositionRequired');
    const stale = await f.call('CreateItem draft 2', `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>stale</t:Subject><t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:ToRecipients></t:Message></m:Items></m:CreateItem>`);
    const staleId = grab(stale.body, /<t:ItemId Id="([^"]+)"/);
    const staleCk = grab(stale.body, /ChangeKey="([^"]+)"/);
    f.lab.api.editItem(ALEX, staleId, { Subject: 'edited' });
    code((await f.call('SendItem stale', `<m:SendItem SaveItemToFolder="false"><m:ItemIds><t:ItemId Id="${staleId}" ChangeKey="${staleCk}"/></m:ItemIds></m:SendItem>`)).body, 'ErrorStaleObject');

    for (let i = 0; i < 7; i++) f.lab.api.deliverEmail({ to: [MEGAN], from: { address: `n${i}@outside.example` }, subject: `Bulk ${i}`, body: 'x' });
    const page = await f.call('FindItem paged', `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="3" Offset="0" BasePoint="Beginning"/><m:Restriction><t:Contains ContainmentMode="Prefixed" ContainmentComparison="IgnoreCase"><t:FieldURI FieldURI="item:Subject"/><t:Constant Value="bulk"/></t:Contains></m:Restriction><m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:Subject"/></t:FieldOrder></m:SortOrder><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`, { impersonate: MEGAN });
    assert.match(page.body, /IndexedPagingOffset="3" TotalItemsInView="7" IncludesLastItemInRange="false"/);
    assert.match(page.body, /<t:Subject>Bulk 0<\/t:Subject>.*<t:Subject>Bulk 1<\/t:Subject>.*<t:Subject>Bulk 2<\/t:Subject>/);
    code((await f.call('FindItem bad folder', `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:FolderId Id="TEYAAQ=="/></m:ParentFolderIds></m:FindItem>`)).body, 'ErrorInvalidIdMalformed');
  });

  it('ResolveNames, ConvertId and user configurations', async () => {
    const one = await f.call('ResolveNames one', `<m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>Megan</m:UnresolvedEntry></m:ResolveNames>`);
    ok(one.body);
    assert.match(one.body, new RegExp(`<t:EmailAddress>${MEGAN}</t:EmailAddress>`));
    const many = await f.call('ResolveNames many', `<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>contoso.lab</m:UnresolvedEntry></m:ResolveNames>`);
    code(many.body, 'ErrorNameResolutionNoResults');
    f.lab.api.addMailbox({ smtp: 'alex.dunn@contoso.lab', displayName: 'Alex Dunn', userName: 'alexd', password: 'Lab-Dunn-2026!' });
    const several = await f.call('ResolveNames several', `<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>alex</m:UnresolvedEntry></m:ResolveNames>`);
    assert.match(several.body, /ResponseClass="Warning"/);
    code(several.body, 'ErrorNameResolutionMultipleResults');

    const inbox = await f.call('GetFolder for ConvertId', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`);
    const id = grab(inbox.body, /<t:FolderId Id="([^"]+)"/);
    const hex = await f.call('ConvertId to hex', `<m:ConvertId DestinationFormat="HexEntryId"><m:SourceIds><t:AlternateId Format="EwsId" Id="${id}" Mailbox="${ALEX}"/></m:SourceIds></m:ConvertId>`);
    const hexId = grab(hex.body, /Format="HexEntryId" Id="([0-9A-F]+)"/);
    const back = await f.call('ConvertId back', `<m:ConvertId DestinationFormat="EwsId"><m:SourceIds><t:AlternateId Format="HexEntryId" Id="${hexId}" Mailbox="${ALEX}"/></m:SourceIds></m:ConvertId>`);
    assert.equal(grab(back.body, /Format="EwsId" Id="([^"]+)"/), id);
    code((await f.call('ConvertId malformed', `<m:ConvertId DestinationFormat="EwsId"><m:SourceIds><t:AlternateId Format="HexEntryId" Id="ZZ" Mailbox="${ALEX}"/></m:SourceIds></m:ConvertId>`)).body, 'ErrorInvalidIdMalformed');

    const name = `<t:UserConfigurationName Name="Dovetail.Org"><t:DistinguishedFolderId Id="root"/></t:UserConfigurationName>`;
    code((await f.call('GetUserConfiguration missing', `<m:GetUserConfiguration>${name}<m:UserConfigurationProperties>All</m:UserConfigurationProperties></m:GetUserConfiguration>`)).body, 'ErrorItemNotFound');
    ok((await f.call('CreateUserConfiguration', `<m:CreateUserConfiguration><m:UserConfiguration>${name}<t:Dictionary><t:DictionaryEntry><t:DictionaryKey><t:Type>String</t:Type><t:Value>OrgId</t:Value></t:DictionaryKey><t:DictionaryValue><t:Type>String</t:Type><t:Value>org-42</t:Value></t:DictionaryValue></t:DictionaryEntry></t:Dictionary></m:UserConfiguration></m:CreateUserConfiguration>`)).body);
    code((await f.call('CreateUserConfiguration exists', `<m:CreateUserConfiguration><m:UserConfiguration>${name}</m:UserConfiguration></m:CreateUserConfiguration>`)).body, 'ErrorItemSave');
    ok((await f.call('UpdateUserConfiguration', `<m:UpdateUserConfiguration><m:UserConfiguration>${name}<t:XmlData>PHg+MTwveD4=</t:XmlData></m:UserConfiguration></m:UpdateUserConfiguration>`)).body);
    const conf = await f.call('GetUserConfiguration', `<m:GetUserConfiguration>${name}<m:UserConfigurationProperties>All</m:UserConfigurationProperties></m:GetUserConfiguration>`);
    assert.match(conf.body, /<t:Value>org-42<\/t:Value>/);
    assert.match(conf.body, /<t:XmlData>PHg\+MTwveD4=<\/t:XmlData>/);
    ok((await f.call('DeleteUserConfiguration', `<m:DeleteUserConfiguration>${name}</m:DeleteUserConfiguration>`)).body);
  });

  it('pull notifications: Subscribe, GetEvents, Unsubscribe', async () => {
    const sub = await f.call('Subscribe pull', `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType><t:EventType>MovedEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`, { impersonate: MEGAN });
    ok(sub.body);
    const id = grab(sub.body, /<m:SubscriptionId>([^<]+)</);
    let watermark = grab(sub.body, /<m:Watermark>([^<]+)</);
    const none = await f.call('GetEvents status', `<m:GetEvents><m:SubscriptionId>${id}</m:SubscriptionId><m:Watermark>${watermark}</m:Watermark></m:GetEvents>`, { impersonate: MEGAN });
    assert.match(none.body, /<t:StatusEvent>/);
    const [d] = f.lab.api.deliverEmail({ to: [MEGAN], from: { address: 'evt@outside.example' }, subject: 'Event', body: 'x' });
    f.lab.api.moveItem(MEGAN, d!.itemId, 'deleteditems');
    const events = await f.call('GetEvents events', `<m:GetEvents><m:SubscriptionId>${id}</m:SubscriptionId><m:Watermark>${watermark}</m:Watermark></m:GetEvents>`, { impersonate: MEGAN });
    assert.match(events.body, /<t:CreatedEvent>.*<t:NewMailEvent>.*<t:MovedEvent>.*<t:OldItemId/);
    watermark = grab(events.body, /.*<t:Watermark>([^<]+)</s);
    const later = await f.call('GetEvents after ack', `<m:GetEvents><m:SubscriptionId>${id}</m:SubscriptionId><m:Watermark>${watermark}</m:Watermark></m:GetEvents>`, { impersonate: MEGAN });
    assert.match(later.body, /<t:StatusEvent>/);
    code((await f.call('GetEvents other principal', `<m:GetEvents><m:SubscriptionId>${id}</m:SubscriptionId><m:Watermark>${watermark}</m:Watermark></m:GetEvents>`, { impersonate: MEGAN, auth: `Basic ${Buffer.from('meganb:Lab-Megan-2026!').toString('base64')}` })).body, 'ErrorSubscriptionAccessDenied');
    ok((await f.call('Unsubscribe', `<m:Unsubscribe><m:SubscriptionId>${id}</m:SubscriptionId></m:Unsubscribe>`, { impersonate: MEGAN })).body);
    code((await f.call('Unsubscribe again', `<m:Unsubscribe><m:SubscriptionId>${id}</m:SubscriptionId></m:Unsubscribe>`, { impersonate: MEGAN })).body, 'ErrorSubscriptionNotFound');
    code((await f.call('GetEvents unknown', `<m:GetEvents><m:SubscriptionId>${id}</m:SubscriptionId><m:Watermark>${watermark}</m:Watermark></m:GetEvents>`, { impersonate: MEGAN })).body, 'ErrorSubscriptionNotFound');
  });

  it('request-level faults: schema, version, impersonation', async () => {
    const { post, basic } = await import('./support/ews-http.ts');
    const auth = basic('svc-dovetail', 'Lab-Service-2026!');
    for (const [name, xml] of [
      ['DOCTYPE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>'],
      ['malformed request', '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'],
    ] as const) {
      const r = await post(f.lab.ewsUrl, f.agent, xml, auth);
      assert.equal(r.status, 500, name);
      assert.match(r.body, /a:ErrorSchemaValidation<\/faultcode>/);
      f.replies.push({ name, xml: r.body });
    }
    const versions = await f.call('Unknown version', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { version: 'Exchange2099' });
    assert.equal(versions.status, 500);
    assert.match(versions.body, /a:ErrorInvalidServerVersion/);
    const unknown = await f.call('Impersonate unknown', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: 'nobody@contoso.lab' });
    assert.equal(unknown.status, 500);
    assert.match(unknown.body, /<faultcode xmlns:a="[^"]+">a:ErrorNonExistentMailbox<\/faultcode>/);
    assert.match(unknown.body, /<t:Value Name="SmtpAddress">nobody@contoso.lab<\/t:Value>/);
    const denied = await f.call('Impersonate denied', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: MEGAN, auth: `Basic ${Buffer.from('svc-limited:Lab-Limited-2026!').toString('base64')}` });
    assert.equal(denied.status, 500);
    assert.match(denied.body, /a:ErrorImpersonateUserDenied/);
    assert.match(denied.body, /The account does not have permission to impersonate the requested user\./);
    const allowed = await f.call('Impersonate in scope', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: ALEX, auth: `Basic ${Buffer.from('svc-limited:Lab-Limited-2026!').toString('base64')}` });
    ok(allowed.body);
  });

  it('plays an older build: ServerVersionInfo says so, newer request versions are refused', async () => {
    const { startLab } = await import('../../src/lab/lab.ts');
    const { EXCHANGE_BUILDS } = await import('../../src/lab/lab-state.ts');
    const { post, basic, soap, labAgent } = await import('./support/ews-http.ts');
    const old = await startLab({ build: EXCHANGE_BUILDS.exchange2013 });
    const agent = labAgent(old.caCertPem);
    const body = `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`;
    const auth = basic('svc-dovetail', 'Lab-Service-2026!');
    const tooNew = await post(old.ewsUrl, agent, soap(body, { impersonate: ALEX, version: 'Exchange2016' }), auth);
    assert.equal(tooNew.status, 500);
    assert.match(tooNew.body, /a:ErrorInvalidServerVersion/);
    const fine = await post(old.ewsUrl, agent, soap(body, { impersonate: ALEX, version: 'Exchange2013_SP1' }), auth);
    assert.match(fine.body, /MajorVersion="15" MinorVersion="0" MajorBuildNumber="1497" MinorBuildNumber="2" Version="Exchange2013_SP1"/);
    f.replies.push({ name: 'old build fault', xml: tooNew.body }, { name: 'old build', xml: fine.body });
    await agent.close();
    await old.close();
  });

  it('answers every operation it lists, and every answer validates against messages.xsd/types.xsd', { skip: conformanceSkip() }, async () => {
    const seen = new Set(f.replies.map((r) => /<m:(\w+)Response /.exec(r.xml)?.[1]).filter(Boolean));
    for (const op of Object.keys(OPERATIONS)) assert.ok(seen.has(op), `no reply for ${op}`);
    const results = await validateEnvelopes(f.replies);
    assert.deepEqual(results.filter((r) => !r.valid), []);
    assert.ok(results.length > 60);
  });
});
