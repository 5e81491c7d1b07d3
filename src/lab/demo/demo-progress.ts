/**
 * What the demo has achieved so far, read back through the use cases (mailboxes, email activities)
 * and, for appointments, from the links the appointments/contacts/tasks pipeline keeps.
 */
import { sql } from 'kysely';
import { listEmails } from '../../crm/email-activities.ts';
import { getMailbox } from '../../use-cases/mailboxes.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { PROFILE_LABELS, type DemoOrg, type DemoProfileKind } from './demo-org.ts';

export type MailboxProgress = {
  address: string;
  profile: DemoProfileKind;
  enabled: boolean;
  /** Test & Enable ran and some pipeline failed: the reason Dovetail recorded. */
  failure: string | null;
  tracked: number;
  sent: number;
  appointments: number;
};

export type DemoProgress = {
  mailboxes: MailboxProgress[];
  emailsTracked: number;
  emailsSent: number;
  appointmentsSynced: number;
  /** Tracked and sent email activities, for the live event lines. */
  emails: Array<{ id: string; direction: 'incoming' | 'outgoing'; status: string; subject: string; mailbox: string }>;
};

export async function readDemoProgress(ctx: UseCaseContext, org: DemoOrg): Promise<DemoProgress> {
  const appointments = await appointmentLinks(ctx);
  const mailboxes: MailboxProgress[] = [];
  const emails: DemoProgress['emails'] = [];
  for (const m of org.mailboxes) {
    const mailbox = await getMailbox(ctx, m.id);
    const pipelines = m.ownerType === 'user'
      ? [mailbox.incomingStatus, mailbox.outgoingStatus, mailbox.actStatus]
      : [mailbox.incomingStatus, mailbox.outgoingStatus];
    const enabled = mailbox.incomingEnabled && mailbox.outgoingEnabled && (m.ownerType === 'queue' || mailbox.actEnabled);
    const failed = pipelines.includes('failure');
    const incoming = await listEmails(ctx, { mailboxId: m.id, direction: 'incoming' });
    const outgoing = await listEmails(ctx, { mailboxId: m.id, direction: 'outgoing', status: 'sent' });
    for (const e of [...incoming, ...outgoing]) emails.push({ id: e.id, direction: e.direction, status: e.status, subject: e.subject, mailbox: m.address });
    mailboxes.push({
      address: m.address,
      profile: m.profile,
      enabled,
      failure: failed ? (mailbox.lastErrorMessage ?? 'Test & Enable failed') : null,
      tracked: incoming.length,
      sent: outgoing.length,
      appointments: appointments.get(m.id) ?? 0,
    });
  }
  return {
    mailboxes,
    emailsTracked: sum(mailboxes, 'tracked'),
    emailsSent: sum(mailboxes, 'sent'),
    appointmentsSynced: sum(mailboxes, 'appointments'),
    emails,
  };
}

/** Appointments linked to an Exchange item, per mailbox; none while the ACT tables do not exist yet. */
async function appointmentLinks(ctx: UseCaseContext): Promise<Map<string, number>> {
  try {
    const r = await sql<{ mailbox_id: string; n: number | string }>`
      select mailbox_id, count(*) as n from act_links
       where kind = 'appointment' and remote_id is not null
       group by mailbox_id`.execute(ctx.store.kysely);
    return new Map(r.rows.map((row) => [row.mailbox_id, Number(row.n)]));
  } catch {
    return new Map();
  }
}

function sum(list: MailboxProgress[], key: 'tracked' | 'sent' | 'appointments'): number {
  return list.reduce((n, m) => n + m[key], 0);
}

export type ProfileSummary = { profile: DemoProfileKind; label: string; mailboxes: number; enabled: number; failures: string[] };

export function profileSummaries(progress: DemoProgress): ProfileSummary[] {
  return (Object.keys(PROFILE_LABELS) as DemoProfileKind[]).map((profile) => {
    const of = progress.mailboxes.filter((m) => m.profile === profile);
    return {
      profile,
      label: PROFILE_LABELS[profile],
      mailboxes: of.length,
      enabled: of.filter((m) => m.enabled).length,
      failures: of.filter((m) => m.failure !== null).map((m) => `${m.address}: ${m.failure}`),
    };
  });
}
