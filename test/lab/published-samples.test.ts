import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { basic, grab, post } from './support/ews-http.ts';
import { ALEX, MEGAN, SERVICE, startFixture, type Fixture } from './support/lab-fixture.ts';
import { missingPaths, shapeOf } from './support/shape.ts';
import { validateEnvelopes } from './support/ews-schema.ts';

/**
 * Each request sample the lab supports is sent as published and the answer's shape compared with
 * the published answer (same element paths, same ResponseClass/ResponseCode). Substitutions, all
 * of them necessary because the samples name objects of Microsoft's own test servers:
 *  - ItemId Id/ChangeKey values -> ids of lab items set up for the sample (in document order);
 *  - SubscriptionId / Watermark / SyncState / Ignore ids -> values the lab issued;
 *  - addresses of people in the samples (User2, alfred@contoso.com) -> lab users;
 *  - the docs site's https:// rewrite of the SOAP and EWS namespaces -> http:// (ews-schema/VALIDATION.md);
 *    Exchange itself refuses the https:// spelling.
 * Published defects tolerated by name: MoveItem-response's t:ItemID and GetItem-contact-response's t:Country
 * (the schema says ItemId and CountryOrRegion).
 */
const sample = (name: string): string => readFileSync(conformancePath(`ews-samples/${name}`), 'utf8');
const httpNs = (xml: string): string => xml.replace(/https:\/\/schemas\.(xmlsoap\.org|microsoft\.com)\//g, 'http://schemas.$1/');

type Case = {
  request: string;
  response: string;
  /** Literal replacements in the request. */
  replace?: () => Promise<Array<[string | RegExp, string]>> | Array<[string | RegExp, string]>;
  /** Item ids for the request's ItemId elements, in order. */
  ids?: () => Promise<string[]> | string[];
  as?: 'owner' | 'service';
  tolerated?: string[];
};

describe('lab EWS answers the published request samples in the shape of the published responses', { skip: conformanceSkip() }, () => {
  let f: Fixture;
  const ours: Array<{ name: string; xml: string }> = [];
  const owner = basic('alexw', 'Lab-Alex-2026!');
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  const changeKey = (id: string): string => f.lab.api.mailbox(ALEX).itemChangeKey(f.lab.api.item(ALEX, id));
  const inboxMessage = (): string => f.lab.api.deliverEmail({ to: [ALEX], from: { name: 'Sadie', address: 'sadie@fabrikam.example' }, subject: 'Sample message', body: 'Hello' })[0]!.itemId;
  const draft = async (): Promise<string> => {
    const r = await f.call('setup draft', `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>Draft</t:Subject><t:Body BodyType="Text">x</t:Body><t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:ToRecipients></t:Message></m:Items></m:CreateItem>`);
    return grab(r.body, /<t:ItemId Id="([^"]+)"/);
  };
  const meeting = (): string => f.lab.api.createMeeting({ organizer: ALEX, subject: 'Sample appointment', start: '2026-12-02T10:00:00Z', end: '2026-12-02T11:00:00Z', attendees: [] });
  const task = (): string => f.lab.api.createTask(ALEX, { subject: 'Buy new shoes' });
  const contact = async (): Promise<string> => {
    const r = await f.call(
      'setup contact',
      `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="contacts"/></m:SavedItemFolderId><m:Items><t:Contact><t:GivenName>Ana</t:GivenName><t:Initials>AD</t:Initials><t:CompanyName>Fabrikam</t:CompanyName>` +
        `<t:EmailAddresses><t:Entry Key="EmailAddress1">ana@fabrikam.example</t:Entry></t:EmailAddresses><t:PhysicalAddresses><t:Entry Key="Business"><t:Street>1 Main St</t:Street><t:City>Lyon</t:City><t:State>ARA</t:State><t:CountryOrRegion>France</t:CountryOrRegion></t:Entry></t:PhysicalAddresses>` +
        `<t:PhoneNumbers><t:Entry Key="BusinessPhone">+33 1 23 45 67 89</t:Entry></t:PhoneNumbers><t:JobTitle>Buyer</t:JobTitle><t:Surname>Diaz</t:Surname></t:Contact></m:Items></m:CreateItem>`,
    );
    return grab(r.body, /<t:ItemId Id="([^"]+)"/);
  };

  const cases: Case[] = [
    { request: 'CreateItem-calendaritem-appointment-request.xml', response: 'CreateItem-calendaritem-appointment-response.xml' },
    { request: 'CreateItem-calendaritem-meeting-request.xml', response: 'CreateItem-calendaritem-meeting-response.xml' },
    { request: 'CreateItem-contact-request.xml', response: 'CreateItem-contact-response.xml' },
    { request: 'CreateItem-contact-invalid-request.xml', response: 'CreateItem-contact-error-ErrorCannotCreateContactInNonContactFolder-response.xml' },
    { request: 'CreateItem-impersonation-request.xml', response: 'CreateItem-impersonation-response.xml', as: 'service', replace: () => [['alfred@contoso.com', ALEX]] },
    { request: 'CreateItem-message-SendAndSaveCopy-request.xml', response: 'CreateItem-message-SendAndSaveCopy-response.xml' },
    { request: 'CreateItem-message-SendAndSaveCopy-howto-request.xml', response: 'CreateItem-message-SendAndSaveCopy-response.xml' },
    { request: 'CreateItem-task-request.xml', response: 'CreateItem-task-response.xml' },
    { request: 'DeleteItem-request.xml', response: 'DeleteItem-response.xml', ids: () => [inboxMessage()] },
    { request: 'DeleteItem-calendaritem-appointment-request.xml', response: 'DeleteItem-calendaritem-appointment-response.xml', ids: () => [meeting()] },
    {
      request: 'FindFolder-request.xml',
      response: 'FindFolder-response.xml',
      replace: async () => {
        await f.call('setup folder', `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>TestFolder</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>`);
        return [];
      },
    },
    { request: 'FindFolder-deep-hierarchy-request.xml', response: 'FindFolder-deep-hierarchy-response.xml' },
    {
      request: 'FindItem-request.xml',
      response: 'FindItem-response.xml',
      replace: () => {
        f.lab.api.moveItem(ALEX, inboxMessage(), 'deleteditems');
        f.lab.api.moveItem(ALEX, inboxMessage(), 'deleteditems');
        return [];
      },
    },
    {
      request: 'GetEvents-request.xml',
      response: 'GetEvents-response.xml',
      replace: async () => {
        const sub = await f.call('setup subscribe', `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`, { auth: owner, impersonate: ALEX });
        inboxMessage();
        inboxMessage();
        return [
          ['f6bc657d-dde1-4f94-952d-143b95d6483d', grab(sub.body, /<m:SubscriptionId>([^<]+)</)],
          ['AAAAAMAGAAAAAAAAAQ==', grab(sub.body, /<m:Watermark>([^<]+)</)],
        ];
      },
    },
    { request: 'GetFolder-request.xml', response: 'GetFolder-response.xml' },
    { request: 'GetFolder-distinguished-request.xml', response: 'GetFolder-distinguished-response.xml' },
    { request: 'GetItem-MimeContent-request.xml', response: 'GetItem-MimeContent-response.xml', ids: () => [inboxMessage()] },
    { request: 'GetItem-additional-properties-request.xml', response: 'GetItem-additional-properties-response.xml', ids: () => [inboxMessage()] },
    { request: 'GetItem-calendaritem-request.xml', response: 'GetItem-calendaritem-response.xml', ids: () => [meeting()] },
    { request: 'GetItem-task-request.xml', response: 'GetItem-task-response.xml', ids: () => [task()] },
    {
      request: 'GetItem-contact-request.xml',
      response: 'GetItem-contact-response.xml',
      ids: async () => [await contact()],
      tolerated: ['/GetItemResponse/ResponseMessages/GetItemResponseMessage/Items/Contact/PhysicalAddresses/Entry/Country'],
    },
    { request: 'GetItem-contact-invalid-request.xml', response: 'GetItem-contact-error-ErrorUnsupportedMimeConversion-response.xml', ids: async () => [await contact()] },
    { request: 'GetItem-draft-before-send-request.xml', response: 'GetItem-draft-before-send-response.xml', ids: async () => [await draft()] },
    { request: 'MoveItem-request.xml', response: 'MoveItem-response.xml', ids: () => [inboxMessage()], tolerated: ['/MoveItemResponse/ResponseMessages/MoveItemResponseMessage/Items/Message/ItemID'] },
    { request: 'ResolveNames-request.xml', response: 'ResolveNames-response.xml', replace: () => [['>User2<', '>Megan<']] },
    { request: 'SendItem-request.xml', response: 'SendItem-response.xml', ids: async () => [await draft()] },
    { request: 'SendItem-SaveItemToFolder-request.xml', response: 'SendItem-response.xml', ids: async () => [await draft()] },
    { request: 'Subscribe-pull-request.xml', response: 'Subscribe-pull-response.xml' },
    { request: 'Subscribe-streaming-request.xml', response: 'Subscribe-streaming-response.xml' },
    { request: 'SyncFolderHierarchy-initial-request.xml', response: 'SyncFolderHierarchy-initial-response.xml' },
    {
      request: 'SyncFolderHierarchy-request.xml',
      response: 'SyncFolderHierarchy-response.xml',
      replace: async () => {
        const first = await f.call('setup hierarchy', `<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape></m:SyncFolderHierarchy>`, { auth: owner, impersonate: ALEX });
        await f.call('setup new folder', `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>NewFolder</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>`);
        return [['H4sIA=', grab(first.body, /<m:SyncState>([^<]+)</)]];
      },
    },
    { request: 'SyncFolderItems-initial-request.xml', response: 'SyncFolderItems-initial-response.xml', replace: () => (inboxMessage(), []) },
    {
      request: 'SyncFolderItems-request.xml',
      response: 'SyncFolderItems-response.xml',
      replace: async () => {
        const first = await f.call('setup sync', `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SyncFolderId><m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`);
        f.lab.api.createMeeting({ organizer: ALEX, subject: 'Budget Q3', start: '2026-08-02T17:30:00Z', end: '2026-08-02T19:30:00Z', location: 'Conference Room 2', attendees: [MEGAN] });
        return [['AEbJ94eMOAAA=', grab(first.body, /<m:SyncState>([^<]+)</)]];
      },
      ids: () => [inboxMessage()],
    },
    {
      request: 'Unsubscribe-request.xml',
      response: 'Unsubscribe-response.xml',
      replace: async () => {
        const sub = await f.call('setup subscribe 2', `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`, { auth: owner, impersonate: ALEX });
        return [['e6fbf5c1-7e26-4bc6-a5f2-882063d5e34e', grab(sub.body, /<m:SubscriptionId>([^<]+)</)]];
      },
    },
    { request: 'UpdateItem-setfield-request.xml', response: 'UpdateItem-response.xml', ids: async () => [await draft()] },
    { request: 'UpdateItem-appendtofield-request.xml', response: 'UpdateItem-response.xml', ids: async () => [await draft()] },
    { request: 'UpdateItem-deletefield-request.xml', response: 'UpdateItem-response.xml', ids: async () => [await draft()] },
    { request: 'UpdateItem-message-request.xml', response: 'UpdateItem-response.xml', ids: () => [inboxMessage()] },
    { request: 'UpdateItem-contact-request.xml', response: 'UpdateItem-contact-response.xml', ids: async () => [await contact()] },
    { request: 'UpdateItem-calendaritem-appointment-request.xml', response: 'UpdateItem-calendaritem-appointment-response.xml', ids: () => [meeting()] },
  ];

  for (const c of cases) {
    it(`${c.request} -> ${c.response}`, async () => {
      let text = httpNs(sample(c.request));
      for (const [from, to] of (await c.replace?.()) ?? []) text = text.split(from as string).join(to);
      const ids = (await c.ids?.()) ?? [];
      let n = 0;
      text = text.replace(/<(t:)?ItemId\b([^>]*?)\/>/g, (whole, prefix: string | undefined, attrs: string) => {
        const id = ids[n++];
        if (id === undefined) return whole;
        const ck = /ChangeKey=/.test(attrs) ? ` ChangeKey="${changeKey(id)}"` : '';
        return `<${prefix ?? ''}ItemId Id="${id}"${ck}/>`;
      });
      assert.equal(n >= ids.length, true, 'every substituted id found an ItemId');
      const reply = await post(f.lab.ewsUrl, f.agent, text, c.as === 'service' ? basic(SERVICE.user, SERVICE.password) : owner);
      ours.push({ name: c.request, xml: reply.body });
      const published = sample(c.response);
      const missing = missingPaths(published, reply.body).filter((p) => !(c.tolerated ?? []).includes(p));
      assert.deepEqual(missing, [], reply.body.slice(0, 3000));
      assert.deepEqual(shapeOf(reply.body).codes, shapeOf(published).codes);
    });
  }

  it('an invalid DistinguishedFolderId answers like FindConversation-error-soapfault-ErrorSchemaValidation-response.xml', async () => {
    // The kit has no request for that answer; this one makes the same mistake (Id="inbox1").
    const reply = await f.call('schema fault', `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox1"/></m:ParentFolderIds></m:FindItem>`);
    ours.push({ name: 'schema fault', xml: reply.body });
    assert.equal(reply.status, 500);
    const published = sample('FindConversation-error-soapfault-ErrorSchemaValidation-response.xml');
    assert.deepEqual(missingPaths(published, reply.body), []);
    const violation = (xml: string): string => /<t:Violation>([^<]+)<\/t:Violation>/.exec(xml)?.[1] ?? '';
    assert.equal(violation(reply.body), violation(published));
  });

  it('UpdateItem-contact-invalid-request.xml gets the ErrorSchemaValidation fault of UpdateItem-contact-error-soapfault-response.xml', async () => {
    // The published answer is itself malformed (soap:faultcode); its code and the violated key are what count.
    const id = await contact();
    const text = httpNs(sample('UpdateItem-contact-invalid-request.xml')).replace(/<t:ItemId\b[^>]*\/>/, `<t:ItemId Id="${id}" ChangeKey="${changeKey(id)}"/>`);
    const reply = await post(f.lab.ewsUrl, f.agent, text, owner);
    ours.push({ name: 'contact key fault', xml: reply.body });
    assert.equal(reply.status, 500);
    assert.match(sample('UpdateItem-contact-error-soapfault-response.xml'), /ErrorSchemaValidation[\s\S]*'EmailAddress4'[\s\S]*EmailAddressKeyType/);
    assert.match(reply.body, /<e:ResponseCode [^>]+>ErrorSchemaValidation<\/e:ResponseCode>/);
    assert.match(reply.body, /The value 'EmailAddress4' is invalid according to its datatype '[^']+:EmailAddressKeyType' - The Enumeration constraint failed\./);
  });

  it('those answers validate against the schema', async () => {
    const results = await validateEnvelopes(ours);
    assert.deepEqual(results.filter((r) => !r.valid), []);
    assert.equal(ours.length, cases.length + 2);
  });
});
