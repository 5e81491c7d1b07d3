/**
 * When the owner of an email server profile gets an alert email: the profile asks for it, and
 * more than half of its mailboxes failed within the last hour (Dynamics' "send an alert email to
 * the owner of the email server profile reporting on major events"). One email per profile per
 * hour at most, so a long outage does not flood the owner.
 */
export const profileAlertWindowMs = 60 * 60_000;

export type ProfileAlertFacts = {
  enabled: boolean;
  /** Mailboxes of the profile that have at least one pipeline enabled. */
  activeMailboxes: number;
  /** Distinct mailboxes of the profile with a failed run in the window. */
  failedMailboxes: number;
  lastAlertAt: number | null;
  now: number;
};

export function profileAlertRule(f: ProfileAlertFacts): boolean {
  if (!f.enabled || f.activeMailboxes === 0) return false;
  if (f.failedMailboxes * 2 <= f.activeMailboxes) return false;
  return f.lastAlertAt === null || f.now - f.lastAlertAt >= profileAlertWindowMs;
}
