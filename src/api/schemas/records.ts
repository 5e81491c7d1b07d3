/** Users, queues, alerts, audit entries and API tokens. */
import { Type } from 'typebox';
import { ALERT_LEVELS, ALERT_TARGETS } from '../../domain/alert.ts';
import { TOKEN_ROLES } from '../../domain/api-token.ts';
import { OWNER_TRACK_EMAIL_OPTIONS, type OwnerTrackEmails } from '../../domain/party.ts';
import { Nullable, Timestamp } from './common.ts';

const literalUnion = (values: ReadonlyArray<string>) => Type.Union(values.map((v) => Type.Literal(v)));

/** Which incoming email the owner's mailbox tracks; null follows the org's trackEmails (the default). */
const TrackEmails = Nullable(Type.Unsafe<OwnerTrackEmails>(literalUnion(OWNER_TRACK_EMAIL_OPTIONS)), {
  description:
    "Which incoming email this mailbox tracks: all, responses-to-crm, from-crm-parties, from-email-enabled-records (as the org's trackEmails) or none; null follows the org's email settings",
});

export const User = Type.Object({ id: Type.String(), fullName: Type.String(), emailAddress: Type.String(), trackEmails: TrackEmails, createdAt: Timestamp, updatedAt: Timestamp }, { $id: 'User' });
export const UserCreate = Type.Object(
  {
    fullName: Type.String(), emailAddress: Type.String(), trackEmails: Type.Optional(TrackEmails),
    createMailbox: Type.Optional(Type.Boolean({ description: 'Also create the user mailbox (default true)' })),
  },
  { additionalProperties: false },
);
export const UserPatch = Type.Object({ fullName: Type.Optional(Type.String()), emailAddress: Type.Optional(Type.String()), trackEmails: Type.Optional(TrackEmails) }, { additionalProperties: false });
export const UserCreated = Type.Object({ ...User.properties, mailboxId: Nullable(Type.String()) });

export const Queue = Type.Object({ id: Type.String(), name: Type.String(), emailAddress: Type.String(), trackEmails: TrackEmails, createdAt: Timestamp, updatedAt: Timestamp }, { $id: 'Queue' });
export const QueueCreate = Type.Object(
  {
    name: Type.String(), emailAddress: Type.String(), trackEmails: Type.Optional(TrackEmails),
    createMailbox: Type.Optional(Type.Boolean({ description: 'Also create the queue mailbox (default true)' })),
  },
  { additionalProperties: false },
);
export const QueuePatch = Type.Object({ name: Type.Optional(Type.String()), emailAddress: Type.Optional(Type.String()), trackEmails: Type.Optional(TrackEmails) }, { additionalProperties: false });
export const QueueCreated = Type.Object({ ...Queue.properties, mailboxId: Nullable(Type.String()) });

export const Alert = Type.Object(
  {
    id: Type.String(), level: literalUnion(ALERT_LEVELS), targetType: literalUnion(ALERT_TARGETS), targetId: Type.String(), ownerUserId: Nullable(Type.String()),
    code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()), createdAt: Timestamp, dismissedAt: Nullable(Timestamp),
  },
  { $id: 'Alert' },
);
export const AlertQuery = Type.Object({
  targetType: Type.Optional(literalUnion(ALERT_TARGETS)),
  targetId: Type.Optional(Type.String()),
  level: Type.Optional(literalUnion(ALERT_LEVELS)),
  includeDismissed: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const AuditEntry = Type.Object(
  {
    id: Type.String(), at: Timestamp,
    actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), name: Type.String() }),
    action: Type.String(), entityType: Type.String(), entityId: Nullable(Type.String()), changes: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEntry' },
);
export const AuditQuery = Type.Object({
  entityType: Type.Optional(Type.String()),
  entityId: Type.Optional(Type.String()),
  before: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const ApiToken = Type.Object(
  {
    id: Type.String(), name: Type.String(), role: literalUnion(TOKEN_ROLES), userId: Nullable(Type.String()), prefix: Type.String(),
    createdAt: Timestamp, lastUsedAt: Nullable(Timestamp), revokedAt: Nullable(Timestamp),
  },
  { $id: 'ApiToken' },
);
export const TokenCreate = Type.Object(
  { name: Type.String(), role: literalUnion(TOKEN_ROLES), userId: Type.Optional(Nullable(Type.String())) },
  { additionalProperties: false },
);
export const TokenCreated = Type.Object({ token: Type.String({ description: 'The token value. Shown only in this response.' }), record: Type.Ref('ApiToken') });
