/**
 * Every published EWS response sample for items and folders in ../shared/conformance/ews-samples
 * parses as published, streamed in 61-byte chunks, with its fields asserted. Samples with
 * documented defects (ews-schema/VALIDATION.md) are named where they are asserted.
 * Notifications, subscriptions and SOAP faults: ews-samples-events.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { formatBuild } from '../../src/exchange/ews/soap-response.ts';
import { CreateItem } from '../../src/exchange/ews/operations/create-item.ts';
import { DeleteItem } from '../../src/exchange/ews/operations/delete-item.ts';
import { FindFolder } from '../../src/exchange/ews/operations/find-folder.ts';
import { FindItem } from '../../src/exchange/ews/operations/find-item.ts';
import { GetFolder } from '../../src/exchange/ews/operations/get-folder.ts';
import { GetItem } from '../../src/exchange/ews/operations/get-item.ts';
import { MoveItem } from '../../src/exchange/ews/operations/move-item.ts';
import { ResolveNames } from '../../src/exchange/ews/operations/resolve-names.ts';
import { SendItem } from '../../src/exchange/ews/operations/send-item.ts';
import { SyncFolderHierarchy } from '../../src/exchange/ews/operations/sync-folder-hierarchy.ts';
import { SyncFolderItems } from '../../src/exchange/ews/operations/sync-folder-items.ts';
import { UpdateItem } from '../../src/exchange/ews/operations/update-item.ts';
import { envelopeOf, err, msgShape, ok, one, parse, rejects } from './ews-sample-io.ts';
import { eventSamples, itemSamples } from './ews-sample-coverage.ts';

const asserted = new Set<string>();
const sample = (file: string, fn: () => Promise<void>): void => {
  assert.ok(itemSamples.includes(file), `${file} is listed in ews-sample-coverage.ts`);
  asserted.add(file);
  it(file, fn);
};

describe('published EWS item and folder response samples parse as published', { skip: conformanceSkip() }, () => {
  sample('CreateItem-CancelCalendarItem-response.xml', async () => {
    // Published with https:// SOAP namespace (docs-site rewrite defect); Dovetail reads local names.
    const env = await envelopeOf('CreateItem-CancelCalendarItem-response.xml');
    assert.equal(formatBuild(env.serverVersion!), '15.0.800.5');
    const item = ok(CreateItem.parse(env, { items: [{ type: 'Item', element: 'CancelCalendarItem', record: {} }] })[0]);
    assert.equal(item?.element, 'CalendarItem');
    assert.deepEqual(item?.record.ItemId, { Id: 'AAMkA', ChangeKey: 'DwAAA' });
  });

  for (const [file, element, itemId, changeKey, build] of [
    ['CreateItem-calendaritem-appointment-response.xml', 'CalendarItem', 'AAMkA', 'DwAAA', '15.0.775.7'],
    ['CreateItem-impersonation-response.xml', 'CalendarItem', 'AAMkA', 'DwAAA', '15.0.775.7'],
    ['CreateItem-calendaritem-meeting-response.xml', 'CalendarItem', 'AAAlAFV', 'DwAAABYA', '8.0.685.8'],
    ['CreateItem-contact-response.xml', 'Contact', 'AAAtA=', 'EQAAAB', '8.0.602.0'],
    ['CreateItem-task-response.xml', 'Task', 'AAAtAE=', 'EwAAABYA', '8.0.653.0'],
  ] as const) {
    sample(file, async () => {
      const env = await envelopeOf(file);
      assert.equal(formatBuild(env.serverVersion!), build);
      const item = ok(CreateItem.parse(env, { items: [{ type: 'Item', element: 'Item', record: {} }] })[0]);
      assert.equal(item?.element, element);
      assert.deepEqual(item?.record.ItemId, { Id: itemId, ChangeKey: changeKey });
    });
  }

  sample('CreateItem-message-SendAndSaveCopy-response.xml', async () => {
    const r = await parse('CreateItem-message-SendAndSaveCopy-response.xml', CreateItem, { items: [{ type: 'Item', element: 'Message', record: {} }] });
    assert.equal(ok(r[0]), undefined, 'SendAndSaveCopy keeps no draft, so no ItemId comes back');
  });

  for (const [file, code, text] of [
    ['CreateItem-contact-error-ErrorCannotCreateContactInNonContactFolder-response.xml', 'ErrorCannotCreateContactInNonContactFolder', 'Cannot create a contact in a non-contact Folder.'],
    ['CreateItem-message-error-ErrorSendAsDenied-response.xml', 'ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.'],
  ] as const) {
    sample(file, async () => {
      const e = err((await parse(file, CreateItem, { items: [{ type: 'Item', element: 'Item', record: {} }] }))[0]);
      assert.equal(e.providerCode, code);
      assert.equal(e.providerMessage, text);
      assert.equal(e.kind, 'permanent');
    });
  }

  for (const file of ['DeleteItem-calendaritem-appointment-response.xml', 'DeleteItem-response.xml']) {
    sample(file, async () => {
      assert.deepEqual(await parse(file, DeleteItem, { ids: [one], deleteType: 'HardDelete' }), [{ ok: true, value: true }]);
    });
  }

  sample('DeleteItem-error-ErrorItemNotFound-response.xml', async () => {
    const e = err((await parse('DeleteItem-error-ErrorItemNotFound-response.xml', DeleteItem, { ids: [one], deleteType: 'HardDelete' }))[0]);
    assert.equal(e.providerCode, 'ErrorItemNotFound');
    assert.equal(e.kind, 'not-found');
    assert.equal(e.code, 'ews_item_not_found');
  });

  sample('ExportItems-response.xml', async () => {
    // Not an operation Dovetail calls; the shared envelope reading still applies.
    // Documented defect: base64 Data is published truncated; it stays well-formed XML.
    const env = await envelopeOf('ExportItems-response.xml');
    assert.equal(env.serverVersion?.Version, 'Exchange2010_SP1');
    assert.deepEqual(
      env.messages.map((m) => [m.ResponseClass, m.ResponseCode, m.node.children.find((c) => c.name === 'ItemId')?.attrs['Id']]),
      [
        ['Success', 'NoError', 'AAMkAGYzZjZmRiUsidkC+NAAAAY89GAAA='],
        ['Success', 'NoError', 'AAMkAGYzZjZmRiUsidkC+NAAAAY89FAAA='],
        ['Success', 'NoError', 'AAMkAGYzZjZmRiUsidkC+NAAAAY87NAAA='],
      ],
    );
  });

  sample('FindFolder-deep-hierarchy-response.xml', async () => {
    // Documented defect: the list is cut with a literal "…" inside t:Folders; that text is ignored.
    const r = await parse('FindFolder-deep-hierarchy-response.xml', FindFolder, { parent: { distinguished: 'msgfolderroot' } });
    assert.deepEqual(
      r.folders.map((f) => [f.kind, f.DisplayName, f.FolderId?.Id, f.ExtendedProperty?.[0]?.value]),
      [
        ['CalendarFolder', 'Calendar', 'AAAEOAAA=', 'false'],
        ['ContactsFolder', 'Contacts', 'AAAEPAAA=', 'false'],
        ['ContactsFolder', 'Recipient Cache', 'AAAUKAAA=', 'true'],
        ['Folder', 'Conversation Action Settings', 'AAAUJAAA=', 'true'],
      ],
    );
    assert.deepEqual(r.folders[0]?.ExtendedProperty?.[0]?.uri, { PropertyTag: '0x10f4', PropertyType: 'Boolean' });
  });

  sample('FindFolder-response.xml', async () => {
    const r = await parse('FindFolder-response.xml', FindFolder, { parent: { distinguished: 'inbox' } });
    assert.deepEqual(r.folders, [{ kind: 'Folder', FolderId: { Id: 'AQAnAH', ChangeKey: 'AQAAABY' }, DisplayName: 'TestFolder', TotalCount: 0, ChildFolderCount: 0, UnreadCount: 0 }]);
    assert.equal(r.includesLastItemInRange, true);
  });

  sample('FindFolder-error-ErrorInvalidIdMalformed-response.xml', async () => {
    await rejects(parse('FindFolder-error-ErrorInvalidIdMalformed-response.xml', FindFolder, { parent: { distinguished: 'inbox' } }), 'ErrorInvalidIdMalformed', 'permanent');
  });

  sample('FindItem-error-ErrorInvalidIdMalformed-response.xml', async () => {
    await rejects(parse('FindItem-error-ErrorInvalidIdMalformed-response.xml', FindItem, { parents: [{ distinguished: 'inbox' }], shape: msgShape }), 'ErrorInvalidIdMalformed', 'permanent');
  });

  sample('FindItem-response.xml', async () => {
    const r = await parse('FindItem-response.xml', FindItem, { parents: [{ distinguished: 'inbox' }], shape: msgShape });
    assert.equal(r.totalItemsInView, 10);
    assert.deepEqual(r.items.map((i) => [i.element, i.record.ItemId]), [
      ['Message', { Id: 'AS4AUn=', ChangeKey: 'fsVU4==' }],
      ['Message', { Id: 'AS4AUM=', ChangeKey: 'fsVUA==' }],
    ]);
  });

  sample('GetFolder-distinguished-response.xml', async () => {
    const f = ok((await parse('GetFolder-distinguished-response.xml', GetFolder, { folders: [{ distinguished: 'inbox' }] }))[0]);
    assert.deepEqual(f.FolderId, { Id: 'AAAENAAA=', ChangeKey: 'AQAAABYAAAAPxolXAHv3TaHUnjW8wWqXAAAEkbCr' });
  });

  sample('GetFolder-response.xml', async () => {
    const f = ok((await parse('GetFolder-response.xml', GetFolder, { folders: [{ distinguished: 'inbox' }] }))[0]);
    assert.deepEqual([f.DisplayName, f.TotalCount, f.ChildFolderCount, f.UnreadCount, f.FolderId?.Id], ['Inbox', 2, 0, 2, 'AQApA=']);
  });

  sample('GetFolder-error-ErrorInvalidIdMalformed-response.xml', async () => {
    const e = err((await parse('GetFolder-error-ErrorInvalidIdMalformed-response.xml', GetFolder, { folders: [{ Id: 'bad' }] }))[0]);
    assert.equal(e.providerCode, 'ErrorInvalidIdMalformed');
  });

  sample('GetItem-MimeContent-response.xml', async () => {
    const item = ok((await parse('GetItem-MimeContent-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.equal(item.type, 'Message');
    assert.deepEqual(item.record.MimeContent, { CharacterSet: 'UTF-8', base64: 'UmVjZ6IGZyb2b2suY29y5hMzgwZTA1YtDQo=' });
    assert.deepEqual(item.record.ItemId, { Id: 'AAMkADEzYjJkLTYxMwB8GqYicWAAA=', ChangeKey: 'CQAAABzXv' });
  });

  sample('GetItem-additional-properties-response.xml', async () => {
    const item = ok((await parse('GetItem-additional-properties-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.equal(item.record.Subject, 'Company Soccer Team');
    assert.equal(item.record.ItemId?.Id, 'GJc/NAAA=');
  });

  sample('GetItem-calendaritem-response.xml', async () => {
    const item = ok((await parse('GetItem-calendaritem-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.deepEqual([item.type, item.record.ItemId], ['CalendarItem', { Id: 'ASUAd', ChangeKey: 'otlIqB==' }]);
  });

  for (const [file, code] of [
    ['GetItem-contact-error-ErrorUnsupportedMimeConversion-response.xml', 'ErrorUnsupportedMimeConversion'],
    ['GetItem-message-error-ErrorInvalidPropertyRequest-response.xml', 'ErrorInvalidPropertyRequest'],
  ] as const) {
    sample(file, async () => {
      const e = err((await parse(file, GetItem, { ids: [one], shape: msgShape }))[0]);
      assert.equal(e.providerCode, code);
      assert.equal(e.kind, 'permanent');
    });
  }

  sample('GetItem-contact-response.xml', async () => {
    const item = ok((await parse('GetItem-contact-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.ok(item.type === 'Contact');
    const c = item.record;
    assert.deepEqual([c.DisplayName, c.GivenName, c.Surname, c.CompanyName, c.JobTitle, c.ItemClass, c.IsDraft], ['Tanja Plate', 'Tanja', 'Plate', 'Northwind Traders', 'Project Manager', 'IPM.Contact', true]);
    assert.deepEqual(c.EmailAddresses, { EmailAddress1: 'tplate@example.com', EmailAddress2: 'tplate@example.com' });
    assert.deepEqual(c.PhoneNumbers, { BusinessPhone: '5625550199' });
    // Documented defect: the sample says t:Country where the schema has t:CountryOrRegion; the unknown element is not read.
    assert.deepEqual(c.PhysicalAddresses, { Business: { Street: '12345 67th Ave', City: 'Whittier', State: 'CA' } });
  });

  sample('GetItem-draft-before-send-response.xml', async () => {
    const item = ok((await parse('GetItem-draft-before-send-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.ok(item.type === 'Message');
    assert.equal(item.record.Subject, 'Project priorities');
    assert.deepEqual(item.record.ToRecipients, [{ Name: 'sadie@contoso.com', EmailAddress: 'sadie@contoso.com', RoutingType: 'SMTP', MailboxType: 'OneOff' }]);
  });

  sample('GetItem-task-response.xml', async () => {
    const item = ok((await parse('GetItem-task-response.xml', GetItem, { ids: [one], shape: msgShape }))[0]);
    assert.ok(item.type === 'Task');
    const t = item.record;
    assert.deepEqual([t.Subject, t.Status, t.PercentComplete, t.IsComplete, t.IsRecurring, t.StatusDescription, t.Importance, t.DateTimeCreated], [
      'Buy new shoes', 'NotStarted', 0, false, false, 'Not Started', 'Normal', '2006-09-15T15:23:08Z',
    ]);
    assert.deepEqual(t.Body, { BodyType: 'Text', text: '' });
  });

  sample('MoveItem-response.xml', async () => {
    // Documented defect: t:ItemID (wrong case) where the schema has t:ItemId; the move succeeded, the new id is unknown.
    const r = await parse('MoveItem-response.xml', MoveItem, { ids: [one], to: { distinguished: 'inbox' } });
    assert.deepEqual(r, [{ ok: true, value: undefined }]);
  });

  sample('ResolveNames-response.xml', async () => {
    const r = await parse('ResolveNames-response.xml', ResolveNames, { unresolvedEntry: 'User2', returnFullContactData: true });
    assert.deepEqual(r, [
      { mailbox: { Name: 'User2', EmailAddress: 'User2@example.com', RoutingType: 'SMTP', MailboxType: 'Mailbox' }, contact: { DisplayName: 'User2', EmailAddresses: { EmailAddress1: 'SMTP:User2@example.com' } } },
    ]);
  });

  sample('SendItem-response.xml', async () => {
    assert.deepEqual(await parse('SendItem-response.xml', SendItem, { ids: [one], saveItemToFolder: true }), [{ ok: true, value: true }]);
  });

  for (const [file, op] of [
    ['SyncFolderHierarchy-error-response.xml', () => parse('SyncFolderHierarchy-error-response.xml', SyncFolderHierarchy, { syncState: 'x' })],
    ['SyncFolderItems-error-response.xml', () => parse('SyncFolderItems-error-response.xml', SyncFolderItems, { folder: { distinguished: 'inbox' }, syncState: 'x', maxChangesReturned: 10, shape: msgShape })],
  ] as const) {
    sample(file, async () => {
      const e = await rejects(op(), 'ErrorInvalidSyncStateData', 'cursor-invalid');
      assert.match(e.providerMessage ?? '', /Synchronization state data is corrupt/);
    });
  }

  sample('SyncFolderHierarchy-initial-response.xml', async () => {
    // Documented defect: "..." literal inside m:Changes marks where the doc shortened the list; it is ignored.
    const r = await parse('SyncFolderHierarchy-initial-response.xml', SyncFolderHierarchy, {});
    assert.equal(r.syncState, 'H4sIAA==');
    assert.deepEqual(r.changes.map((c) => (c.type === 'Delete' ? c.folderId.Id : c.folder.FolderId?.Id)), ['AAMkADM=', 'AAMkADMzM=', 'AAMkAD/AAA=', 'AAMkADBh=']);
  });

  sample('SyncFolderHierarchy-response.xml', async () => {
    const r = await parse('SyncFolderHierarchy-response.xml', SyncFolderHierarchy, {});
    assert.equal(r.syncState, 'H4sIAAA==');
    assert.equal(r.includesLastFolderInRange, true);
    assert.deepEqual(r.changes, [
      { type: 'Create', folder: { kind: 'Folder', FolderId: { Id: 'AQApAHR=', ChangeKey: 'AQAAABY' }, ParentFolderId: { Id: 'AQApA=', ChangeKey: 'AQAAAA==' }, FolderClass: 'IPF.Note', DisplayName: 'NewFolder', TotalCount: 0, ChildFolderCount: 0, UnreadCount: 0 } },
    ]);
  });

  sample('SyncFolderItems-initial-response.xml', async () => {
    const r = await parse('SyncFolderItems-initial-response.xml', SyncFolderItems, { folder: { distinguished: 'inbox' }, maxChangesReturned: 5, shape: msgShape });
    assert.equal(r.syncState, 'H4sIAAA==');
    assert.equal(r.includesLastItemInRange, true);
    assert.deepEqual(r.changes.map((c) => [c.type, c.type === 'Create' ? c.item.record.ItemId?.ChangeKey : '']), [
      ['Create', 'CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVdC'],
      ['Create', 'CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVdB'],
      ['Create', 'CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVdA'],
      ['Create', 'CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVc5'],
      ['Create', 'CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVc4'],
    ]);
  });

  sample('SyncFolderItems-response.xml', async () => {
    const r = await parse('SyncFolderItems-response.xml', SyncFolderItems, { folder: { distinguished: 'inbox' }, maxChangesReturned: 5, shape: msgShape });
    const c = r.changes[0];
    assert.ok(c?.type === 'Create' && c.item.type === 'Message');
    assert.equal(c.item.element, 'MeetingRequest');
    assert.deepEqual([c.item.record.ItemId?.Id, c.item.record.Subject, c.item.record.Sensitivity], ['AQApAHRwA==', 'Budget Q3', 'Normal']);
    assert.equal(r.syncState, 'H4sIAAAAA=');
  });

  for (const [file, element, id, ck] of [
    // Documented defect: xmlns:t value broken across a line ("exc\nhange"); Dovetail matches local names, so it reads.
    ['UpdateItem-calendaritem-appointment-response.xml', 'CalendarItem', 'AAMkA', 'DwAAAB'],
    ['UpdateItem-contact-response.xml', 'Contact', 'AAAtAE=', 'EQAAABYx'],
    ['UpdateItem-response.xml', 'Message', 'AAAtAEFkbW...', 'CQAAABYAAA...'],
  ] as const) {
    sample(file, async () => {
      const u = ok((await parse(file, UpdateItem, { changes: [{ itemId: one, updates: [] }], conflictResolution: 'NeverOverwrite' }))[0]);
      assert.equal(u.item?.element, element);
      assert.deepEqual(u.item?.record.ItemId, { Id: id, ChangeKey: ck });
      assert.equal(u.conflictCount, 0);
    });
  }


  it('asserts every sample listed for it', () => {
    assert.deepEqual(itemSamples.filter((f) => !asserted.has(f)), []);
  });

  it('together with ews-samples-events.test.ts, covers every response sample in the kit', () => {
    const files = readdirSync(conformancePath('ews-samples')).filter((f) => /-response\.(xml|http\.txt)$/.test(f));
    const listed = new Set([...itemSamples, ...eventSamples]);
    assert.deepEqual(files.filter((f) => !listed.has(f)), []);
    assert.equal(listed.size, itemSamples.length + eventSamples.length, 'no sample listed twice');
  });
});
