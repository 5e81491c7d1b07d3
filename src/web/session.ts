/**
 * Who is signed in, from GET /api/me: the token's name and role, and for a mailbox owner the user
 * and mailboxes it belongs to. Pages ask the helpers below what the role may do and hide the rest;
 * the API enforces the same rules whatever the page shows.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { call } from './api-client.ts';
import type { Me } from './types.ts';

export type Role = Me['role'];
export type Session = { token: string; role: Role; me: Me };

/** Checks the token (401 -> ApiError) and reads who it is. */
export async function openSession(token: string): Promise<Session> {
  const me = await call<Me>('GET', '/api/me', undefined, token);
  return { token, role: me.role, me };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside a signed-in page');
  return s;
}

export const canAdminister = (s: Session) => s.role === 'administrator';
export const canOperate = (s: Session) => s.role !== 'read-only';
/** Whether the session may change this mailbox: administrators any, a mailbox owner its own. */
export const canChangeMailbox = (s: Session, mailboxId: string) => s.role === 'administrator' || (s.role === 'mailbox-owner' && s.me.mailboxes.some((m) => m.id === mailboxId));
/** Pages whose API reads need a role: the audit log (administrators and read-only), tokens and HMA (administrators). */
export const canReadAudit = (s: Session) => s.role !== 'mailbox-owner';
