/**
 * Fixtures for engine tests: a profile, users with mailboxes ready for sync (approved, tested,
 * enabled, due now), CRM records.
 */
import type { Mailbox } from '../../src/domain/mailbox.ts';
import type { EmailServerProfile, ProfileFields } from '../../src/domain/profile.ts';
import { profileDefaults } from '../../src/domain/profile.ts';
import type { Store } from '../../src/store/store.ts';

export async function createProfile(store: Store, over: Partial<ProfileFields> = {}): Promise<EmailServerProfile> {
  const auth = { type: 'credentials' as const, protocol: 'basic' as const, userName: 'svc-dovetail' };
  const fields: ProfileFields = {
    ...profileDefaults(auth),
    name: over.name ?? 'Exchange',
    serverType: 'exchange-server',
    auth,
    autodiscover: false,
    incomingServerUrl: 'https://mail.example.test/EWS/Exchange.asmx',
    outgoingServerUrl: 'https://mail.example.test/EWS/Exchange.asmx',
    ...over,
  };
  return store.profiles.create(fields, { password: 'not-a-real-password' });
}

export async function createReadyMailbox(
  store: Store,
  profile: EmailServerProfile,
  address: string,
  opts: { now: number; owner?: 'user' | 'queue'; enabled?: boolean } = { now: Date.now() },
): Promise<Mailbox> {
  const ownerType = opts.owner ?? 'user';
  const owner =
    ownerType === 'user'
      ? await store.users.create({ fullName: address.split('@')[0]!, emailAddress: address })
      : await store.queues.create({ name: address.split('@')[0]!, emailAddress: address });
  const enabled = opts.enabled ?? true;
  const m = await store.mailboxes.create({
    ownerType,
    ownerId: owner.id,
    emailAddress: address,
    profileId: profile.id,
    incomingMethod: 'server-side-sync',
    outgoingMethod: 'server-side-sync',
    actMethod: 'none',
    approval: 'approved',
    incomingEnabled: enabled,
    outgoingEnabled: enabled,
    actEnabled: false,
  });
  const due = new Date(opts.now).toISOString();
  await store.mailboxes.saveSyncState(m.id, {
    incomingStatus: enabled ? 'success' : 'not-run',
    outgoingStatus: enabled ? 'success' : 'not-run',
    nextIncomingAt: enabled ? due : null,
  });
  return store.mailboxes.require(m.id);
}
