/**
 * The EWS MailboxDriver against a scripted Exchange: what it sends (every request validated against
 * Microsoft's XSDs) and what it makes of the answers.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSkip } from '../support/env.ts';
import { AppError } from '../../src/errors.ts';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import type { AppointmentData, ContactData, RemoteFolderId, RemoteItemId, RemoteVersion, SyncCursor, TaskData } from '../../src/exchange/driver.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { FakeExchange, fail, ok, responseOf } from './ews-fake-server.ts';
import { validateEnvelopes } from './ews-xsd.ts';

const MAILBOX = 'sadie@contoso.com';
const allRequests: Array<{ name: string; xml: string }> = [];

function driver(fx: FakeExchange): EwsDriver {
  fx.install();
  return new EwsDriver({ transport: fx.transport, url: 'https://mail.contoso.com/EWS/Exchange.asmx', clock: fixedClock(1_700_000_000_000), random: seededRandom(3), maxConcurrent: 2, timeoutMs: 5000, sleep: async () => undefined });
}

function keep(fx: FakeExchange, label: string): void {
  fx.calls.forEach((c, i) => allRequests.push({ name: `${label}-${i}-${c.operation}`, xml: c.body }));
}

const stampXml = (org: string, act?: string): string =>
  `<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="c7a1e2b4-5d3f-4e8a-9b61-0f2d8c4a7e19" PropertyName="DovetailOrgId" PropertyType="String"/><t:Value>${org}</t:Value></t:ExtendedProperty>` +
  (act === undefined ? '' : `<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="C7A1E2B4-5D3F-4E8A-9B61-0F2D8C4A7E19" PropertyName="DovetailActivityId" PropertyType="String"/><t:Value>${act}</t:Value></t:ExtendedProperty>`);

const fullMessageXml = `<t:Message><t:ItemId Id="M1" ChangeKey="CK1"/><t:ParentFolderId Id="INBOX"/><t:ItemClass>IPM.Note</t:ItemClass><t:Subject>Re: Quote &amp; terms</t:Subject>
<t:Body BodyType="HTML">&lt;p&gt;Hi&lt;/p&gt;</t:Body><t:Attachments><t:FileAttachment><t:AttachmentId Id="AT1"/><t:Name>quote.pdf</t:Name><t:ContentType>application/pdf</t:ContentType><t:Size>1234</t:Size><t:IsInline>false</t:IsInline></t:FileAttachment></t:Attachments>
<t:DateTimeReceived>2026-03-01T10:00:00Z</t:DateTimeReceived><t:Categories><t:String>Red</t:String></t:Categories><t:Importance>High</t:Importance><t:InReplyTo>&lt;a@contoso.com&gt;</t:InReplyTo><t:IsDraft>false</t:IsDraft>
<t:DateTimeSent>2026-03-01T09:59:00Z</t:DateTimeSent>${stampXml('org-1', 'act-9')}<t:ConversationId Id="CONV1"/>
<t:Sender><t:Mailbox><t:Name>Alfred</t:Name><t:EmailAddress>alfred@fabrikam.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Sender>
<t:ToRecipients><t:Mailbox><t:Name>Sadie</t:Name><t:EmailAddress>sadie@contoso.com</t:EmailAddress></t:Mailbox></t:ToRecipients><t:CcRecipients><t:Mailbox><t:EmailAddress>cc@contoso.com</t:EmailAddress></t:Mailbox></t:CcRecipients>
<t:ConversationIndex>AQHSR1w=</t:ConversationIndex><t:From><t:Mailbox><t:Name>Alfred</t:Name><t:EmailAddress>alfred@fabrikam.com</t:EmailAddress></t:Mailbox></t:From><t:InternetMessageId>&lt;b@fabrikam.com&gt;</t:InternetMessageId>
<t:IsRead>true</t:IsRead><t:References>&lt;root@contoso.com&gt; &lt;a@contoso.com&gt;</t:References></t:Message>`;

describe('EWS MailboxDriver', { skip: conformanceSkip() }, () => {
  after(async () => {
    // Every request the driver built in this suite, validated against Microsoft's schema.
    const errors = await validateEnvelopes(allRequests);
    assert.ok(allRequests.length > 20);
    assert.deepEqual([...errors].filter(([, e]) => e.length > 0), []);
  });

  it('syncMessages: SyncFolderItems with the cursor, changes mapped, more when the range is not complete', async () => {
    const fx = new FakeExchange().on('SyncFolderItems', () =>
      responseOf('SyncFolderItems', [
        ok(
          'SyncFolderItems',
          '<m:SyncState>S2</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>' +
            '<t:Create><t:Message><t:ItemId Id="A" ChangeKey="a1"/></t:Message></t:Create><t:Update><t:MeetingRequest><t:ItemId Id="B" ChangeKey="b2"/></t:MeetingRequest></t:Update>' +
            '<t:Delete><t:ItemId Id="C"/></t:Delete><t:ReadFlagChange><t:ItemId Id="D"/><t:IsRead>true</t:IsRead></t:ReadFlagChange></m:Changes>',
        ),
      ]),
    );
    const d = driver(fx);
    const page = await d.syncMessages(MAILBOX, 'INBOX' as RemoteFolderId, 'S1' as SyncCursor, 1000);
    assert.deepEqual(page, {
      changes: [
        { type: 'upsert', id: 'A', version: 'a1' },
        { type: 'upsert', id: 'B', version: 'b2' },
        { type: 'removed', id: 'C' },
        { type: 'read-flag', id: 'D', isRead: true },
      ],
      nextCursor: 'S2',
      more: true,
    });
    assert.match(fx.calls[0]!.body, /<m:SyncState>S1<\/m:SyncState><m:MaxChangesReturned>512<\/m:MaxChangesReturned>/);
    keep(fx, 'sync');
  });

  it('syncMessages: a cursor the server forgot is cursor-invalid', async () => {
    const fx = new FakeExchange().on('SyncFolderItems', () => responseOf('SyncFolderItems', [fail('SyncFolderItems', 'ErrorInvalidSyncStateData')]));
    await assert.rejects(driver(fx).syncMessages(MAILBOX, 'INBOX' as RemoteFolderId, 'bad' as SyncCursor, 10), (e: unknown) => e instanceof AppError && e.kind === 'cursor-invalid');
  });

  it('getMessages: every field the tracker needs, per-item errors in input order', async () => {
    const fx = new FakeExchange().on('GetItem', () =>
      responseOf('GetItem', [ok('GetItem', `<m:Items>${fullMessageXml}</m:Items>`), fail('GetItem', 'ErrorItemNotFound', 'The specified object was not found in the store.')]),
    );
    const d = driver(fx);
    const [m, missing] = await d.getMessages(MAILBOX, ['M1', 'GONE'] as RemoteItemId[]);
    assert.ok(m?.ok);
    assert.deepEqual(m.value, {
      id: 'M1', version: 'CK1', folderId: 'INBOX', internetMessageId: '<b@fabrikam.com>', inReplyTo: '<a@contoso.com>', references: ['<root@contoso.com>', '<a@contoso.com>'],
      conversationId: 'CONV1', conversationIndex: 'AQHSR1w=', subject: 'Re: Quote & terms', from: { address: 'alfred@fabrikam.com', name: 'Alfred' }, sender: { address: 'alfred@fabrikam.com', name: 'Alfred' },
      to: [{ address: 'sadie@contoso.com', name: 'Sadie' }], cc: [{ address: 'cc@contoso.com' }], bcc: [], replyTo: [], receivedAt: new Date('2026-03-01T10:00:00Z'), sentAt: new Date('2026-03-01T09:59:00Z'),
      body: { type: 'html', content: '<p>Hi</p>' }, attachments: [{ id: 'AT1', name: 'quote.pdf', contentType: 'application/pdf', size: 1234, isInline: false }], categories: ['Red'],
      isDraft: false, isRead: true, importance: 'high', stamp: { orgId: 'org-1', activityId: 'act-9' }, itemClass: 'IPM.Note',
    });
    assert.ok(missing && !missing.ok && missing.error.kind === 'not-found');
    for (const uri of ['message:InternetMessageId', 'item:InReplyTo', 'message:References', 'item:ConversationId', 'message:ConversationIndex']) assert.ok(fx.calls[0]!.body.includes(`FieldURI="${uri}"`), uri);
    keep(fx, 'get-messages');
  });

  it('getAttachments: file content decoded, attached messages as MIME', async () => {
    const fx = new FakeExchange().on('GetAttachment', () =>
      responseOf('GetAttachment', [
        ok('GetAttachment', '<m:Attachments><t:FileAttachment><t:AttachmentId Id="AT1"/><t:Name>a.txt</t:Name><t:ContentType>text/plain</t:ContentType><t:Size>5</t:Size><t:Content>aGVsbG8=</t:Content></t:FileAttachment></m:Attachments>'),
        ok('GetAttachment', '<m:Attachments><t:ItemAttachment><t:AttachmentId Id="AT2"/><t:Name>fwd</t:Name><t:Message><t:MimeContent CharacterSet="UTF-8">U3ViamVjdDogeA==</t:MimeContent></t:Message></t:ItemAttachment></m:Attachments>'),
      ]),
    );
    const r = await driver(fx).getAttachments(MAILBOX, 'M1' as RemoteItemId, ['AT1', 'AT2']);
    assert.deepEqual(r.map((x) => (x.ok ? [x.value.name, x.value.contentType, x.value.content.toString()] : x.error.code)), [['a.txt', 'text/plain', 'hello'], ['fwd', 'message/rfc822', 'Subject: x']]);
    keep(fx, 'attachments');
  });

  it('sendMessage: draft with our Message-ID and stamp, then SendItem to Sent Items, then the copy is found', async () => {
    const fx = new FakeExchange()
      .on('CreateItem', () => responseOf('CreateItem', [ok('CreateItem', '<m:Items><t:Message><t:ItemId Id="DRAFT" ChangeKey="d1"/></t:Message></m:Items>')]))
      .on('SendItem', () => responseOf('SendItem', [ok('SendItem')]))
      .on('FindItem', () => responseOf('FindItem', [ok('FindItem', '<m:RootFolder TotalItemsInView="1" IncludesLastItemInRange="true"><t:Items><t:Message><t:ItemId Id="SENT1" ChangeKey="s1"/></t:Message></t:Items></m:RootFolder>')]));
    const d = driver(fx);
    const sent = await d.sendMessage(MAILBOX, {
      internetMessageId: '<dovetail.42@contoso.com>', from: { address: MAILBOX, name: 'Sadie' }, to: [{ address: 'alfred@fabrikam.com' }], cc: [], bcc: [{ address: 'audit@contoso.com' }],
      subject: 'Quote\u0007 #42', body: { type: 'html', content: '<p>See attached</p>' }, attachments: [{ name: 'q.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF') }],
      inReplyTo: '<b@fabrikam.com>', references: ['<root@contoso.com>', '<b@fabrikam.com>'], importance: 'normal', stamp: { orgId: 'org-1', activityId: 'act-42' },
    });
    assert.deepEqual(sent, { internetMessageId: '<dovetail.42@contoso.com>', id: 'SENT1' });
    assert.deepEqual(fx.calls.map((c) => c.operation), ['CreateItem', 'SendItem', 'FindItem']);
    const [create, send, find] = fx.calls.map((c) => c.body);
    assert.match(create!, /<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId><t:DistinguishedFolderId Id="drafts"\/>/);
    assert.match(create!, /<t:InternetMessageId>&lt;dovetail.42@contoso.com&gt;<\/t:InternetMessageId>/);
    assert.match(create!, /PropertyName="DovetailActivityId" PropertyType="String"\/><t:Value>act-42<\/t:Value>/);
    assert.match(create!, /<t:Subject>Quote #42<\/t:Subject>/, 'a control character in free text is stripped');
    assert.match(create!, /<t:Content>JVBERg==<\/t:Content>/);
    assert.match(send!, /<m:SendItem SaveItemToFolder="true"><m:ItemIds><t:ItemId Id="DRAFT" ChangeKey="d1"\/><\/m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"\/>/);
    assert.match(find!, /<t:DistinguishedFolderId Id="sentitems"\/>/);
    assert.match(find!, /<t:Constant Value="&lt;dovetail.42@contoso.com&gt;"\/>/);
    keep(fx, 'send');
  });

  it('sendMessage: a refused send surfaces the Exchange error', async () => {
    const fx = new FakeExchange()
      .on('CreateItem', () => responseOf('CreateItem', [ok('CreateItem', '<m:Items><t:Message><t:ItemId Id="DRAFT" ChangeKey="d1"/></t:Message></m:Items>')]))
      .on('SendItem', () => responseOf('SendItem', [fail('SendItem', 'ErrorSendAsDenied')]));
    const d = driver(fx);
    await assert.rejects(
      d.sendMessage(MAILBOX, { internetMessageId: '<x@y>', from: { address: MAILBOX }, to: [{ address: 'a@b' }], cc: [], bcc: [], subject: 's', body: { type: 'text', content: '' }, attachments: [], stamp: { orgId: 'o' } }),
      (e: unknown) => e instanceof AppError && e.providerCode === 'ErrorSendAsDenied' && e.kind === 'permanent',
    );
  });

  it('addCategories keeps existing ones; setStamp writes the named properties; one result per id in order', async () => {
    const fx = new FakeExchange()
      .on('GetItem', () =>
        responseOf('GetItem', [
          ok('GetItem', '<m:Items><t:Message><t:ItemId Id="A" ChangeKey="a1"/><t:Categories><t:String>Red</t:String></t:Categories></t:Message></m:Items>'),
          fail('GetItem', 'ErrorItemNotFound'),
          ok('GetItem', '<m:Items><t:CalendarItem><t:ItemId Id="C" ChangeKey="c1"/></t:CalendarItem></m:Items>'),
        ]),
      )
      .on('UpdateItem', () =>
        responseOf('UpdateItem', [
          ok('UpdateItem', '<m:Items><t:Message><t:ItemId Id="A" ChangeKey="a2"/></t:Message></m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>'),
          fail('UpdateItem', 'ErrorAccessDenied'),
        ]),
      );
    const d = driver(fx);
    const r = await d.addCategories(MAILBOX, ['A', 'B', 'C'] as RemoteItemId[], ['Tracked to Dynamics 365', 'Red']);
    assert.deepEqual(r.map((x) => (x.ok ? x.value : x.error.providerCode)), ['a2', 'ErrorItemNotFound', 'ErrorAccessDenied']);
    const update = fx.calls[1]!.body;
    assert.match(update, /<t:ItemId Id="A" ChangeKey="a1"\/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Categories"\/><t:Message><t:Categories><t:String>Red<\/t:String><t:String>Tracked to Dynamics 365<\/t:String><\/t:Categories><\/t:Message>/);
    assert.match(update, /<t:ItemId Id="C" ChangeKey="c1"\/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Categories"\/><t:CalendarItem>/);
    keep(fx, 'categories');

    const fx2 = new FakeExchange()
      .on('GetItem', () => responseOf('GetItem', [ok('GetItem', '<m:Items><t:Message><t:ItemId Id="A" ChangeKey="a1"/></t:Message></m:Items>')]))
      .on('UpdateItem', () => responseOf('UpdateItem', [ok('UpdateItem', '<m:Items><t:Message><t:ItemId Id="A" ChangeKey="a3"/></t:Message></m:Items>')]));
    const s = await driver(fx2).setStamp(MAILBOX, ['A'] as RemoteItemId[], { orgId: 'org-1' });
    assert.deepEqual(s, [{ ok: true, value: 'a3' }]);
    assert.match(fx2.calls[1]!.body, /PropertyName="DovetailOrgId" PropertyType="String"\/><t:Message><t:ExtendedProperty>/);
    assert.match(fx2.calls[1]!.body, /<t:DeleteItemField><t:ExtendedFieldURI PropertySetId="[^"]+" PropertyName="DovetailActivityId"/);
    keep(fx2, 'stamp');
  });

  it('moveMessages returns the new ids', async () => {
    const fx = new FakeExchange().on('MoveItem', () =>
      responseOf('MoveItem', [ok('MoveItem', '<m:Items><t:Message><t:ItemId Id="A2" ChangeKey="x"/></t:Message></m:Items>'), fail('MoveItem', 'ErrorItemNotFound')]),
    );
    const r = await driver(fx).moveMessages(MAILBOX, ['A', 'B'] as RemoteItemId[], 'UNDELIVERABLE' as RemoteFolderId);
    assert.deepEqual(r.map((x) => (x.ok ? x.value : x.error.kind)), ['A2', 'not-found']);
    keep(fx, 'move');
  });

  it('org stamp: absent reads as null; set updates, or creates when there is none', async () => {
    const fx = new FakeExchange()
      .on('GetUserConfiguration', () => responseOf('GetUserConfiguration', [fail('GetUserConfiguration', 'ErrorItemNotFound')]))
      .on('UpdateUserConfiguration', () => responseOf('UpdateUserConfiguration', [fail('UpdateUserConfiguration', 'ErrorItemNotFound')]))
      .on('CreateUserConfiguration', () => responseOf('CreateUserConfiguration', [ok('CreateUserConfiguration')]));
    const d = driver(fx);
    assert.equal(await d.getOrgStamp(MAILBOX), null);
    await d.setOrgStamp(MAILBOX, 'org-7');
    assert.deepEqual(fx.calls.map((c) => c.operation), ['GetUserConfiguration', 'UpdateUserConfiguration', 'CreateUserConfiguration']);
    assert.match(fx.calls[2]!.body, /<t:UserConfigurationName Name="Dovetail.OrgStamp"><t:DistinguishedFolderId Id="root"\/><\/t:UserConfigurationName><t:Dictionary><t:DictionaryEntry><t:DictionaryKey><t:Type>String<\/t:Type><t:Value>OrgId<\/t:Value><\/t:DictionaryKey><t:DictionaryValue><t:Type>String<\/t:Type><t:Value>org-7<\/t:Value>/);
    keep(fx, 'org-stamp');
    const fx2 = new FakeExchange().on('GetUserConfiguration', () =>
      responseOf('GetUserConfiguration', [
        ok('GetUserConfiguration', '<m:UserConfiguration><t:UserConfigurationName Name="Dovetail.OrgStamp"/><t:Dictionary><t:DictionaryEntry><t:DictionaryKey><t:Type>String</t:Type><t:Value>OrgId</t:Value></t:DictionaryKey><t:DictionaryValue><t:Type>String</t:Type><t:Value>org-7</t:Value></t:DictionaryValue></t:DictionaryEntry></t:Dictionary></m:UserConfiguration>'),
      ]),
    );
    assert.equal(await driver(fx2).getOrgStamp(MAILBOX), 'org-7');
  });

  const appointment: AppointmentData = {
    subject: 'Review', body: { type: 'text', content: 'Agenda' }, location: 'Room 2',
    start: { dateTime: '2026-07-01T09:00:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2026-07-01T10:30:00', timeZone: 'Europe/Berlin' },
    isAllDay: false, attendees: [{ address: 'alfred@fabrikam.com', name: 'Alfred', type: 'required' }, { address: 'room2@contoso.com', type: 'resource' }],
    showAs: 'busy', isCancelled: false, reminderMinutesBeforeStart: 15, isReminderOn: true,
    recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['wednesday'], firstDayOfWeek: 'monday' }, range: { type: 'numbered', startDate: '2026-07-01', numberOfOccurrences: 5 }, timeZone: 'Europe/Berlin' },
    categories: ['Blue'],
  };
  const calendarXml = (ck: string): string =>
    `<t:CalendarItem><t:ItemId Id="CAL1" ChangeKey="${ck}"/><t:Subject>Review</t:Subject><t:Body BodyType="Text">Agenda</t:Body><t:Categories><t:String>Blue</t:String></t:Categories><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>15</t:ReminderMinutesBeforeStart>${stampXml('org-1', 'act-1')}<t:LastModifiedTime>2026-06-01T08:00:00Z</t:LastModifiedTime>` +
    `<t:UID>040000008200E00074C5B7101A82E008</t:UID><t:Start>2026-07-01T07:00:00Z</t:Start><t:End>2026-07-01T08:30:00Z</t:End><t:IsAllDayEvent>false</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus><t:Location>Room 2</t:Location><t:IsCancelled>false</t:IsCancelled>` +
    `<t:Organizer><t:Mailbox><t:Name>Sadie</t:Name><t:EmailAddress>sadie@contoso.com</t:EmailAddress></t:Mailbox></t:Organizer><t:RequiredAttendees><t:Attendee><t:Mailbox><t:Name>Alfred</t:Name><t:EmailAddress>alfred@fabrikam.com</t:EmailAddress></t:Mailbox><t:ResponseType>Accept</t:ResponseType></t:Attendee></t:RequiredAttendees>` +
    `<t:Resources><t:Attendee><t:Mailbox><t:EmailAddress>room2@contoso.com</t:EmailAddress></t:Mailbox><t:ResponseType>Unknown</t:ResponseType></t:Attendee></t:Resources>` +
    `<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Wednesday</t:DaysOfWeek><t:FirstDayOfWeek>Monday</t:FirstDayOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-07-01+02:00</t:StartDate><t:NumberOfOccurrences>5</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence>` +
    `<t:StartTimeZone Id="W. Europe Standard Time" Name="(UTC+01:00) Amsterdam, Berlin"/><t:EndTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`;

  it('createItem appointment: UTC instants from the zone, Windows time zone ids, stamp, invitations; read back as sent', async () => {
    const fx = new FakeExchange()
      .on('CreateItem', () => responseOf('CreateItem', [ok('CreateItem', '<m:Items><t:CalendarItem><t:ItemId Id="CAL1" ChangeKey="k1"/></t:CalendarItem></m:Items>')]))
      .on('GetItem', () => responseOf('GetItem', [ok('GetItem', `<m:Items>${calendarXml('k1')}</m:Items>`)]));
    const d = driver(fx);
    const item = await d.createItem(MAILBOX, 'appointment', appointment, { orgId: 'org-1', activityId: 'act-1' }, { sendInvitations: true });
    const create = fx.calls[0]!.body;
    assert.match(create, /<m:CreateItem SendMeetingInvitations="SendToAllAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"\/>/);
    assert.match(create, /<t:Start>2026-07-01T07:00:00Z<\/t:Start><t:End>2026-07-01T08:30:00Z<\/t:End>/);
    assert.match(create, /<t:StartTimeZone Id="W. Europe Standard Time"\/><t:EndTimeZone Id="W. Europe Standard Time"\/>/);
    assert.equal(item.id, 'CAL1');
    assert.equal(item.version, 'k1');
    assert.deepEqual(item.stamp, { orgId: 'org-1', activityId: 'act-1' });
    assert.deepEqual(item.lastModifiedAt, new Date('2026-06-01T08:00:00Z'));
    assert.deepEqual(item.data, {
      ...appointment,
      organizer: { address: 'sadie@contoso.com', name: 'Sadie' },
      attendees: [{ address: 'alfred@fabrikam.com', name: 'Alfred', type: 'required', response: 'accepted' }, { address: 'room2@contoso.com', type: 'resource', response: 'none' }],
      iCalUid: '040000008200E00074C5B7101A82E008',
    });
    keep(fx, 'create-appointment');
  });

  it('updateItem is conditional on the ChangeKey: a stale one is a conflict', async () => {
    const fx = new FakeExchange()
      .on('UpdateItem', () => responseOf('UpdateItem', [ok('UpdateItem', '<m:Items><t:CalendarItem><t:ItemId Id="CAL1" ChangeKey="k2"/></t:CalendarItem></m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>')]), () =>
        responseOf('UpdateItem', [fail('UpdateItem', 'ErrorIrresolvableConflict', 'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.')]),
      )
      .on('GetItem', () => responseOf('GetItem', [ok('GetItem', `<m:Items>${calendarXml('k2')}</m:Items>`)]));
    const d = driver(fx);
    const { recurrence: _dropped, ...single } = appointment;
    const updated = await d.updateItem(MAILBOX, 'appointment', 'CAL1' as RemoteItemId, 'k1' as RemoteVersion, { ...single, attendees: [] }, { sendInvitations: false });
    assert.equal(updated.version, 'k2');
    const body = fx.calls[0]!.body;
    assert.match(body, /<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="CAL1" ChangeKey="k1"\/>/);
    assert.match(body, /<t:DeleteItemField><t:FieldURI FieldURI="calendar:RequiredAttendees"\/><\/t:DeleteItemField>/);
    assert.match(body, /<t:DeleteItemField><t:FieldURI FieldURI="calendar:Recurrence"\/><\/t:DeleteItemField>/);
    assert.match(body, /<t:SetItemField><t:FieldURI FieldURI="calendar:Location"\/><t:CalendarItem><t:Location>Room 2<\/t:Location><\/t:CalendarItem><\/t:SetItemField>/);
    await assert.rejects(d.updateItem(MAILBOX, 'appointment', 'CAL1' as RemoteItemId, 'k1' as RemoteVersion, appointment), (e: unknown) => e instanceof AppError && e.kind === 'conflict' && e.providerCode === 'ErrorIrresolvableConflict');
    keep(fx, 'update-appointment');
  });

  it('contacts and tasks: created, updated entry by entry, deleted (already gone is success)', async () => {
    const contact: ContactData = {
      givenName: 'Tanja', surname: 'Plate', displayName: 'Tanja Plate', emailAddresses: [{ address: 'tplate@example.com' }], businessPhones: ['5625550199'], homePhones: [], mobilePhone: '5625550100',
      businessAddress: { street: '12345 67th Ave', city: 'Whittier', state: 'CA', countryOrRegion: 'USA' }, companyName: 'Northwind Traders', jobTitle: 'Project Manager', categories: [],
    };
    const task: TaskData = { subject: 'Call back', body: { type: 'text', content: '' }, dueDate: '2026-03-04', status: 'inProgress', importance: 'high', percentComplete: 50, categories: [] };
    const contactXml = `<t:Contact><t:ItemId Id="CT1" ChangeKey="c1"/><t:LastModifiedTime>2026-01-01T00:00:00Z</t:LastModifiedTime><t:DisplayName>Tanja Plate</t:DisplayName><t:GivenName>Tanja</t:GivenName><t:CompanyName>Northwind Traders</t:CompanyName><t:EmailAddresses><t:Entry Key="EmailAddress1">tplate@example.com</t:Entry></t:EmailAddresses><t:PhysicalAddresses><t:Entry Key="Business"><t:Street>12345 67th Ave</t:Street><t:City>Whittier</t:City><t:State>CA</t:State><t:CountryOrRegion>USA</t:CountryOrRegion></t:Entry></t:PhysicalAddresses><t:PhoneNumbers><t:Entry Key="BusinessPhone">5625550199</t:Entry><t:Entry Key="MobilePhone">5625550100</t:Entry><t:Entry Key="HomePhone"/></t:PhoneNumbers><t:JobTitle>Project Manager</t:JobTitle><t:Surname>Plate</t:Surname></t:Contact>`;
    const taskXml = `<t:Task><t:ItemId Id="TK1" ChangeKey="t1"/><t:Subject>Call back</t:Subject><t:Body BodyType="Text"/><t:Importance>High</t:Importance><t:DueDate>2026-03-04T00:00:00Z</t:DueDate><t:PercentComplete>50</t:PercentComplete><t:Status>InProgress</t:Status></t:Task>`;
    const fx = new FakeExchange()
      .on('CreateItem', () => responseOf('CreateItem', [ok('CreateItem', '<m:Items><t:Contact><t:ItemId Id="CT1" ChangeKey="c1"/></t:Contact></m:Items>')]), () => responseOf('CreateItem', [ok('CreateItem', '<m:Items><t:Task><t:ItemId Id="TK1" ChangeKey="t1"/></t:Task></m:Items>')]))
      .on(
        'GetItem',
        () => responseOf('GetItem', [ok('GetItem', `<m:Items>${contactXml}</m:Items>`)]),
        () => responseOf('GetItem', [ok('GetItem', `<m:Items>${taskXml}</m:Items>`)]),
        () => responseOf('GetItem', [ok('GetItem', `<m:Items>${contactXml}</m:Items>`)]),
        () => responseOf('GetItem', [ok('GetItem', `<m:Items>${taskXml}</m:Items>`)]),
      )
      .on('UpdateItem', () => responseOf('UpdateItem', [ok('UpdateItem', '<m:Items><t:Contact><t:ItemId Id="CT1" ChangeKey="c2"/></t:Contact></m:Items>')]))
      .on('DeleteItem', () => responseOf('DeleteItem', [fail('DeleteItem', 'ErrorItemNotFound')]), () => responseOf('DeleteItem', [ok('DeleteItem')]));
    const d = driver(fx);
    const c = await d.createItem(MAILBOX, 'contact', contact, { orgId: 'org-1' });
    assert.deepEqual(c.data, contact, 'contact round trip');
    const t = await d.createItem(MAILBOX, 'task', task, { orgId: 'org-1' });
    assert.deepEqual(t.data, task);
    await d.updateItem(MAILBOX, 'contact', 'CT1' as RemoteItemId, 'c1' as RemoteVersion, { ...contact, emailAddresses: [{ address: 'tanja@northwind.example' }], businessAddress: { city: 'Whittier' } });
    const update = fx.calls.find((x) => x.operation === 'UpdateItem')!.body;
    assert.match(update, /<t:SetItemField><t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress1"\/><t:Contact><t:EmailAddresses><t:Entry Key="EmailAddress1">tanja@northwind.example<\/t:Entry><\/t:EmailAddresses><\/t:Contact><\/t:SetItemField>/);
    assert.match(update, /<t:DeleteItemField><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:Street" FieldIndex="Business"\/><\/t:DeleteItemField>/);
    await d.deleteItem(MAILBOX, 'task', 'TK1' as RemoteItemId, 't1' as RemoteVersion);
    await d.deleteItem(MAILBOX, 'appointment', 'CAL1' as RemoteItemId, undefined, { sendCancellations: true });
    // DeleteItem ignores ChangeKeys, so a conditional delete compares the current one first.
    await assert.rejects(d.deleteItem(MAILBOX, 'task', 'TK1' as RemoteItemId, 't0' as RemoteVersion), (e: unknown) => e instanceof AppError && e.kind === 'conflict');
    assert.equal(fx.calls.filter((x) => x.operation === 'DeleteItem').length, 2, 'no delete after a stale version');
    const deletes = fx.calls.filter((x) => x.operation === 'DeleteItem').map((x) => x.body);
    assert.match(deletes[0]!, /<m:DeleteItem DeleteType="MoveToDeletedItems" AffectedTaskOccurrences="AllOccurrences"><m:ItemIds><t:ItemId Id="TK1" ChangeKey="t1"\/>/);
    assert.match(deletes[1]!, /SendMeetingCancellations="SendToAllAndSaveCopy"/);
    keep(fx, 'contacts-tasks');
  });

  it('testConnection names the failing step and its remedy, never throws', async () => {
    const fx = new FakeExchange().on('GetFolder', () => responseOf('GetFolder', [fail('GetFolder', 'ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.')]));
    const checks = await driver(fx).testConnection(MAILBOX);
    assert.equal(checks.length, 1);
    assert.equal(checks[0]?.step, 'impersonation');
    assert.equal(checks[0]?.ok, false);
    assert.match(checks[0]?.remedy ?? '', /ApplicationImpersonation/);
    const okFolder = ok('GetFolder', '<m:Folders><t:Folder><t:FolderId Id="F"/><t:DisplayName>x</t:DisplayName></t:Folder></m:Folders>');
    const fx2 = new FakeExchange().on('GetFolder', () => responseOf('GetFolder', [okFolder]), () => responseOf('GetFolder', [okFolder, okFolder, okFolder, fail('GetFolder', 'ErrorAccessDenied'), okFolder]));
    const checks2 = await driver(fx2).testConnection(MAILBOX);
    assert.deepEqual(checks2.map((c) => [c.step, c.ok]), [['connection', true], ['authentication', true], ['impersonation', true], ['mailbox-access', true], ['permissions', false]]);
    assert.match(checks2[0]!.detail, /15\.2\.1544\.4/);
    assert.match(checks2[4]!.detail, /contacts: ErrorAccessDenied/);
    keep(fx2, 'test-connection');
  });
});
