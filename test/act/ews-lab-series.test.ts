import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSkip } from '../support/env.ts';
import { ALEX, startFixture, type Fixture } from '../lab/support/lab-fixture.ts';
import { grab, grabAll } from '../lab/support/ews-http.ts';
import { validateEnvelopes } from '../lab/support/ews-schema.ts';

const SERIES_SHAPE =
  '<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/><t:FieldURI FieldURI="calendar:Start"/>' +
  '<t:FieldURI FieldURI="calendar:OriginalStart"/><t:FieldURI FieldURI="calendar:CalendarItemType"/><t:FieldURI FieldURI="calendar:ModifiedOccurrences"/>' +
  '<t:FieldURI FieldURI="calendar:DeletedOccurrences"/></t:AdditionalProperties></m:ItemShape>';
const OCCURRENCE_SHAPE =
  '<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/><t:FieldURI FieldURI="calendar:Start"/>' +
  '<t:FieldURI FieldURI="calendar:OriginalStart"/><t:FieldURI FieldURI="calendar:IsRecurring"/><t:FieldURI FieldURI="calendar:CalendarItemType"/></t:AdditionalProperties></m:ItemShape>';

describe('lab EWS: recurring series with modified and deleted occurrences', () => {
  let f: Fixture;
  let master = '';
  const dates = ['2027-03-01', '2027-03-08', '2027-03-15', '2027-03-22'];
  before(async () => {
    f = await startFixture();
    master = f.lab.api.createMeeting({ organizer: ALEX, subject: 'Weekly sync', start: '2027-03-01T09:30:00Z', end: '2027-03-01T10:00:00Z', attendees: [], weeklyOccurrences: 4 });
  });
  after(() => f?.close());

  const getMaster = () => f.call('GetItem master', `<m:GetItem>${SERIES_SHAPE}<m:ItemIds><t:ItemId Id="${master}"/></m:ItemIds></m:GetItem>`);

  it("lists an occurrence moved in Outlook in ModifiedOccurrences and a deleted one in DeletedOccurrences, and changes the master's ChangeKey", async () => {
    const before = grab((await getMaster()).body, /<t:ItemId Id="[^"]+" ChangeKey="([^"]+)"/);
    f.lab.api.editOccurrence(ALEX, master, dates[1]!, { Subject: 'Weekly sync (moved)', Start: '2027-03-08T11:00:00Z', End: '2027-03-08T11:45:00Z' });
    f.lab.api.deleteOccurrence(ALEX, master, dates[2]!);
    const got = (await getMaster()).body;
    assert.notEqual(grab(got, /<t:ItemId Id="[^"]+" ChangeKey="([^"]+)"/), before);
    assert.match(got, /<t:CalendarItemType>RecurringMaster<\/t:CalendarItemType>/);
    assert.match(got, /<t:ModifiedOccurrences><t:Occurrence><t:ItemId Id="[^"]+" ChangeKey="[^"]+"\/><t:Start>2027-03-08T11:00:00Z<\/t:Start><t:End>2027-03-08T11:45:00Z<\/t:End><t:OriginalStart>2027-03-08T09:30:00Z<\/t:OriginalStart><\/t:Occurrence><\/t:ModifiedOccurrences>/);
    assert.match(got, /<t:DeletedOccurrences><t:DeletedOccurrence><t:Start>2027-03-15T09:30:00Z<\/t:Start><\/t:DeletedOccurrence><\/t:DeletedOccurrences>/);

    const exceptionId = grab(got, /<t:Occurrence><t:ItemId Id="([^"]+)"/);
    const exception = (await f.call('GetItem exception', `<m:GetItem>${OCCURRENCE_SHAPE}<m:ItemIds><t:ItemId Id="${exceptionId}"/></m:ItemIds></m:GetItem>`)).body;
    assert.match(exception, /<t:Subject>Weekly sync \(moved\)<\/t:Subject>/);
    assert.match(exception, /<t:CalendarItemType>Exception<\/t:CalendarItemType>/);
    assert.match(exception, /<t:IsRecurring>true<\/t:IsRecurring>/);
  });

  it('reads, changes and deletes occurrences by OccurrenceItemId, as a client does', async () => {
    const first = (await f.call('GetItem occurrence 1', `<m:GetItem>${OCCURRENCE_SHAPE}<m:ItemIds><t:OccurrenceItemId RecurringMasterId="${master}" InstanceIndex="1"/></m:ItemIds></m:GetItem>`)).body;
    assert.match(first, /<t:CalendarItemType>Occurrence<\/t:CalendarItemType>/);
    assert.match(first, /<t:OriginalStart>2027-03-01T09:30:00Z<\/t:OriginalStart>/);

    const masterKey = grab((await getMaster()).body, /<t:ItemId Id="[^"]+" ChangeKey="([^"]+)"/);
    const updated = await f.call(
      'UpdateItem occurrence 1',
      `<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>` +
        `<t:OccurrenceItemId RecurringMasterId="${master}" ChangeKey="${masterKey}" InstanceIndex="1"/><t:Updates>` +
        `<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Kick-off</t:Subject></t:CalendarItem></t:SetItemField>` +
        `</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
    );
    assert.match(updated.body, /ResponseClass="Success"/);
    const stale = await f.call(
      'UpdateItem occurrence stale',
      `<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>` +
        `<t:OccurrenceItemId RecurringMasterId="${master}" ChangeKey="${masterKey}" InstanceIndex="2"/><t:Updates>` +
        `<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Late</t:Subject></t:CalendarItem></t:SetItemField>` +
        `</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
    );
    assert.match(stale.body, /<m:ResponseCode>ErrorIrresolvableConflict</, 'the master changed since that ChangeKey');

    const deleted = await f.call(
      'DeleteItem occurrence 4',
      `<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToNone"><m:ItemIds><t:OccurrenceItemId RecurringMasterId="${master}" InstanceIndex="4"/></m:ItemIds></m:DeleteItem>`,
    );
    assert.match(deleted.body, /ResponseClass="Success"/);
    const got = (await getMaster()).body;
    assert.deepEqual(grabAll(got, /<t:OriginalStart>([^<]+)<\/t:OriginalStart>/g), ['2027-03-01T09:30:00Z', '2027-03-08T09:30:00Z']);
    assert.deepEqual(grabAll(got, /<t:DeletedOccurrence><t:Start>([^<]+)</g), ['2027-03-15T09:30:00Z', '2027-03-22T09:30:00Z']);
    assert.equal(f.lab.api.items(ALEX, 'calendar').length, 1, 'occurrences are not items of the folder');
    assert.equal(f.lab.api.items(ALEX, 'deleteditems').length, 0);

    const gone = await f.call('GetItem deleted occurrence', `<m:GetItem>${OCCURRENCE_SHAPE}<m:ItemIds><t:OccurrenceItemId RecurringMasterId="${master}" InstanceIndex="3"/></m:ItemIds></m:GetItem>`);
    assert.match(gone.body, /<m:ResponseCode>ErrorCalendarOccurrenceIsDeletedFromRecurrence</);
    const beyond = await f.call('GetItem beyond the series', `<m:GetItem>${OCCURRENCE_SHAPE}<m:ItemIds><t:OccurrenceItemId RecurringMasterId="${master}" InstanceIndex="5"/></m:ItemIds></m:GetItem>`);
    assert.match(beyond.body, /<m:ResponseCode>ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange</);
  });

  it('reports the series as changed in SyncFolderItems, never its occurrences', async () => {
    const sync = (await f.call('SyncFolderItems calendar', '<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId><m:MaxChangesReturned>50</m:MaxChangesReturned></m:SyncFolderItems>')).body;
    assert.deepEqual(grabAll(sync, /<t:ItemId Id="([^"]+)"/g), [master]);
  });

  it('answers every request above as messages.xsd/types.xsd say', { skip: conformanceSkip() }, async () => {
    const results = await validateEnvelopes(f.replies);
    assert.ok(f.replies.length >= 10);
    assert.deepEqual(results.filter((r) => !r.valid), []);
  });
});
