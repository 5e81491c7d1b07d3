/**
 * The demo org, created through the same use cases the admin center and CLI call: users and a queue
 * with their mailboxes, customers (accounts and contacts), org email settings that track mail from
 * known people, and one email server profile per way Dovetail reaches Exchange. Each on-premises
 * profile trusts the lab CA through its trusted CA bundle; certificate validation stays on.
 */
import { createAccount, createContact } from '../../crm/customer-records.ts';
import type { EmailServerProfile } from '../../domain/profile.ts';
import { createQueue, createUser } from '../../use-cases/parties.ts';
import { createProfile } from '../../use-cases/profiles.ts';
import { requestTestAndEnable, setMailboxApproval, updateMailbox } from '../../use-cases/mailboxes.ts';
import { updateOrgEmailSettings } from '../../use-cases/settings.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { DEMO_TENANT, demoPeople, type DemoLab, type DemoPerson } from './demo-lab.ts';

export type DemoProfileKind = 'ntlm' | 'hma' | 'online';

export const PROFILE_LABELS: Record<DemoProfileKind, string> = {
  ntlm: 'Exchange Server (NTLM + impersonation)',
  hma: 'Exchange Server (Hybrid Modern Auth)',
  online: 'Exchange Online (Microsoft Graph)',
};

export type DemoMailbox = { id: string; address: string; ownerType: 'user' | 'queue'; profile: DemoProfileKind };

export type DemoCustomer = { name: string; address: string; contactId: string; accountId: string };

export type DemoOrg = {
  profiles: Record<DemoProfileKind, EmailServerProfile>;
  mailboxes: DemoMailbox[];
  customers: DemoCustomer[];
};

/** The CRM's customers; the traffic generator writes as them ("known senders"). */
export const DEMO_CUSTOMERS = [
  { first: 'Ana', last: 'Diaz', address: 'ana.diaz@fabrikam.example', company: 'Fabrikam' },
  { first: 'Bo', last: 'Chen', address: 'bo.chen@tailspin.example', company: 'Tailspin Toys' },
  { first: 'Carla', last: 'Souza', address: 'carla@wingtip.example', company: 'Wingtip Toys' },
] as const;

export async function seedDemoOrg(ctx: UseCaseContext, lab: DemoLab): Promise<DemoOrg> {
  await updateOrgEmailSettings(ctx, { trackEmails: 'from-crm-parties' });
  const customers: DemoCustomer[] = [];
  for (const c of DEMO_CUSTOMERS) {
    const account = await createAccount(ctx, { name: c.company, emailAddress: `info@${c.address.split('@')[1]!}` });
    const contact = await createContact(ctx, { firstName: c.first, lastName: c.last, emailAddresses: [c.address], accountId: account.id });
    customers.push({ name: `${c.first} ${c.last}`, address: c.address, contactId: contact.id, accountId: account.id });
  }

  const profiles = await createDemoProfiles(ctx, lab);
  const people = demoPeople(lab.domain);
  const mailboxes: DemoMailbox[] = [];
  const addUser = async (person: DemoPerson, profile: DemoProfileKind) => {
    const user = await createUser(ctx, { fullName: person.displayName, emailAddress: person.smtp });
    mailboxes.push({ id: user.mailboxId!, address: person.smtp, ownerType: 'user', profile });
  };
  for (const p of people.ntlm) await addUser(p, 'ntlm');
  for (const p of people.hma) await addUser(p, 'hma');
  for (const p of people.online) await addUser(p, 'online');
  const queue = await createQueue(ctx, { name: people.queue.displayName, emailAddress: people.queue.smtp });
  mailboxes.push({ id: queue.mailboxId!, address: people.queue.smtp, ownerType: 'queue', profile: 'ntlm' });

  for (const m of mailboxes) {
    await updateMailbox(ctx, m.id, {
      profileId: profiles[m.profile].id,
      incomingMethod: 'server-side-sync',
      outgoingMethod: 'server-side-sync',
      actMethod: m.ownerType === 'user' ? 'server-side-sync' : 'none',
    });
  }
  return { profiles, mailboxes, customers };
}

/** Approves every demo mailbox and queues Test & Enable for them, as an administrator does in the admin center. */
export async function approveAndTestDemoMailboxes(ctx: UseCaseContext, org: DemoOrg): Promise<void> {
  const ids = org.mailboxes.map((m) => m.id);
  for (const r of await setMailboxApproval(ctx, ids, 'approved')) if (!r.ok) throw new Error(`approving ${r.id}: ${r.error.message}`);
  for (const r of await requestTestAndEnable(ctx, ids)) if (!r.ok) throw new Error(`test & enable ${r.id}: ${r.error.message}`);
}

async function createDemoProfiles(ctx: UseCaseContext, lab: DemoLab): Promise<Record<DemoProfileKind, EmailServerProfile>> {
  const t = DEMO_TENANT;
  const service = lab.ews.serviceAccounts.find((s) => s.impersonation === 'all');
  if (service === undefined) throw new Error('the lab has no service account with impersonation rights on every mailbox');
  const ntlm = await createProfile(ctx, {
    name: PROFILE_LABELS.ntlm,
    description: 'The lab Exchange Server over EWS: NTLMv2 as a service account with ApplicationImpersonation.',
    serverType: 'exchange-server',
    auth: { type: 'credentials', protocol: 'ntlm', userName: `${lab.ews.state.netbiosDomain}\\${service.userName}`, password: service.password },
    autodiscover: false,
    incomingServerUrl: lab.ews.ewsUrl,
    outgoingServerUrl: lab.ews.ewsUrl,
    trustedCaBundle: lab.caCertPem,
    isDefaultForNewMailboxes: true,
  });
  const hma = await createProfile(ctx, {
    name: PROFILE_LABELS.hma,
    description: 'The lab Exchange Server with app-only Entra tokens; the certificate comes from the lab Key Vault.',
    serverType: 'exchange-server',
    auth: {
      type: 'hybrid-modern-auth',
      ewsUrl: lab.ews.ewsUrl,
      aadResourceId: lab.hmaResource,
      tenantId: t.tenantId,
      hmaApplicationId: t.hmaAppId,
      keyVaultUri: lab.vault.vaultUri,
      keyVaultKeyName: t.hmaCertName,
      keyVaultApplicationId: t.keyVaultAppId,
      keyVaultClientSecret: t.keyVaultSecret,
    },
    autodiscover: false,
    trustedCaBundle: lab.caCertPem,
  });
  // Exchange Online profiles take no CA bundle (the cloud's certificates chain to public roots); the
  // demo's lab endpoints (openDriver's `lab` settings) trust the lab CA for Entra and Graph instead.
  const online = await createProfile(ctx, {
    name: PROFILE_LABELS.online,
    description: 'The lab Microsoft Graph, with app-only tokens from the lab Entra (certificate credential).',
    serverType: 'exchange-online',
    auth: {
      type: 'app-certificate',
      useDefaultTenantId: false,
      tenantId: t.tenantId,
      applicationId: t.exoAppId,
      cloud: 'global',
      certificateSource: 'pem',
      certificate: `${lab.exoCertificate.keyPem}${lab.exoCertificate.certPem}`,
    },
  });
  return { ntlm, hma, online };
}
