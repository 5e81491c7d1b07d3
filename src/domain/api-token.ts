/**
 * API tokens: the only way into the admin API. Only a hash is stored; the token is shown once.
 * Roles: administrator (everything), mailbox-owner (reads, and changes to the mailboxes of its
 * user), read-only (reads, never secrets since none are ever returned).
 */
export const TOKEN_ROLES = ['administrator', 'mailbox-owner', 'read-only'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export type ApiToken = {
  id: string;
  name: string;
  role: TokenRole;
  /** The user whose mailboxes a mailbox-owner token may change; null for other roles. */
  userId: string | null;
  /** The first characters of the token, to recognise it in lists. Not enough to use it. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** Tokens look like dvt_<43 base64url chars>: a recognisable prefix for secret scanners. */
export const TOKEN_PREFIX = 'dvt_';
