import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { AppError } from '../../src/errors.ts';
import { completeJobItems, createJob, getJob } from '../../src/sync/jobs.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

describe('Test & Enable, approval and alerts (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => h?.dispose());

  it('tests every mailbox of a profile as a job with progress, enabling what passed and stamping the org', async () => {
    const profile = await createProfile(h.store, { name: 'T&E' });
    const a = await createReadyMailbox(h.store, profile, 'a@us.example', { now: h.clock.now(), enabled: false });
    const b = await createReadyMailbox(h.store, profile, 'b@us.example', { now: h.clock.now(), enabled: false });
    await h.store.mailboxes.update(b.id, { actMethod: 'server-side-sync' });
    h.fake.addMailbox('a@us.example');
    h.fake.addMailbox('b@us.example');
    h.fake.presetOrgStamp('b@us.example', 'another-org');
    const db = syncDb(h.store.kysely);
    const all = await h.store.mailboxes.list({ profileId: profile.id });
    const jobId = await createJob(db, h.deps, { kind: 'test-and-enable', mailboxIds: all.map((m) => m.id) });
    assert.equal((await getJob(db, jobId))?.progress, 0);
    await h.worker.runUntilIdle();

    const job = (await getJob(db, jobId))!;
    assert.equal(job.progress, 100);
    assert.equal(job.status, 'completed-with-errors');
    assert.equal(job.items.find((i) => i.mailboxId === a.id)?.status, 'done');
    assert.equal(job.items.find((i) => i.mailboxId === b.id)?.status, 'failed');

    const ma = await h.store.mailboxes.require(a.id);
    assert.equal(ma.incomingStatus, 'success');
    assert.equal(ma.outgoingStatus, 'success');
    assert.equal(ma.incomingEnabled && ma.outgoingEnabled, true);
    const orgId = (await h.store.settings.get()).orgId;
    assert.equal(h.fake.orgStampOf('a@us.example'), orgId);
    assert.ok(h.fake.items('a@us.example').some((m) => m.subject === 'Dovetail test message'), 'the test message arrived');
    assert.equal((await listEmails(h.useCases, { mailboxId: a.id })).length, 0, 'the test message is not tracked');
    const info = await h.store.alerts.list({ targetType: 'mailbox', targetId: a.id, level: 'information' });
    assert.ok(info.some((x) => x.code === 'test_and_enable_succeeded'));

    const mb = await h.store.mailboxes.require(b.id);
    assert.equal(mb.actStatus, 'failure', 'another org owns the mailbox');
    assert.equal(mb.nextActAt, null, 'a mailbox whose ACT test failed is not scheduled for ACT');
    assert.equal(mb.incomingStatus, 'success');
    assert.equal(h.fake.orgStampOf('b@us.example'), 'another-org');
    const profileAlerts = await h.store.alerts.list({ targetType: 'profile', targetId: profile.id });
    assert.ok(profileAlerts.some((x) => /another org/.test(x.message) && /this org only/.test(x.message)));

    // With "sync items with Exchange from this org only" the org takes the mailbox over.
    await h.store.settings.save({ ...(await h.store.settings.get()), syncOnlyFromThisOrg: true });
    const again = await createJob(db, h.deps, { kind: 'test-and-enable', mailboxIds: [b.id] });
    await h.worker.runUntilIdle();
    assert.equal((await getJob(db, again))?.status, 'succeeded');
    assert.equal(h.fake.orgStampOf('b@us.example'), orgId);
    const taken = await h.store.mailboxes.require(b.id);
    assert.equal(taken.actStatus, 'success');
    assert.notEqual(taken.nextActAt, null, 'ACT is scheduled once its test passes');
  });

  it('fails a test whose message never arrives, and reports what to do', async () => {
    const profile = await createProfile(h.store, { name: 'Lost' });
    const c = await createReadyMailbox(h.store, profile, 'c@us.example', { now: h.clock.now(), enabled: false });
    h.fake.addMailbox('c@us.example');
    h.fake.failNext('getMailboxInfo', new AppError('x', 'x'));
    h.fake.failNext('sendMessage', new AppError('unauthorized', 'Send As denied', { kind: 'auth', providerCode: 'ErrorSendAsDenied' }));
    const jobId = await createJob(syncDb(h.store.kysely), h.deps, { kind: 'test-and-enable', mailboxIds: [c.id] });
    await h.worker.runUntilIdle();
    const m = await h.store.mailboxes.require(c.id);
    assert.equal(m.outgoingStatus, 'failure');
    assert.equal(m.outgoingEnabled, false);
    assert.equal(m.incomingEnabled, true);
    const item = (await getJob(syncDb(h.store.kysely), jobId))!.items[0]!;
    assert.match(JSON.stringify(item.result), /ErrorSendAsDenied/);
  });

  it('does not process email of an unapproved mailbox until Approve Email runs', async () => {
    const profile = await createProfile(h.store, { name: 'Approval' });
    const d = await createReadyMailbox(h.store, profile, 'd@us.example', { now: h.clock.now() });
    await h.store.mailboxes.update(d.id, { approval: 'pending' });
    h.fake.addMailbox('d@us.example');
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all', processOnlyApprovedUsers: true });
    h.fake.deliver('d@us.example', { subject: 'hello', from: { address: 'x@customer.example' } });
    await h.worker.runUntilIdle();
    assert.equal((await listEmails(h.useCases, { mailboxId: d.id })).length, 0);
    const { mailboxSchedule } = await import('../../src/sync/schedule-view.ts');
    const sched = await mailboxSchedule(syncDb(h.store.kysely), d.id, h.clock.now());
    const incoming = sched!.pipelines.find((p) => p.pipeline === 'incoming')!;
    assert.equal(incoming.reason, 'awaiting-approval');
    assert.match(incoming.detail ?? '', /approval/);
    assert.ok(incoming.nextRunAt !== null && Date.parse(incoming.nextRunAt) - h.clock.now() <= 15 * 60_000, 'looks again within 15 minutes');

    const db = syncDb(h.store.kysely);
    const jobId = await createJob(db, h.deps, { kind: 'approve-email', mailboxIds: [d.id] });
    await h.worker.runUntilIdle();
    assert.equal((await getJob(db, jobId))?.status, 'succeeded');
    assert.equal((await h.store.mailboxes.require(d.id)).approval, 'approved');
    // The approval job makes the waiting pipelines due at once.
    assert.equal((await listEmails(h.useCases, { mailboxId: d.id })).length, 1);
  });

  it('approves a mailbox whose Test & Enable finished while its approval job was still queued', async () => {
    // Apply Default Email Settings tests the mailbox; Approve Email, queued right after, must still
    // approve it even when that test finishes before the approval job reaches the mailbox.
    const profile = await createProfile(h.store, { name: 'Apply then approve' });
    const m = await createReadyMailbox(h.store, profile, 'late@us.example', { now: h.clock.now(), enabled: false });
    await h.store.mailboxes.update(m.id, { approval: 'empty' });
    h.fake.addMailbox('late@us.example');
    const db = syncDb(h.store.kysely);
    const testJob = await createJob(db, h.deps, { kind: 'test-and-enable', mailboxIds: [m.id] });
    const approveJob = await createJob(db, h.deps, { kind: 'approve-email', mailboxIds: [m.id] });
    // The mailbox's test ends (as the Test & Enable pipeline reports it) before the job queue runs.
    await completeJobItems(db, m.id, true, { incoming: 'success' }, new Date(h.clock.now()));
    assert.equal((await getJob(db, testJob))?.status, 'succeeded');
    assert.equal((await getJob(db, approveJob))?.items[0]?.status, 'queued', 'a test result is not the approval job\'s outcome');
    await h.worker.runUntilIdle();
    assert.equal((await getJob(db, approveJob))?.status, 'succeeded');
    assert.equal((await h.store.mailboxes.require(m.id)).approval, 'approved');
  });

  it('fails the Test & Enable job item of a mailbox that cannot be synchronized, instead of leaving the job running', async () => {
    const profile = await createProfile(h.store, { name: 'Orphan' });
    const m = await createReadyMailbox(h.store, profile, 'orphan@us.example', { now: h.clock.now(), enabled: false });
    const db = syncDb(h.store.kysely);
    // The owner row is gone (deleted behind the API's back): the mailbox context cannot load.
    await db.deleteFrom('users').where('id', '=', m.ownerId).execute();
    const jobId = await createJob(db, h.deps, { kind: 'test-and-enable', mailboxIds: [m.id] });
    await h.worker.runUntilIdle();
    const job = (await getJob(db, jobId))!;
    assert.equal(job.status, 'completed-with-errors');
    assert.equal(job.items[0]?.status, 'failed');
    assert.match(String(job.items[0]?.result['error']), /owner/);
  });

  it('fails at once the Test & Enable item of a mailbox without a server profile, and tests the others', async () => {
    const profile = await createProfile(h.store, { name: 'Half set' });
    const bare = await createReadyMailbox(h.store, profile, 'bare@us.example', { now: h.clock.now(), enabled: false });
    const set = await createReadyMailbox(h.store, profile, 'set@us.example', { now: h.clock.now(), enabled: false });
    await h.store.mailboxes.update(bare.id, { profileId: null });
    h.fake.addMailbox('set@us.example');
    const db = syncDb(h.store.kysely);
    const jobId = await createJob(db, h.deps, { kind: 'test-and-enable', mailboxIds: [bare.id, set.id] });
    const first = (await getJob(db, jobId))!;
    assert.equal(first.items.find((i) => i.mailboxId === bare.id)?.status, 'failed');
    assert.match(String(first.items.find((i) => i.mailboxId === bare.id)?.result['error']), /no email server profile/);
    assert.equal(first.finishedAt, null, 'the other mailbox is still to be tested');
    await h.worker.runUntilIdle();
    const job = (await getJob(db, jobId))!;
    assert.equal(job.status, 'completed-with-errors');
    assert.deepEqual([job.done, job.failed], [1, 1]);
  });

  it('emails the profile owner when more than half of its mailboxes fail within an hour', async () => {
    const owner = await h.store.users.create({ fullName: 'Owner', emailAddress: 'owner@us.example' });
    const profile = await createProfile(h.store, { name: 'Majority', ownerUserId: owner.id, alertOwnerOnMajorEvents: true });
    const ownerProfile = await createProfile(h.store, { name: 'Owner profile' });
    const ownerBox = await h.store.mailboxes.create({
      ownerType: 'user', ownerId: owner.id, emailAddress: 'owner@us.example', profileId: ownerProfile.id,
      incomingMethod: 'none', outgoingMethod: 'server-side-sync', actMethod: 'none', approval: 'approved',
      incomingEnabled: false, outgoingEnabled: true, actEnabled: false,
    });
    await h.store.mailboxes.saveSyncState(ownerBox.id, { outgoingStatus: 'success' });
    h.fake.addMailbox('owner@us.example');
    const boxes = [];
    for (const name of ['e1', 'e2', 'e3']) {
      boxes.push(await createReadyMailbox(h.store, profile, `${name}@us.example`, { now: h.clock.now() }));
      h.fake.addMailbox(`${name}@us.example`);
    }
    for (const name of ['e1', 'e2']) h.fake.failNext('getFolder', new AppError('unauthorized', 'denied', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' }), 1, `${name}@us.example`);
    await h.worker.runUntilIdle();
    const sent = await listEmails(h.useCases, { mailboxId: ownerBox.id, direction: 'outgoing' });
    assert.equal(sent.length, 1, 'one alert email, not one per failed mailbox');
    assert.equal(sent[0]?.status, 'sent');
    assert.match(sent[0]!.subject, /more than half of the mailboxes of profile "Majority"/);
    assert.equal(sent[0]?.parties.find((p) => p.role === 'to')?.address, 'owner@us.example');
    const walls = await h.store.alerts.list({ targetType: 'profile', targetId: profile.id, ownerUserId: owner.id });
    assert.ok(walls.some((x) => x.code === 'profile_majority_failed'));
  });

  it('reports a profile the registry cannot open on every tested pipeline, without retrying in a loop', async () => {
    const profile = await createProfile(h.store, { name: 'Unsupported' });
    const u = await createReadyMailbox(h.store, profile, 'u@us.example', { now: h.clock.now(), enabled: false });
    const original = h.deps.openDriver;
    h.deps.openDriver = (p) => {
      if (p.name === 'Unsupported') {
        throw new AppError('driver_not_available', 'Profile "Unsupported": Autodiscover is not supported by this Dovetail build yet.', { kind: 'permanent', details: { remedy: 'Use a manual EWS location.' } });
      }
      return original(p);
    };
    try {
      const jobId = await createJob(syncDb(h.store.kysely), h.deps, { kind: 'test-and-enable', mailboxIds: [u.id] });
      const rounds = await h.worker.runUntilIdle(10);
      assert.ok(rounds < 10, 'the mailbox is not claimed over and over');
      const job = (await getJob(syncDb(h.store.kysely), jobId))!;
      assert.equal(job.status, 'completed-with-errors');
      assert.match(JSON.stringify(job.items[0]?.result), /Autodiscover is not supported/);
      assert.match(JSON.stringify(job.items[0]?.result), /manual EWS location/);
      const m = await h.store.mailboxes.require(u.id);
      assert.equal(m.incomingStatus, 'failure');
      assert.equal(m.nextTestAt, null);
    } finally {
      h.deps.openDriver = original;
    }
  });
});
