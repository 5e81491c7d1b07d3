/** Who changed what through the API or CLI. Secret values are recorded only as "set". */
export const ACTOR_TYPES = ['token', 'cli', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export type Actor = { type: ActorType; id: string | null; name: string };

export type AuditEntry = {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Record<string, unknown>;
};

export type AuditInput = Omit<AuditEntry, 'id' | 'at'>;

/** The value recorded in audit changes instead of a secret. */
export const SECRET_MARK = '(secret set)';
