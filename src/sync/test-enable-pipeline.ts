/**
 * Test & Enable for one leased mailbox, as Dynamics does it, pipeline by pipeline:
 * - incoming: find the Inbox and read it;
 * - outgoing: send a test message to the mailbox itself and see it arrive in its Inbox;
 * - appointments, contacts and tasks: the calendar, contacts and tasks folders are reachable;
 * - the org stamp in the mailbox: ours, none (we stamp it), or another org's (taken over when
 *   "sync items with Exchange from this org only" is set, otherwise ACT fails and says why).
 * Each tested pipeline gets its status (success/failure) and is enabled when it passed; the
 * mailbox owner gets an alert either way, the profile owner on failure.
 */
import { AppError, toError } from '../errors.ts';
import type { MailboxDriver, RemoteFolderId } from '../exchange/driver.ts';
import { mailboxAlert, profileAlert } from './alerts.ts';
import type { EngineDeps } from './engine-deps.ts';
import { completeJobItems } from './jobs.ts';
import { fenced, type Lease } from './leases.ts';
import type { MailboxContext } from './mailbox-context.ts';
import { testMessageId } from './outbox.ts';
import { decide, type PipelineName } from './policy.ts';
import { syncDb } from './sync-tables.ts';

export type PipelineCheck = { ok: boolean; detail: string; remedy?: string; errorCode?: string };
export type TestReport = Partial<Record<PipelineName, PipelineCheck>> & { orgStamp?: PipelineCheck };

export const testSubject = 'Dovetail test message';

export async function runTestAndEnable(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver): Promise<TestReport> {
  const m = ctx.mailbox;
  const address = m.emailAddress;
  const report: TestReport = {};

  if (m.incomingMethod === 'server-side-sync') {
    report.incoming = await check('incoming', async () => {
      const inbox = await driver.getFolder(address, 'inbox');
      await driver.syncMessages(address, inbox.id as RemoteFolderId, null, 1);
      return 'The Inbox was found and read.';
    });
  }

  if (m.outgoingMethod === 'server-side-sync') {
    report.outgoing = await check('outgoing', async () => {
      const messageId = testMessageId(deps.random.uuid(), deps.options.messageIdDomain);
      await driver.sendMessage(address, {
        internetMessageId: messageId,
        from: { address },
        to: [{ address }],
        cc: [],
        bcc: [],
        subject: testSubject,
        body: { type: 'text', content: 'Dovetail sent this message to test that this mailbox can send email. You can delete it.' },
        attachments: [],
        stamp: { orgId: ctx.settings.orgId },
      });
      const inbox = await driver.getFolder(address, 'inbox');
      const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
      const deadline = deps.clock.now() + deps.options.testArrivalTimeoutMs;
      for (;;) {
        const found = await driver.findByInternetMessageId(address, inbox.id as RemoteFolderId, messageId);
        if (found.length > 0) return 'A test message was sent to the mailbox itself and arrived.';
        if (deps.clock.now() >= deadline) {
          throw new AppError('test_message_not_received', `The test message was sent but did not arrive within ${Math.round(deps.options.testArrivalTimeoutMs / 1000)} s.`, { kind: 'transient' });
        }
        await sleep(deps.options.testArrivalPollMs);
      }
    });
  }

  const needsStamp = m.incomingMethod === 'server-side-sync' || m.actMethod === 'server-side-sync';
  if (needsStamp) {
    report.orgStamp = await check('act', async () => {
      const current = await driver.getOrgStamp(address);
      if (current === ctx.settings.orgId) return 'The mailbox is synchronized with this org.';
      if (current === null) {
        await driver.setOrgStamp(address, ctx.settings.orgId);
        return 'The mailbox was stamped for this org.';
      }
      if (ctx.settings.syncOnlyFromThisOrg) {
        await driver.setOrgStamp(address, ctx.settings.orgId);
        return `The mailbox was synchronized with org ${current}; this org took it over ("sync items with Exchange from this org only").`;
      }
      throw new AppError('mailbox_owned_by_other_org', `The mailbox is synchronized with another org (${current}).`, {
        kind: 'permanent',
        details: { remedy: 'Select "Sync items with Exchange from this org only" in the org email settings if this org should synchronize it, then Test & Enable again.' },
      });
    });
  }

  if (m.actMethod === 'server-side-sync') {
    const act = await check('act', async () => {
      for (const folder of ['calendar', 'contacts', 'tasks'] as const) await driver.getFolder(address, folder);
      return 'The calendar, contacts and tasks folders are reachable.';
    });
    report.act = report.orgStamp !== undefined && !report.orgStamp.ok ? report.orgStamp : act;
  }

  await record(deps, ctx, lease, report);
  return report;
}

async function check(pipeline: PipelineName, run: () => Promise<string>): Promise<PipelineCheck> {
  try {
    return { ok: true, detail: await run() };
  } catch (error) {
    if (!(error instanceof AppError)) return { ok: false, detail: toError(error).message, remedy: 'An unexpected error occurred: try again.' };
    const action = decide(pipeline, 'connect', error, 0);
    const given = typeof error.details['remedy'] === 'string' ? (error.details['remedy'] as string) : undefined;
    const remedy = given ?? (action.type === 'disable-pipeline' ? action.alert.remedy : 'This looks temporary: run Test & Enable again later.');
    return { ok: false, detail: `${error.providerCode ?? error.code}: ${error.message}`, remedy, errorCode: error.providerCode ?? error.code };
  }
}

async function record(deps: EngineDeps, ctx: MailboxContext, lease: Lease, report: TestReport): Promise<void> {
  const now = new Date(deps.clock.now());
  const patch: Record<string, unknown> = { next_test_at: null, updated_at: now };
  const labels: Record<PipelineName, string> = { incoming: 'Incoming email', outgoing: 'Outgoing email', act: 'Appointments, contacts and tasks' };
  const lines: string[] = [];
  let allOk = true;
  for (const p of ['incoming', 'outgoing', 'act'] as const) {
    const c = report[p];
    if (c === undefined) continue;
    patch[`${p}_status`] = c.ok ? 'success' : 'failure';
    patch[`${p}_enabled`] = c.ok;
    if (p === 'incoming') patch['next_incoming_at'] = c.ok ? now : null;
    // Email that waited while the mailbox could not send goes out now.
    if (p === 'outgoing') patch['next_outgoing_at'] = c.ok ? now : null;
    // Appointments, contacts and tasks start syncing as soon as their test passes (the ACT runner claims by next_act_at).
    if (p === 'act') patch['next_act_at'] = c.ok ? now : null;
    if (!c.ok) {
      allOk = false;
      patch['last_error_code'] = c.errorCode ?? 'test_failed';
      patch['last_error_message'] = c.detail;
      patch['last_error_at'] = now;
    }
    lines.push(`${labels[p]}: ${c.ok ? 'success' : 'failure'}. ${c.detail}${c.ok || c.remedy === undefined ? '' : ` ${c.remedy}`}`);
  }
  await fenced(syncDb(deps.store.kysely), lease, async (tx) => {
    await tx.updateTable('mailboxes').set(patch as never).where('id', '=', ctx.mailbox.id).execute();
    const text = { code: allOk ? 'test_and_enable_succeeded' : 'test_and_enable_failed', message: lines.join('\n'), details: { report } };
    if (allOk) {
      await mailboxAlert(tx, deps, ctx, { level: 'information', ...text, message: `The email configuration of ${ctx.mailbox.emailAddress} was completed.\n${text.message}` });
    } else {
      await mailboxAlert(tx, deps, ctx, { level: 'error', ...text });
      await profileAlert(tx, deps, ctx, { level: 'error', ...text });
    }
    await completeJobItems(tx, ctx.mailbox.id, allOk, report as Record<string, unknown>, now);
  });
}
