/**
 * Turns the addresses on an email into CRM parties.
 * - The sender resolves to one record, looked for in this order: user, queue, contact, account,
 *   lead. When several records of the first kind that matches share the address, the duplicate
 *   rule decides: the oldest record, the most recently created, or leave the sender unresolved.
 * - Each To/Cc/Bcc address resolves to every matching record, or, when the org asks for it,
 *   stays unresolved as soon as more than one record matches (Dynamics' "set To, cc, bcc fields
 *   as unresolved values if multiple matches are found").
 * Resolution never decides how many activities exist: one email is one activity whoever its
 * parties are, so a queue and a user sharing an address only appear as two parties.
 */
import type { EmailAddress, EmailMessage } from '../exchange/driver.ts';

export type PartyKind = 'user' | 'queue' | 'contact' | 'account' | 'lead';
export const senderOrder: ReadonlyArray<PartyKind> = ['user', 'queue', 'contact', 'account', 'lead'];

export type PartyRecord = { kind: PartyKind; id: string; address: string; createdAt: number };
export type PartyRef = { kind: PartyKind; id: string };

export type ResolutionOptions = {
  senderDuplicates: 'oldest' | 'newest' | 'unresolved';
  recipientsWhenSeveral: 'all' | 'unresolved';
};

export const defaultResolutionOptions: ResolutionOptions = { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' };

export type PartyRole = 'from' | 'to' | 'cc' | 'bcc';

/** One address on the email; `records` empty means unresolved (the address is kept as typed). */
export type ResolvedParty = { role: PartyRole; address: string; name?: string; records: PartyRef[] };

/** Every address the resolver will ask about, lower case, once each. */
export function addressesToResolve(email: Pick<EmailMessage, 'from' | 'sender' | 'to' | 'cc' | 'bcc'>): string[] {
  const all = [email.from ?? email.sender, ...email.to, ...email.cc, ...email.bcc].filter((a) => a !== undefined);
  return [...new Set(all.map((a) => a.address.toLowerCase()))];
}

export function resolveSender(matches: ReadonlyArray<PartyRecord>, options: ResolutionOptions): PartyRef[] {
  for (const kind of senderOrder) {
    const ofKind = matches.filter((m) => m.kind === kind);
    if (ofKind.length === 0) continue;
    if (ofKind.length > 1 && options.senderDuplicates === 'unresolved') return [];
    // Ties on creation time fall to the id, so the choice never depends on the order of the rows.
    const older = (a: PartyRecord, b: PartyRecord) => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
    const pick = ofKind.reduce((a, b) => ((options.senderDuplicates === 'newest' ? older(a, b) : older(b, a)) ? b : a));
    return [{ kind: pick.kind, id: pick.id }];
  }
  return [];
}

export function resolveRecipient(matches: ReadonlyArray<PartyRecord>, options: ResolutionOptions): PartyRef[] {
  if (matches.length > 1 && options.recipientsWhenSeveral === 'unresolved') return [];
  const seen = new Set<string>();
  const out: PartyRef[] = [];
  for (const kind of senderOrder) {
    for (const m of matches.filter((x) => x.kind === kind).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))) {
      const key = `${m.kind}:${m.id}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ kind: m.kind, id: m.id });
      }
    }
  }
  return out;
}

/** `records` holds every record whose address is one of addressesToResolve(email). */
export function resolveParties(
  email: Pick<EmailMessage, 'from' | 'sender' | 'to' | 'cc' | 'bcc'>,
  records: ReadonlyArray<PartyRecord>,
  options: ResolutionOptions,
): ResolvedParty[] {
  const byAddress = (address: string): PartyRecord[] => records.filter((r) => r.address.toLowerCase() === address.toLowerCase());
  const party = (role: PartyRole, a: EmailAddress, refs: PartyRef[]): ResolvedParty =>
    a.name === undefined ? { role, address: a.address, records: refs } : { role, address: a.address, name: a.name, records: refs };
  const out: ResolvedParty[] = [];
  const sender = email.from ?? email.sender;
  if (sender) out.push(party('from', sender, resolveSender(byAddress(sender.address), options)));
  const lists: Array<[PartyRole, EmailAddress[]]> = [
    ['to', email.to],
    ['cc', email.cc],
    ['bcc', email.bcc],
  ];
  for (const [role, list] of lists) {
    const seen = new Set<string>();
    for (const a of list) {
      const key = a.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(party(role, a, resolveRecipient(byAddress(a.address), options)));
    }
  }
  return out;
}
