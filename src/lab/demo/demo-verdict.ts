/**
 * Whether the demo has shown what it promises (every mailbox enabled; per mailbox its customer's
 * email tracked and its CRM email sent; per user mailbox its meeting synced), the summary it prints,
 * and the one-line events between two readings of its progress.
 */
import type { DemoOrg } from './demo-org.ts';
import { profileSummaries, type DemoProgress, type MailboxProgress, type ProfileSummary } from './demo-progress.ts';

export type DemoVerdict = {
  done: boolean;
  ok: boolean;
  reason: string | null;
  profiles: ProfileSummary[];
  emailsTracked: number;
  emailsSent: number;
  appointmentsSynced: number;
  mailboxes: MailboxProgress[];
};

/** What a mailbox still lacks, or an empty list when it has shown everything. */
export function missing(m: MailboxProgress, ownerType: 'user' | 'queue'): string[] {
  const out: string[] = [];
  if (!m.enabled) out.push(m.failure === null ? 'not enabled yet' : `not enabled: ${m.failure}`);
  if (m.tracked < 1) out.push('no tracked email');
  if (m.sent < 1) out.push('CRM email not sent');
  if (ownerType === 'user' && m.appointments < 1) out.push('meeting not synced');
  return out;
}

export function judgeDemo(progress: DemoProgress, org: DemoOrg, timedOut: boolean): DemoVerdict {
  const lacking = progress.mailboxes
    .map((m) => ({ m, gaps: missing(m, org.mailboxes.find((x) => x.address === m.address)?.ownerType ?? 'user') }))
    .filter((x) => x.gaps.length > 0);
  const ok = lacking.length === 0;
  // A mailbox Test & Enable failed for stays failed: no need to wait out the timeout for it.
  const settledFailure = progress.mailboxes.some((m) => m.failure !== null) && progress.mailboxes.every((m) => m.enabled || m.failure !== null);
  const done = ok || timedOut || (settledFailure && lacking.every((x) => x.m.failure !== null));
  const reason = ok ? null : lacking.map((x) => `${x.m.address} (${x.m.profile}): ${x.gaps.join(', ')}`).join('; ') + (timedOut ? ' (timed out)' : '');
  return {
    done,
    ok,
    reason: done ? reason : null,
    profiles: profileSummaries(progress),
    emailsTracked: progress.emailsTracked,
    emailsSent: progress.emailsSent,
    appointmentsSynced: progress.appointmentsSynced,
    mailboxes: progress.mailboxes,
  };
}

export function summaryLines(v: DemoVerdict): string[] {
  return [
    `Demo smoke: ${v.ok ? 'OK' : 'FAILED'}`,
    ...v.profiles.map((p) => `  ${p.label}: ${p.enabled}/${p.mailboxes} mailboxes enabled${p.failures.length ? ` (${p.failures.join('; ')})` : ''}`),
    `  emails tracked: ${v.emailsTracked}`,
    `  emails sent: ${v.emailsSent}`,
    `  appointments synced: ${v.appointmentsSynced}`,
    ...(v.reason === null ? [] : [`  reason: ${v.reason}`]),
  ];
}

/** One line per change since the previous reading: mailboxes enabled or failed, emails tracked or sent, meetings synced. */
export function demoEventLines(before: DemoProgress | undefined, after: DemoProgress): string[] {
  const lines: string[] = [];
  for (const m of after.mailboxes) {
    const was = before?.mailboxes.find((x) => x.address === m.address);
    if (m.enabled && was?.enabled !== true) lines.push(`dovetail   mailbox enabled     ${m.address} (${m.profile})`);
    if (m.failure !== null && was?.failure == null) lines.push(`dovetail   mailbox failed      ${m.address} (${m.profile}): ${m.failure}`);
    if (m.appointments > (was?.appointments ?? 0)) lines.push(`dovetail   appointments synced ${m.address}: ${m.appointments}`);
  }
  const seen = new Set((before?.emails ?? []).map((e) => e.id));
  for (const e of after.emails) {
    if (seen.has(e.id)) continue;
    lines.push(e.direction === 'incoming' ? `dovetail   email tracked       ${e.mailbox}  "${e.subject}"` : `dovetail   email sent          ${e.mailbox}  "${e.subject}"`);
  }
  return lines;
}
