/**
 * Everything a pipeline run needs to know about one mailbox, read once at the start of the run:
 * the mailbox, its profile, the org settings, its owner and the owner's tracking choice, and
 * whether each pipeline may run at all (and if not, why).
 */
import { isApprovalSatisfied, type Mailbox } from '../domain/mailbox.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import type { OrgEmailSettings } from '../domain/settings.ts';
import type { ResolutionOptions } from '../crm/address-resolution.ts';
import type { CorrelationOptions } from '../crm/correlation.ts';
import type { TrackingRule } from '../crm/tracking-rules.ts';
import { defaultTrackingRule, trackingRules } from '../crm/tracking-rules.ts';
import type { TokenFormat } from '../crm/tracking-token.ts';
import { AppError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { syncDb } from './sync-tables.ts';

export type MailboxOwner = { type: 'user' | 'queue'; id: string; emailAddress: string; name: string; trackingRule: TrackingRule };

export type MailboxContext = {
  mailbox: Mailbox;
  profile: EmailServerProfile;
  settings: OrgEmailSettings;
  owner: MailboxOwner;
};

/** `recheck`: the obstacle may go away without anyone touching the mailbox again (approval), so look again later. */
export type Eligibility = { ok: true } | { ok: false; reason: string; recheck?: boolean };

/** The org's "track" option in the words of crm/tracking-rules.ts. */
const orgTrackingRule: Record<OrgEmailSettings['trackEmails'], TrackingRule> = {
  all: 'all',
  'responses-to-crm': 'responses',
  'from-crm-parties': 'crm-records',
  'from-email-enabled-records': 'email-enabled-records',
};

export async function loadMailboxContext(store: Store, mailboxId: string): Promise<MailboxContext> {
  const mailbox = await store.mailboxes.require(mailboxId);
  if (mailbox.profileId === null) {
    throw new AppError('mailbox_without_profile', `Mailbox ${mailbox.emailAddress} has no email server profile.`, { kind: 'invalid-input' });
  }
  const profile = await store.profiles.require(mailbox.profileId);
  const settings = await store.settings.get();
  const db = syncDb(store.kysely);
  const row =
    mailbox.ownerType === 'user'
      ? await db.selectFrom('users').select(['id', 'email_address', 'full_name as name', 'track_emails']).where('id', '=', mailbox.ownerId).executeTakeFirst()
      : await db.selectFrom('queues').select(['id', 'email_address', 'name', 'track_emails']).where('id', '=', mailbox.ownerId).executeTakeFirst();
  if (row === undefined) throw new AppError('mailbox_owner_missing', `The owner of mailbox ${mailbox.emailAddress} no longer exists.`, { kind: 'permanent' });
  const personal = trackingRules.find((r) => r === row.track_emails);
  return {
    mailbox,
    profile,
    settings,
    owner: {
      type: mailbox.ownerType,
      id: row.id,
      emailAddress: row.email_address,
      name: row.name,
      trackingRule: personal ?? orgTrackingRule[settings.trackEmails] ?? defaultTrackingRule,
    },
  };
}

function approval(ctx: MailboxContext): Eligibility {
  return isApprovalSatisfied(ctx.mailbox, ctx.settings)
    ? { ok: true }
    : { ok: false, recheck: true, reason: `email approval is required for ${ctx.mailbox.ownerType === 'user' ? 'users' : 'queues'} and this mailbox is ${ctx.mailbox.approval}` };
}

export function incomingEligibility(ctx: MailboxContext): Eligibility {
  const m = ctx.mailbox;
  if (m.incomingMethod !== 'server-side-sync') return { ok: false, reason: 'incoming email is not set to server-side synchronization' };
  if (!m.incomingEnabled) return { ok: false, reason: 'incoming email is not enabled (run Test & Enable)' };
  if (m.incomingStatus !== 'success') return { ok: false, reason: 'incoming email has not passed Test & Enable' };
  return approval(ctx);
}

export function outgoingEligibility(ctx: MailboxContext): Eligibility {
  const m = ctx.mailbox;
  if (m.outgoingMethod !== 'server-side-sync') return { ok: false, reason: 'outgoing email is not set to server-side synchronization' };
  if (!m.outgoingEnabled) return { ok: false, reason: 'outgoing email is not enabled (run Test & Enable)' };
  if (m.outgoingStatus !== 'success') return { ok: false, reason: 'outgoing email has not passed Test & Enable' };
  return approval(ctx);
}

/** "Process email from": the later of the profile's and the mailbox's (null when neither has one). */
export function processFrom(ctx: MailboxContext): number | null {
  const times = [ctx.profile.processEmailFrom, ctx.mailbox.processEmailFrom].filter((t): t is string => t !== null).map((t) => Date.parse(t));
  return times.length === 0 ? null : Math.max(...times);
}

/** The token format the correlation code uses: the prefix and all the digits of Dynamics' format. */
export function tokenFormat(settings: OrgEmailSettings): TokenFormat {
  const f = settings.trackingTokenFormat;
  return { prefix: f.prefix, digits: f.baseDigits + f.userDigits + f.counterDigits };
}

/** The org's rules for addresses matching several records, in the words of crm/address-resolution.ts. */
export function resolutionOptions(settings: OrgEmailSettings): ResolutionOptions {
  return { senderDuplicates: settings.senderDuplicateRule, recipientsWhenSeveral: settings.recipientDuplicateRule };
}

export function correlationOptions(settings: OrgEmailSettings): CorrelationOptions {
  return {
    inReplyTo: settings.useInReplyTo,
    trackingToken: settings.useTrackingToken,
    tokenFormat: tokenFormat(settings),
    conversationIndex: settings.useConversationIndex,
    smartMatching: settings.useSmartMatching,
  };
}
