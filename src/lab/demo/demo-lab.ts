/**
 * Every lab service the demo's three profiles reach, under one CA kept in the demo's data directory:
 * EWS + Autodiscover (NTLM, Basic and Bearer tokens from the lab Entra), the lab Entra ID with the
 * tenant, resources and applications a real hybrid org would have, the lab Key Vault holding the
 * Hybrid Modern Auth certificate, and the lab Microsoft Graph for the Exchange Online mailbox.
 */
import { join } from 'node:path';
import { startLab, type LabHandle, type LabUser } from '../lab.ts';
import { startLabEntra, type LabEntra } from '../entra/lab-entra.ts';
import { wellKnownResources } from '../entra/lab-directory.ts';
import { startLabKeyVault, type LabKeyVault } from '../keyvault/lab-key-vault.ts';
import { startGraphLab, type GraphLab } from '../graph/start-graph-lab.ts';
import { labEntraBearer } from '../http/lab-entra-bearer.ts';
import { createLabCa, type IssuedCert } from '../tls/lab-ca.ts';

/** Fixed identities of the demo tenant: fixtures of the lab, the same in every run, not anyone's secrets. */
export const DEMO_TENANT = {
  tenantId: '5d0e7a11-0000-4000-8000-00000000d0e7',
  /** The Key Vault reader application (client secret) that fetches the HMA certificate. */
  keyVaultAppId: '5d0e7a11-0000-4000-8000-0000000000a1',
  keyVaultSecret: 'Lab-KeyVault-Reader-2026',
  /** The Hybrid Modern Auth application (certificate, full_access_as_app on Exchange). */
  hmaAppId: '5d0e7a11-0000-4000-8000-0000000000b2',
  hmaCertName: 'Dovetail-HMA',
  /** The Exchange Online application (certificate, Graph application permissions). */
  exoAppId: '5d0e7a11-0000-4000-8000-0000000000c3',
} as const;

const GRAPH_ROLES = ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'Tasks.ReadWrite.All', 'User.Read.All'];

export type DemoPerson = { smtp: string; displayName: string; userName: string; password: string };

export type DemoLab = {
  domain: string;
  ews: LabHandle;
  entra: LabEntra;
  vault: LabKeyVault;
  graph: GraphLab;
  caCertPem: string;
  /** The host Hybrid Modern Auth asks Entra a token for (registered on Exchange's service principal). */
  hmaResource: string;
  /** The Exchange Online app's certificate and key (PEM), given to its profile as a write-only secret. */
  exoCertificate: IssuedCert;
  close(): Promise<void>;
};

export function demoPeople(domain: string): { ntlm: DemoPerson[]; hma: DemoPerson[]; online: DemoPerson[]; queue: DemoPerson } {
  return {
    ntlm: [{ smtp: `alex.wilber@${domain}`, displayName: 'Alex Wilber', userName: 'alexw', password: 'Lab-Alex-2026!' }],
    hma: [{ smtp: `megan.bowen@${domain}`, displayName: 'Megan Bowen', userName: 'meganb', password: 'Lab-Megan-2026!' }],
    online: [{ smtp: `adele.vance@${domain}`, displayName: 'Adele Vance', userName: 'adelev', password: 'Lab-Adele-2026!' }],
    queue: { smtp: `sales@${domain}`, displayName: 'Sales Queue', userName: 'sales', password: 'Lab-Sales-2026!' },
  };
}

/**
 * `labDir` puts the lab's CA somewhere else than <dataDir>/lab (`dovetail lab --data-dir`), and
 * `port` fixes the EWS port (0 or absent: any free port).
 */
export async function startDemoLab(options: { dataDir: string; domain?: string; labDir?: string; port?: number }): Promise<DemoLab> {
  const domain = options.domain ?? 'contoso.lab';
  const labDir = options.labDir ?? join(options.dataDir, 'lab');
  // startLab keeps its CA in <dataDir>/ca: creating it there first gives every lab service the same CA.
  const ca = await createLabCa({ dir: join(labDir, 'ca') });
  const t = DEMO_TENANT;
  const hmaResource = `https://mail.${domain}`;
  const closers: Array<() => Promise<void>> = [];
  try {
    const entra = await startLabEntra({ ca });
    closers.push(() => entra.close());
    const d = entra.directory;
    d.addTenant(t.tenantId, { domains: [domain] });
    d.addResource(t.tenantId, wellKnownResources.keyVault);
    d.addResource(t.tenantId, wellKnownResources.graph);
    // The Hybrid Configuration Wizard adds the on-premises EWS host to Exchange Online's service principal.
    d.addResource(t.tenantId, { ...wellKnownResources.exchangeOnline, identifierUris: [...wellKnownResources.exchangeOnline.identifierUris, `${hmaResource}/`] });
    d.addApp(t.tenantId, { clientId: t.keyVaultAppId, secrets: [t.keyVaultSecret] });
    const hmaCert = ca.issueClientCert('Dovetail-HMA');
    d.addApp(t.tenantId, { clientId: t.hmaAppId, certificates: [hmaCert.certPem], grants: { 'https://outlook.office365.com': ['full_access_as_app'] } });
    const exoCertificate = ca.issueClientCert('Dovetail-Exchange-Online');
    d.addApp(t.tenantId, { clientId: t.exoAppId, certificates: [exoCertificate.certPem], grants: { 'https://graph.microsoft.com': GRAPH_ROLES } });

    const vault = await startLabKeyVault({ ca, entra, tenantId: t.tenantId });
    closers.push(() => vault.close());
    vault.importCertificate(t.hmaCertName, hmaCert);
    vault.setAccessPolicy(t.keyVaultAppId, { secrets: ['get'], certificates: ['get'] });

    const people = demoPeople(domain);
    const onPremises: LabUser[] = [...people.ntlm, ...people.hma, people.queue];
    const ews = await startLab({ dataDir: labDir, domain, users: onPremises, verifyBearer: labEntraBearer(entra, [hmaResource]), ...(options.port === undefined ? {} : { port: options.port }) });
    closers.push(() => ews.close());

    const graph = await startGraphLab({
      ca,
      tenantId: t.tenantId,
      verifyToken: (token) => {
        const check = entra.verifyAccessToken(token, ['https://graph.microsoft.com']);
        return check.ok ? { appId: check.claims.appid, roles: check.claims.roles } : null;
      },
    });
    closers.push(() => graph.close());
    for (const p of people.online) graph.addMailbox(p.smtp, { displayName: p.displayName });

    return {
      domain,
      ews,
      entra,
      vault,
      graph,
      caCertPem: ca.caCertPem,
      hmaResource,
      exoCertificate,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
