/**
 * One lab for the modern-auth suites: a lab CA, the lab Entra (tenant, resources, the Key Vault app
 * with a secret, the HMA app with a certificate and full_access_as_app) and the lab Key Vault holding
 * the HMA certificate, plus a log that keeps every line so suites can prove no secret reached it.
 */
import { systemClock, systemRandom, fixedClock } from '../../src/clock.ts';
import { clouds, type Cloud } from '../../src/auth/clouds.ts';
import type { AuthLog } from '../../src/auth/entra/auth-log.ts';
import type { EntraEnvironment } from '../../src/auth/entra/hma-token-source.ts';
import { createLabCa, type IssuedCert, type LabCa } from '../../src/lab/tls/lab-ca.ts';
import { startLabEntra, type LabEntra } from '../../src/lab/entra/lab-entra.ts';
import { wellKnownResources } from '../../src/lab/entra/lab-directory.ts';
import { startLabKeyVault, type LabKeyVault } from '../../src/lab/keyvault/lab-key-vault.ts';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const KV_APP = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const KV_SECRET = 'kv~Secret.Value_9f8e7d6c5b4a';
export const HMA_APP = 'bbbbbbbb-0000-4000-8000-00000000000b';
export const EXO_APP = 'cccccccc-0000-4000-8000-00000000000c';
export const EWS_HOST = 'mail.contoso.com';
export const CERT_NAME = 'HMA-Cert';

export type CapturedLog = AuthLog & { lines: string[] };

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push(JSON.stringify({ level, ...fields, msg: message }));
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn') };
}

export type ModernAuthLab = {
  ca: LabCa;
  entra: LabEntra;
  vault: LabKeyVault;
  /** The clock of the lab services and, by default, of the clients. */
  clock: ReturnType<typeof fixedClock>;
  hmaCert: IssuedCert;
  log: CapturedLog;
  env(cloud?: Cloud): EntraEnvironment;
  close(): Promise<void>;
};

export async function startModernAuthLab(): Promise<ModernAuthLab> {
  // Lab services and clients share one movable clock, so tests can jump past token lifetimes;
  // skew tests give the client a clock of its own.
  const clock = fixedClock(systemClock.now());
  const ca = await createLabCa();
  const entra = await startLabEntra({ ca, clock });
  const d = entra.directory;
  d.addTenant(TENANT, { domains: ['contoso.com'] });
  d.addResource(TENANT, wellKnownResources.keyVault);
  d.addResource(TENANT, wellKnownResources.graph);
  // The Hybrid Configuration Wizard adds the on-premises URLs to Exchange Online's service principal.
  d.addResource(TENANT, { ...wellKnownResources.exchangeOnline, identifierUris: [...wellKnownResources.exchangeOnline.identifierUris, `https://${EWS_HOST}/`] });
  d.addApp(TENANT, { clientId: KV_APP, secrets: [KV_SECRET] });
  const hmaCert = ca.issueClientCert('HMA-App');
  d.addApp(TENANT, { clientId: HMA_APP, certificates: [hmaCert.certPem], grants: { 'https://outlook.office365.com': ['full_access_as_app'] } });
  const vault = await startLabKeyVault({ ca, entra, tenantId: TENANT, clock });
  vault.importCertificate(CERT_NAME, hmaCert);
  vault.setAccessPolicy(KV_APP, { secrets: ['get'], certificates: ['get'] });
  const log = captureLog();
  return {
    ca,
    entra,
    vault,
    clock,
    hmaCert,
    log,
    env: (cloud = clouds.global) => ({ cloud, clock, random: systemRandom, log, authorityOrigin: entra.url, trustedCaPems: [ca.caCertPem], timeoutMs: 10_000 }),
    close: async () => {
      await vault.close();
      await entra.close();
    },
  };
}

/** What must never appear in a log line or an error: secrets, JWTs (tokens, assertions), key material. */
export function leaks(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) if (secret.length > 0 && text.includes(secret)) found.push(`secret ${secret.slice(0, 3)}…`);
  if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(text)) found.push('a JWT');
  if (/PRIVATE KEY/.test(text)) found.push('a private key');
  return found;
}
