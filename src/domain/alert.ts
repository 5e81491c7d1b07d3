/** Messages on a mailbox's or profile owner's alert wall (Dynamics "Alerts"). */
export const ALERT_LEVELS = ['error', 'warning', 'information'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_TARGETS = ['mailbox', 'profile'] as const;
export type AlertTargetType = (typeof ALERT_TARGETS)[number];

export type Alert = {
  id: string;
  level: AlertLevel;
  targetType: AlertTargetType;
  targetId: string;
  /** Whose wall shows it: the mailbox owner or the profile owner; null when nobody owns it. */
  ownerUserId: string | null;
  code: string;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  dismissedAt: string | null;
};

export type AlertInput = Omit<Alert, 'id' | 'createdAt' | 'dismissedAt' | 'details'> & { details?: Record<string, unknown> };
