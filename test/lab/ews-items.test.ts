import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSkip } from '../support/env.ts';
import { ALEX, MEGAN, startFixture, type Fixture } from './support/lab-fixture.ts';
import { grab, grabAll } from './support/ews-http.ts';
import { validateEnvelopes } from './support/ews-schema.ts';

const SYNC = (folder: string, state: string | undefined, max: number, shape = 'IdOnly'): string =>
  `<m:SyncFolderItems><m:ItemShape><t:BaseShape>${shape}</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="${folder}"/></m:SyncFolderId>` +
  (state === undefined ? '' : `<m:SyncState>${state}</m:SyncState>`) +
  `<m:MaxChangesReturned>${max}</m:MaxChangesReturned></m:SyncFolderItems>`;

describe('lab EWS: items, SyncState and ChangeKey', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  it('creates, sends and reads messages with MIME, headers and extended properties', async () => {
    const created = await f.call(
      'CreateItem SaveOnly',
      `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>Draft one</t:Subject><t:Body BodyType="HTML">&lt;p&gt;Hello&lt;/p&gt;</t:Body>` +
        `<t:Categories><t:String>Tracked to Dovetail</t:String></t:Categories>` +
        `<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="DovetailOrg" PropertyType="String"/><t:Value>org-1</t:Value></t:ExtendedProperty>` +
        `<t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:ToRecipients></t:Message></m:Items></m:CreateItem>`,
    );
    assert.equal(created.status, 200);
    const id = grab(created.body, /<t:ItemId Id="([^"]+)"/);
    const got = await f.call(
      'GetItem MIME + extended',
      `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent><t:AdditionalProperties>` +
        `<t:ExtendedFieldURI PropertySetId="C11FF724-AA03-4555-9952-8FA248A11C3E" PropertyName="DovetailOrg" PropertyType="String"/></t:AdditionalProperties></m:ItemShape>` +
        `<m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:GetItem>`,
    );
    assert.match(got.body, /<t:Value>org-1<\/t:Value>/);
    assert.match(got.body, /<t:IsDraft>true<\/t:IsDraft>/);
    assert.match(got.body, /<t:String>Tracked to Dovetail<\/t:String>/);
    const mime = Buffer.from(grab(got.body, /<t:MimeContent CharacterSet="UTF-8">([^<]+)</), 'base64').toString('utf8');
    assert.match(mime, /^Subject: Draft one$/m);
    assert.match(got.body, /HeaderName="Message-ID"/);

    const sent = await f.call(
      'CreateItem SendAndSaveCopy',
      `<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>To Megan</t:Subject>` +
        `<t:Body BodyType="Text">Hi</t:Body><t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox><t:Mailbox><t:EmailAddress>someone@outside.example</t:EmailAddress></t:Mailbox></t:ToRecipients>` +
        `<t:InternetMessageId>&lt;fixed-1@dovetail.test&gt;</t:InternetMessageId></t:Message></m:Items></m:CreateItem>`,
    );
    assert.match(sent.body, /<m:Items\/>/);
    assert.equal(f.lab.api.items(MEGAN, 'inbox').filter((i) => i.internetMessageId === '<fixed-1@dovetail.test>').length, 1);
    assert.equal(f.lab.api.items(ALEX, 'sentitems').filter((i) => i.subject === 'To Megan').length, 1);
    assert.deepEqual(f.lab.api.sent().at(-1)?.to, [MEGAN, 'someone@outside.example']);

    const found = await f.call(
      'FindItem InternetMessageId',
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="message:InternetMessageId"/>` +
        `<t:FieldURIOrConstant><t:Constant Value="&lt;fixed-1@dovetail.test&gt;"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id="sentitems"/></m:ParentFolderIds></m:FindItem>`,
    );
    assert.equal(grabAll(found.body, /<t:ItemId Id="([^"]+)"/).length, 1);
    assert.match(found.body, /TotalItemsInView="1"/);
  });

  it('pages SyncFolderItems by MaxChangesReturned, replays old states, refuses forged ones', async () => {
    for (let i = 0; i < 5; i++) f.lab.api.deliverEmail({ to: [MEGAN], from: { address: `p${i}@outside.example` }, subject: `Page ${i}`, body: 'x' });
    const first = await f.call('Sync page 1', SYNC('inbox', undefined, 2), { impersonate: MEGAN });
    assert.match(first.body, /<m:IncludesLastItemInRange>false</);
    assert.equal(grabAll(first.body, /<t:Create>/).length, 2);
    const s1 = grab(first.body, /<m:SyncState>([^<]+)</);
    const again = await f.call('Sync replay', SYNC('inbox', s1, 512), { impersonate: MEGAN });
    const replay = await f.call('Sync replay 2', SYNC('inbox', s1, 512), { impersonate: MEGAN });
    const ids = (b: string): string[] => grabAll(b, /<t:ItemId Id="([^"]+)"/);
    assert.deepEqual(ids(replay.body), ids(again.body));
    assert.ok(ids(again.body).length >= 4);
    assert.match(again.body, /<m:IncludesLastItemInRange>true</);
    const s2 = grab(again.body, /<m:SyncState>([^<]+)</);
    const quiet = await f.call('Sync no changes', SYNC('inbox', s2, 10), { impersonate: MEGAN });
    assert.equal(ids(quiet.body).length, 0);

    const target = f.lab.api.items(MEGAN, 'inbox')[0]!;
    f.lab.api.setRead(MEGAN, target.id, true);
    const other = f.lab.api.items(MEGAN, 'inbox')[1]!;
    f.lab.api.editItem(MEGAN, other.id, { Subject: 'Edited in Outlook' });
    const third = f.lab.api.items(MEGAN, 'inbox')[2]!;
    f.lab.api.deleteItem(MEGAN, third.id);
    const changes = await f.call('Sync changes', SYNC('inbox', s2, 10, 'Default'), { impersonate: MEGAN });
    assert.match(changes.body, new RegExp(`<t:ReadFlagChange><t:ItemId Id="${target.id.replace(/[+/=]/g, '\\$&')}"[^>]*/><t:IsRead>true</t:IsRead></t:ReadFlagChange>`));
    assert.match(changes.body, /<t:Update><t:Message>.*<t:Subject>Edited in Outlook<\/t:Subject>/);
    assert.match(changes.body, new RegExp(`<t:Delete><t:ItemId Id="${third.id.replace(/[+/=]/g, '\\$&')}"/></t:Delete>`));

    const forged = Buffer.from(s2, 'base64');
    forged[10] = forged[10]! ^ 0xff;
    for (const bad of [forged.toString('base64'), s2.slice(0, -8), 'not base64!']) {
      const r = await f.call('Sync forged', SYNC('inbox', bad, 10), { impersonate: MEGAN });
      assert.match(r.body, /ResponseClass="Error"/);
      assert.match(r.body, /<m:ResponseCode>ErrorInvalidSyncStateData</);
    }
    const wrongFolder = await f.call('Sync state of another folder', SYNC('sentitems', s2, 10), { impersonate: MEGAN });
    assert.match(wrongFolder.body, /ErrorInvalidSyncStateData/);
  });

  it('refuses MaxChangesReturned outside 1..512 as the schema does (ErrorSchemaValidation fault)', async () => {
    for (const [bad, facet] of [[0, 'MinInclusive'], [513, 'MaxInclusive']] as const) {
      const r = await f.call('Sync bad max', SYNC('inbox', undefined, bad), { impersonate: MEGAN });
      assert.equal(r.status, 500);
      assert.match(r.body, /a:ErrorSchemaValidation<\/faultcode>/);
      assert.match(r.body, new RegExp(`MaxSyncChangesReturnedType' - The ${facet} constraint failed`));
    }
    const edge = await f.call('Sync max 512', SYNC('inbox', undefined, 512), { impersonate: MEGAN });
    assert.match(edge.body, /ResponseClass="Success"/);
  });

  it('changes the ChangeKey on every modification and resolves conflicts as Exchange does', async () => {
    const created = await f.call('CreateItem task', `<m:CreateItem><m:Items><t:Task><t:Subject>Call back</t:Subject><t:Status>NotStarted</t:Status></t:Task></m:Items></m:CreateItem>`);
    const id = grab(created.body, /<t:ItemId Id="([^"]+)"/);
    const ck1 = grab(created.body, /ChangeKey="([^"]+)"/);
    const setSubject = (ck: string, mode: string, subject: string): string =>
      `<m:UpdateItem ConflictResolution="${mode}"><m:ItemChanges><t:ItemChange><t:ItemId Id="${id}" ChangeKey="${ck}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/>` +
      `<t:Task><t:Subject>${subject}</t:Subject></t:Task></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`;
    const u1 = await f.call('UpdateItem', setSubject(ck1, 'AutoResolve', 'Call back today'));
    assert.match(u1.body, /ResponseClass="Success"/);
    const ck2 = grab(u1.body, /ChangeKey="([^"]+)"/);
    assert.notEqual(ck2, ck1);
    // Stale key, same property changed since: AutoResolve cannot merge.
    const stale = await f.call('UpdateItem stale', setSubject(ck1, 'AutoResolve', 'Older edit'));
    assert.match(stale.body, /<m:ResponseCode>ErrorIrresolvableConflict</);
    const never = await f.call('UpdateItem NeverOverwrite', setSubject(ck1, 'NeverOverwrite', 'Older edit'));
    assert.match(never.body, /<m:ResponseCode>ErrorIrresolvableConflict</);
    const always = await f.call('UpdateItem AlwaysOverwrite', setSubject(ck1, 'AlwaysOverwrite', 'Forced'));
    assert.match(always.body, /ResponseClass="Success"/);
    const garbled = await f.call('UpdateItem garbled key', setSubject('%%%', 'AutoResolve', 'x'));
    assert.match(garbled.body, /<m:ResponseCode>ErrorInvalidChangeKey</);
    // Stale key but a different property changed since: AutoResolve merges.
    const ck3 = grab(always.body, /ChangeKey="([^"]+)"/);
    f.lab.api.editItem(ALEX, id, { Status: 'InProgress' });
    const merged = await f.call('UpdateItem merge', setSubject(ck3, 'AutoResolve', 'Merged'));
    assert.match(merged.body, /ResponseClass="Success"/);
    const item = f.lab.api.item(ALEX, grab(merged.body, /<t:ItemId Id="([^"]+)"/));
    assert.equal(item.props.get('Subject')?.text, 'Merged');
    assert.equal(item.props.get('Status')?.text, 'InProgress');
  });

  it('answers malformed and unknown ids with the codes of the samples', async () => {
    const malformed = await f.call('GetItem malformed', `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="AAMk!!"/></m:ItemIds></m:GetItem>`);
    assert.match(malformed.body, /<m:ResponseCode>ErrorInvalidIdMalformed</);
    const gone = f.lab.api.createTask(ALEX, { subject: 'temp' });
    f.lab.api.deleteItem(ALEX, gone);
    const missing = await f.call('GetItem missing', `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${gone}"/></m:ItemIds></m:GetItem>`);
    assert.match(missing.body, /<m:ResponseCode>ErrorItemNotFound</);
    assert.match(missing.body, /<m:Items\/>/);
  });

  it('validates every answer above against messages.xsd/types.xsd', { skip: conformanceSkip() }, async () => {
    assert.ok(f.replies.length > 15);
    const results = await validateEnvelopes(f.replies);
    const invalid = results.filter((r) => !r.valid);
    assert.deepEqual(invalid, []);
  });
});
