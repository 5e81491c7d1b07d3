import { Type } from 'typebox';
import { ALERT_LEVELS } from '../../domain/alert.ts';
import { MAX_ATTACHMENT_SIZE_KB, RECIPIENT_DUPLICATE_RULES, SENDER_DUPLICATE_RULES, SYNC_METHODS, TRACK_EMAIL_OPTIONS } from '../../domain/settings.ts';
import { Nullable, Timestamp } from './common.ts';

const literalUnion = (values: ReadonlyArray<string>, options: { description?: string } = {}) => Type.Union(values.map((v) => Type.Literal(v)), options);

const TokenFormat = Type.Object({
  prefix: Type.String({ maxLength: 20 }),
  baseDigits: Type.Integer({ minimum: 1, maximum: 9 }),
  userDigits: Type.Integer({ minimum: 1, maximum: 9 }),
  counterDigits: Type.Integer({ minimum: 1, maximum: 9 }),
});

const fields = {
  defaultProfileId: Nullable(Type.String()),
  incomingMethod: literalUnion(SYNC_METHODS),
  outgoingMethod: literalUnion(SYNC_METHODS),
  actMethod: literalUnion(SYNC_METHODS),
  processOnlyApprovedUsers: Type.Boolean(),
  processOnlyApprovedQueues: Type.Boolean(),
  trackEmails: literalUnion(TRACK_EMAIL_OPTIONS),
  useTrackingToken: Type.Boolean(),
  trackingTokenFormat: TokenFormat,
  useInReplyTo: Type.Boolean(),
  useConversationIndex: Type.Boolean(),
  useSmartMatching: Type.Boolean(),
  syncOnlyFromThisOrg: Type.Boolean({ description: 'Sync items with Exchange from this org only, even if Exchange was set to sync with a different org' }),
  defaultExchangeOnlineTenantId: Nullable(Type.String()),
  alertMailboxOwners: Type.Boolean({ description: "Alerts on a mailbox's wall also go to its owner" }),
  // Repeats and unknown levels are refused by the domain rules, with the field named.
  alertLevels: Type.Array(literalUnion(ALERT_LEVELS), {
    description:
      "Which alert levels are recorded on the alert walls (default all three). An alert of a level left out is not recorded; a mailbox's last error stays on the mailbox either way",
  }),
  senderDuplicateRule: literalUnion(SENDER_DUPLICATE_RULES, {
    description: 'A sender matching several records of the first kind found (user, queue, contact, account, lead): the oldest, the newest, or leave it unresolved',
  }),
  recipientDuplicateRule: literalUnion(RECIPIENT_DUPLICATE_RULES, { description: 'A To/Cc/Bcc address matching several records: all of them, or leave it unresolved' }),
  // The range is checked by the domain rules, so the message names the field like every other one.
  maxAttachmentSizeKb: Type.Integer({
    description: `Incoming attachments larger than this (KB, ${MAX_ATTACHMENT_SIZE_KB.min} to ${MAX_ATTACHMENT_SIZE_KB.max}, default ${MAX_ATTACHMENT_SIZE_KB.default}) are not stored; the email activity lists what was left out`,
  }),
};

export const OrgEmailSettings = Type.Object({ ...fields, orgId: Type.String(), updatedAt: Timestamp }, { $id: 'OrgEmailSettings' });

export const OrgEmailSettingsPatch = Type.Partial(Type.Object({ ...fields, trackingTokenFormat: Type.Partial(TokenFormat) }), { additionalProperties: false });
