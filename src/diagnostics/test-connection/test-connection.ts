/**
 * Profile Test Connection: every step of reaching one sample mailbox with a profile, in order
 * (configuration, autodiscover, tls, authentication, impersonation, mailbox-access, permissions),
 * each with what was found, what to do about a failure, and a redacted trace. A failed step is
 * reported, never thrown; steps an earlier failure makes meaningless are reported as skipped.
 * It builds its pieces with the same functions openDriver uses, so it tests what sync will run.
 */
import { normalizeAadResource } from '../../auth/entra/normalize-aad-resource.ts';
import { missingConsent } from '../../auth/entra/missing-consent.ts';
import { cloudByName } from '../../auth/clouds.ts';
import type { TokenSource } from '../../auth/token-source.ts';
import type { EmailServerProfile } from '../../domain/profile.ts';
import type { AppCertificateAuth, HybridModernAuth, ProfileSecrets } from '../../domain/profile-auth.ts';
import { AppError } from '../../errors.ts';
import type { ConnectionCheck, MailboxDriver } from '../../exchange/driver.ts';
import type { AutodiscoverAttempt, AutodiscoverResult } from '../../exchange/ews/autodiscover/autodiscover.ts';
import type { EwsTransport } from '../../exchange/ews/transport.ts';
import type { OpenDriverDeps } from '../../exchange/exchange-environment.ts';
import { bearerAuth, credentialAuth, ewsDriverAt, profileAutodiscover, profileTransport } from '../../exchange/open-ews.ts';
import { hmaTokenSource, openGraphDriver } from '../../exchange/open-modern.ts';
import { secretVariants } from '../redact.ts';
import { describeAccessToken, ExchangeTap } from '../redact-http.ts';
import { certificateOutcome, checkConfiguration, profileCertificate } from './configuration-step.ts';
import { describeError, StepRecorder, type TestConnectionResult, type TestStepName } from './steps.ts';
import { probeTls } from './tls-probe.ts';
import { tracedTransport } from './traced-transport.ts';

export type { TestConnectionResult, TestStep, TestStepName } from './steps.ts';

export type TestConnectionInput = {
  profile: EmailServerProfile;
  secrets: ProfileSecrets;
  /** The sample mailbox; null when none was given and the profile has none. */
  mailbox: string | null;
  deps: OpenDriverDeps;
};

export async function testConnection(input: TestConnectionInput): Promise<TestConnectionResult> {
  const { profile, secrets, mailbox, deps } = input;
  const rec = new StepRecorder(deps.clock, secretVariants(secrets));
  const configured = await rec.run('configuration', async () => {
    const config = checkConfiguration(profile, secrets, { defaultTenantIdSet: Boolean(deps.defaultTenantId), mailbox });
    const certificate = config.ok ? profileCertificate(profile, secrets) : undefined;
    if (certificate === undefined) return config;
    const checked = certificateOutcome(certificate, deps.clock, 'the profile');
    return checked.ok ? { ...checked, detail: `${config.detail} ${checked.detail}` } : checked;
  });
  if (configured && mailbox !== null) {
    const auth = profile.auth;
    if (auth.type === 'credentials') await testCredentials(rec, profile, secrets, mailbox, deps);
    else if (auth.type === 'hybrid-modern-auth') await testHma(rec, { ...profile, auth }, secrets, mailbox, deps);
    else await testExchangeOnline(rec, { ...profile, auth }, secrets, mailbox, deps);
  }
  return rec.result(profile.id, mailbox);
}

function attemptsTrace(attempts: unknown): string | undefined {
  if (!Array.isArray(attempts)) return undefined;
  return (attempts as AutodiscoverAttempt[]).map((a) => `${a.method.toUpperCase()} ${a.url} -> ${a.outcome}${a.detail === '' ? '' : `: ${a.detail}`}`).join('\n');
}

async function testCredentials(rec: StepRecorder, profile: EmailServerProfile, secrets: ProfileSecrets, mailbox: string, deps: OpenDriverDeps): Promise<void> {
  const transport = profileTransport(profile, credentialAuth(profile, secrets), deps);
  try {
    let url = profile.incomingServerUrl;
    if (profile.autodiscover || url === null) {
      let found: AutodiscoverResult | undefined;
      // The attempts say where Autodiscover looked; the tap keeps the last request and its answer.
      const tap = new ExchangeTap();
      const autodiscover = profileAutodiscover(profile, tracedTransport(transport, tap), deps);
      const ok = await rec.run(
        'autodiscover',
        async () => {
          found = await autodiscover.discover(mailbox, { forceRefresh: true });
          const trace = joinTraces(attemptsTrace(found.attempts), tap.trace());
          return { ok: true, detail: `Autodiscover (${found.format.toUpperCase()} at ${found.autodiscoverUrl}) gave ${found.ewsUrl} for ${mailbox}.`, ...(trace === undefined ? {} : { trace }) };
        },
        (error) => autodiscoverFailure(rec, profile, error, tap),
      );
      if (!ok || found === undefined) return;
      url = found.ewsUrl;
    } else {
      rec.notApplicable('autodiscover', `Autodiscover is off; EWS is at ${url}.`);
    }
    await ewsSteps(rec, profile, url, transport, mailbox, deps);
  } finally {
    await transport.close();
  }
}

function joinTraces(...traces: Array<string | undefined>): string | undefined {
  const present = traces.filter((t) => t !== undefined && t !== '');
  return present.length === 0 ? undefined : present.join('\n\n');
}

function autodiscoverFailure(rec: StepRecorder, profile: EmailServerProfile, error: Error, tap: ExchangeTap): ReturnType<typeof describeError> {
  const attempts = error instanceof AppError ? error.details['attempts'] : undefined;
  const last = tap.trace();
  const trace = joinTraces(attemptsTrace(attempts), last);
  const refused = Array.isArray(attempts) ? (attempts as AutodiscoverAttempt[]).find((a) => a.outcome === 'auth_failed') : undefined;
  if (refused !== undefined) {
    // Every endpoint refused the account: the credentials, not Autodiscover, are what to fix.
    rec.set('authentication', { ok: false, detail: refused.detail, remedy: credentialsRemedy(profile), ...(last === undefined ? {} : { trace: last }) });
  }
  return {
    ok: false,
    detail: error.message,
    remedy: 'Check the Autodiscover DNS records (autodiscover.<domain> or the SRV record) and that the domain is allowed for redirects, or turn Autodiscover off and enter the EWS URL.',
    ...(trace === undefined ? {} : { trace }),
  };
}

function credentialsRemedy(profile: EmailServerProfile): string {
  const protocol = profile.auth.type === 'credentials' ? profile.auth.protocol.toUpperCase() : 'the';
  return `Check the user name and password of the service account, and that ${protocol} authentication is enabled on the EWS and Autodiscover virtual directories.`;
}

const stepOf: Record<string, TestStepName> = {
  authentication: 'authentication',
  impersonation: 'impersonation',
  permissions: 'permissions',
  'mailbox-access': 'mailbox-access',
  'mailbox-lookup': 'mailbox-access',
  'calendar-access': 'mailbox-access',
  'contacts-access': 'mailbox-access',
  'tasks-access': 'mailbox-access',
};

/** The driver's own checks, folded into the profile steps. */
function record(rec: StepRecorder, checks: ConnectionCheck[]): void {
  const answered = checks.find((c) => !c.ok && ['impersonation', 'mailbox-access', 'permissions'].includes(c.step));
  if (answered !== undefined && !checks.some((c) => c.step === 'authentication')) {
    // Exchange answered the request with an error about the mailbox: the sign-in itself worked.
    rec.set('authentication', { ok: true, detail: 'Signed in: the server accepted the credentials and answered for the mailbox.' });
  }
  for (const c of checks) {
    let step = stepOf[c.step];
    if (step === undefined) {
      if (c.ok) continue; // 'connection' passed: the tls step already said so.
      step = /^TLS /.test(c.detail) ? 'tls' : 'mailbox-access';
    }
    rec.set(step, { ok: c.ok, detail: c.detail, durationMs: c.durationMs, ...(c.remedy === undefined ? {} : { remedy: c.remedy }), ...(c.trace === undefined ? {} : { trace: c.trace }) });
  }
}

async function driverChecks(rec: StepRecorder, driver: MailboxDriver, mailbox: string): Promise<void> {
  try {
    record(rec, await driver.testConnection(mailbox));
  } finally {
    await driver.close();
  }
}

function ewsTls(rec: StepRecorder, profile: EmailServerProfile, url: string, deps: OpenDriverDeps): Promise<boolean> {
  return rec.run('tls', () =>
    probeTls(url, {
      timeoutMs: profile.connectionTimeoutSeconds * 1000,
      ...(profile.trustedCaBundle === null ? {} : { trustedCaPem: profile.trustedCaBundle }),
      ...(deps.lab?.lookup === undefined ? {} : { lookup: deps.lab.lookup }),
    }),
  );
}

async function ewsSteps(rec: StepRecorder, profile: EmailServerProfile, url: string, transport: EwsTransport, mailbox: string, deps: OpenDriverDeps): Promise<void> {
  if (!(await ewsTls(rec, profile, url, deps))) return;
  await driverChecks(rec, ewsDriverAt(profile, url, transport, deps), mailbox);
}

/** Key Vault certificate and Entra token, as one authentication step. */
async function tokenStep(
  rec: StepRecorder,
  tokens: TokenSource & { currentCertificate(): Promise<Parameters<typeof certificateOutcome>[0]> },
  fromKeyVault: boolean,
  deps: OpenDriverDeps,
  consent?: { anyOf: string[]; clientId: string; tenantId: string; resource: string },
): Promise<boolean> {
  return rec.run('authentication', async () => {
    let certificate = '';
    let certificateLines: string | undefined;
    if (fromKeyVault) {
      const checked = certificateOutcome(await tokens.currentCertificate(), deps.clock, 'Key Vault');
      if (!checked.ok) return checked;
      certificate = `${checked.detail} `;
      certificateLines = checked.trace;
    }
    const token = await tokens.getToken();
    const problem = consent === undefined ? undefined : missingConsent(token.token, consent);
    const trace = joinTraces(certificateLines, describeAccessToken(token.token, token.expiresAt));
    if (problem !== undefined) return { ...describeError(problem), remedy: 'Add the application permission to the app registration and grant admin consent.', ...(trace === undefined ? {} : { trace }) };
    return { ok: true, detail: `${certificate}Entra ID issued an app-only access token (valid until ${new Date(token.expiresAt).toISOString()}).`, ...(trace === undefined ? {} : { trace }) };
  }, (error) => {
    const failed = describeError(error);
    return failed.remedy !== undefined ? failed : { ...failed, remedy: tokenRemedy(error) };
  });
}

async function testHma(rec: StepRecorder, profile: EmailServerProfile & { auth: HybridModernAuth }, secrets: ProfileSecrets, mailbox: string, deps: OpenDriverDeps): Promise<void> {
  rec.notApplicable('autodiscover', `Hybrid Modern Auth uses the profile's EWS URL ${profile.auth.ewsUrl}.`);
  const tokens = hmaTokenSource(profile, secrets, deps);
  const transport = profileTransport(profile, bearerAuth(tokens), deps);
  try {
    const a = profile.auth;
    const resource = normalizeAadResource(a.aadResourceId);
    if (!(await ewsTls(rec, profile, a.ewsUrl, deps))) return;
    if (!(await tokenStep(rec, tokens, true, deps, { anyOf: ['full_access_as_app'], clientId: a.hmaApplicationId, tenantId: a.tenantId, resource }))) return;
    await driverChecks(rec, ewsDriverAt(profile, a.ewsUrl, transport, deps), mailbox);
  } finally {
    await transport.close();
    await tokens.close();
  }
}

async function testExchangeOnline(rec: StepRecorder, profile: EmailServerProfile & { auth: AppCertificateAuth }, secrets: ProfileSecrets, mailbox: string, deps: OpenDriverDeps): Promise<void> {
  rec.notApplicable('autodiscover', 'Exchange Online is reached through Microsoft Graph; Autodiscover is not used.');
  rec.notApplicable('impersonation', 'App-only access needs no impersonation; application access policies are checked by mailbox access.');
  const root = deps.lab?.graphRoot ?? cloudByName(profile.auth.cloud).graphEndpoint;
  const extraCas = deps.lab?.trustedCaPems ?? [];
  const tlsOk = await rec.run('tls', () =>
    probeTls(root, { timeoutMs: profile.connectionTimeoutSeconds * 1000, ...(extraCas.length === 0 ? {} : { trustedCaPem: extraCas.join('\n') }) }),
  );
  if (!tlsOk) return;
  let opened: ReturnType<typeof openGraphDriver>;
  try {
    opened = openGraphDriver(profile, secrets, deps);
  } catch (error) {
    rec.set('authentication', describeError(error as Error));
    return;
  }
  if (!(await tokenStep(rec, opened.tokens, profile.auth.certificateSource === 'key-vault', deps))) {
    await opened.driver.close();
    return;
  }
  await driverChecks(rec, opened.driver, mailbox);
}

function tokenRemedy(error: Error): string {
  const code = error instanceof AppError ? error.code : '';
  if (code.startsWith('keyvault_')) return "Give the Key Vault application Get permission on secrets and certificates in the vault's access policy (or the matching RBAC roles), and check the Key Vault URI and key name.";
  if (error instanceof AppError && (error.kind === 'transient' || error.kind === 'throttled')) return 'Entra ID or Key Vault did not answer; try again in a few minutes.';
  return 'Check the tenant id, the application id and that the certificate is registered on the app (the AADSTS code above says which).';
}
