/**
 * The configuration step: the stored profile still passes every rule (a profile written by an older
 * build, or an org setting changed since), and a certificate held in the profile is usable.
 */
import { checkCertificate } from '../../auth/certificate/check-certificate.ts';
import { loadCertificate, type LoadedCertificate } from '../../auth/certificate/load-certificate.ts';
import type { Clock } from '../../clock.ts';
import { checkProfile, type EmailServerProfile } from '../../domain/profile.ts';
import { PROFILE_SECRET_FIELDS, type ProfileSecrets } from '../../domain/profile-auth.ts';
import type { StepOutcome } from './steps.ts';

export function checkConfiguration(profile: EmailServerProfile, secrets: ProfileSecrets, options: { defaultTenantIdSet: boolean; mailbox: string | null }): StepOutcome {
  const { id: _id, secretsSet: _set, createdAt: _c, updatedAt: _u, ...fields } = profile;
  const stored = new Set(PROFILE_SECRET_FIELDS.filter((f) => secrets[f] !== undefined));
  const issues = checkProfile(fields, {}, { secretsAlreadySet: stored, defaultTenantIdSet: options.defaultTenantIdSet });
  if (options.mailbox === null) {
    return { ok: false, detail: 'No mailbox to test with: the profile has no mailboxes.', remedy: 'Give a mailbox address to test with, or assign a mailbox to this profile.' };
  }
  if (issues.length > 0) {
    return {
      ok: false,
      detail: `The profile is incomplete: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`,
      remedy: 'Edit the profile and correct these fields.',
    };
  }
  return { ok: true, detail: `The profile's settings are complete (${describeAuth(profile)}); testing with ${options.mailbox}.` };
}

function describeAuth(profile: EmailServerProfile): string {
  const a = profile.auth;
  switch (a.type) {
    case 'credentials':
      return `${a.protocol.toUpperCase()} as ${a.userName}, ${profile.autodiscover ? 'Autodiscover' : `EWS at ${profile.incomingServerUrl ?? '?'}`}`;
    case 'hybrid-modern-auth':
      return `Hybrid Modern Auth, EWS at ${a.ewsUrl}`;
    case 'app-certificate':
      return `Exchange Online app-only, ${a.cloud} cloud, certificate from ${a.certificateSource}`;
  }
}

/** The certificate checks of issue #4 (key matches, validity, signing usage, RSA >= 2048) as one step outcome. */
export function certificateOutcome(certificate: LoadedCertificate, clock: Clock, where: string): StepOutcome {
  const result = checkCertificate(certificate, { clock });
  const lines = result.checks.map((c) => `${c.status === 'pass' ? 'ok' : c.status}: ${c.message}`);
  const warnings = result.checks.filter((c) => c.status === 'warn').map((c) => c.message);
  const failures = result.checks.filter((c) => c.status === 'fail').map((c) => c.message);
  const head = `Certificate ${result.subject} (thumbprint ${result.thumbprintSha1}) from ${where}`;
  if (!result.ok) {
    return { ok: false, detail: `${head} cannot be used: ${failures.join(' ')}`, remedy: 'Issue or upload a certificate that passes these checks, and register it on the app.', trace: lines.join('\n') };
  }
  return { ok: true, detail: `${head} is usable until ${result.notAfter.toISOString()}.${warnings.length > 0 ? ` Warning: ${warnings.join(' ')}` : ''}`, trace: lines.join('\n') };
}

/** Loads a certificate held in the profile (PEM or base64 PFX). */
export function profileCertificate(profile: EmailServerProfile, secrets: ProfileSecrets): LoadedCertificate | undefined {
  if (profile.auth.type !== 'app-certificate' || profile.auth.certificateSource === 'key-vault' || secrets.certificate === undefined) return undefined;
  const password = secrets.certificatePassword === undefined ? {} : { password: secrets.certificatePassword };
  return profile.auth.certificateSource === 'pem'
    ? loadCertificate({ format: 'pem', pem: secrets.certificate, ...password })
    : loadCertificate({ format: 'pfx', pfx: Buffer.from(secrets.certificate.replace(/\s+/g, ''), 'base64'), ...password });
}
