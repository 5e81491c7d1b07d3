import { Type } from 'typebox';
import { APPROVAL_STATES, OWNER_TYPES, PIPELINE_STATUSES } from '../../domain/mailbox.ts';
import { SYNC_METHODS } from '../../domain/settings.ts';
import { IdList, Nullable, Timestamp } from './common.ts';

const literalUnion = (values: ReadonlyArray<string>) => Type.Union(values.map((v) => Type.Literal(v)));

const config = {
  emailAddress: Type.String(),
  profileId: Nullable(Type.String()),
  incomingMethod: literalUnion(SYNC_METHODS),
  outgoingMethod: literalUnion(SYNC_METHODS),
  actMethod: literalUnion(SYNC_METHODS),
  approval: literalUnion(APPROVAL_STATES),
  incomingEnabled: Type.Boolean(),
  outgoingEnabled: Type.Boolean(),
  actEnabled: Type.Boolean(),
  processEmailFrom: Nullable(Type.String(), {
    description: "Email received before this is left alone; incoming uses the later of this and the profile's (ISO 8601 date-time, null for none)",
  }),
};

export const Mailbox = Type.Object(
  {
    id: Type.String(),
    ownerType: literalUnion(OWNER_TYPES),
    ownerId: Type.String(),
    ...config,
    incomingStatus: literalUnion(PIPELINE_STATUSES),
    outgoingStatus: literalUnion(PIPELINE_STATUSES),
    actStatus: literalUnion(PIPELINE_STATUSES),
    nextIncomingAt: Nullable(Timestamp),
    nextOutgoingAt: Nullable(Timestamp),
    nextActAt: Nullable(Timestamp),
    nextTestAt: Nullable(Timestamp),
    leaseOwner: Nullable(Type.String()),
    leaseEpoch: Type.Integer(),
    leaseExpiresAt: Nullable(Timestamp),
    lastErrorCode: Nullable(Type.String()),
    lastErrorMessage: Nullable(Type.String()),
    lastErrorAt: Nullable(Timestamp),
    lastCycleProcessed: Type.Integer(),
    lastCycleFailed: Type.Integer(),
    transientFailureCount: Type.Integer(),
    lastSyncAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Mailbox' },
);

const { emailAddress, ...configRest } = config;

export const MailboxCreate = Type.Object(
  { ownerType: literalUnion(OWNER_TYPES), ownerId: Type.String(), emailAddress, ...Type.Partial(Type.Object(configRest)).properties },
  { additionalProperties: false },
);

export const MailboxPatch = Type.Partial(Type.Object(config), { additionalProperties: false });

export const MailboxQuery = Type.Object({
  profileId: Type.Optional(Type.String()),
  ownerType: Type.Optional(literalUnion(OWNER_TYPES)),
  ownerId: Type.Optional(Type.String()),
  approval: Type.Optional(literalUnion(APPROVAL_STATES)),
});

export const BulkEdit = Type.Object({ ids: IdList.properties.ids, changes: MailboxPatch }, { additionalProperties: false });
export const ApplyDefaults = Type.Object({ ids: IdList.properties.ids, testAndEnable: Type.Optional(Type.Boolean({ default: true })) }, { additionalProperties: false });

export const MailboxResults = Type.Array(
  Type.Object({
    id: Type.String(),
    ok: Type.Boolean(),
    mailbox: Type.Optional(Type.Ref('Mailbox')),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  }),
);
