import type { CertificateInfo } from '../inventory.ts';
import type { HmaFinding } from '../types.ts';
import type { CheckContext } from './check-context.ts';

const warnDays = 60;
const dayMs = 86_400_000;
const collect = 'Get-AuthConfig | fl CurrentCertificateThumbprint; Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter';

/**
 * Renewal as Microsoft documents it ("Maintain (assign and renew) the OAuth certificate",
 * https://learn.microsoft.com/exchange/plan-and-deploy/integration-with-sharepoint-and-skype/maintain-oauth-certificate).
 * Guarded, so running the script again after a renewal does nothing.
 */
const renewScript = [
  '$current = Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint -ErrorAction SilentlyContinue',
  `if (-not $current -or $current.NotAfter -lt (Get-Date).AddDays(${warnDays})) {`,
  '    # Answer "No" if asked to replace the default SMTP certificate.',
  "    $new = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' -FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @()",
  '    # Confirm the warning about an effective date less than 48 hours away.',
  '    Set-AuthConfig -NewCertificateThumbprint $new.Thumbprint -NewCertificateEffectiveDate (Get-Date)',
  '    Set-AuthConfig -PublishCertificate',
  '    Set-AuthConfig -ClearPreviousCertificate',
  '    # Then run the Hybrid Configuration Wizard again so Exchange Online trusts the new certificate.',
  '}',
].join('\n');

export function checkCertificate(ctx: CheckContext): HmaFinding[] {
  const { inv, now } = ctx;
  const thumb = inv.authConfigThumbprint;
  let cert: CertificateInfo | undefined;
  if (thumb) {
    if (thumb.value === '') {
      return [{ code: 'hma.oauth-certificate.not-configured', severity: 'error', title: 'No OAuth certificate is configured (CurrentCertificateThumbprint is empty)', evidence: [thumb.ref], why: 'Exchange signs and validates server-to-server OAuth with this certificate; hybrid OAuth and HMA depend on it.', fix: 'Create and publish a new OAuth certificate, then rerun the Hybrid Configuration Wizard.', remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
    }
    cert = inv.certificates.find((c) => c.thumbprint === thumb.value);
    if (!cert) {
      if (inv.certificates.length === 0) {
        return [{ code: 'hma.input.oauth-certificate-missing', severity: 'error', title: 'The OAuth certificate itself was not provided', evidence: [thumb.ref], why: 'Its expiry date decides whether HMA keeps working.', fix: `Run and add the output: ${collect}` }];
      }
      return [{ code: 'hma.oauth-certificate.missing', severity: 'error', title: `The OAuth certificate ${thumb.value} named by Get-AuthConfig is not among the certificates provided`, evidence: [thumb.ref, ...inv.certificates.map((c) => c.ref)], why: 'If the certificate is missing from the server, Exchange cannot sign or validate OAuth tokens.', fix: `Check that it exists on every server (${collect}); if not, create and publish a new one.`, remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
    }
  } else {
    const auth = inv.certificates.filter((c) => /Microsoft Exchange Server Auth Certificate/i.test(c.subject ?? ''));
    const candidates = auth.length > 0 ? auth : inv.certificates.length === 1 ? inv.certificates : [];
    if (candidates.length !== 1) {
      return [
        inv.certificates.length === 0
          ? { code: 'hma.input.oauth-certificate-missing', severity: 'error', title: 'The OAuth certificate was not provided', evidence: [], why: 'The OAuth certificate must be present and valid for HMA (step 5 of Microsoft\'s HMA procedure).', fix: `Run and add the output: ${collect}` }
          : { code: 'hma.input.auth-config-missing', severity: 'error', title: 'Cannot tell which certificate is the OAuth certificate', evidence: inv.certificates.map((c) => c.ref), why: 'Several certificates were provided and none is named by Get-AuthConfig.', fix: `Run and add the output: ${collect}` },
      ];
    }
    cert = candidates[0]!;
  }
  if (!cert.notAfter) {
    return [{ code: 'hma.input.oauth-certificate-expiry-missing', severity: 'error', title: `The expiry date of the OAuth certificate ${cert.thumbprint} was not provided`, evidence: [cert.ref], why: 'An expired OAuth certificate breaks HMA and hybrid OAuth.', fix: `Run and add the output: ${collect}` }];
  }
  const days = Math.floor((cert.notAfter.value.getTime() - now.getTime()) / dayMs);
  const date = cert.notAfter.value.toISOString().slice(0, 10);
  if (cert.notAfter.value.getTime() <= now.getTime()) {
    return [{ code: 'hma.oauth-certificate.expired', severity: 'error', title: `The OAuth certificate ${cert.thumbprint} expired on ${date}`, evidence: [cert.notAfter.ref], why: 'With an expired OAuth certificate, Exchange cannot take part in OAuth: HMA and hybrid free/busy, mailbox moves and other OAuth features fail.', fix: 'Create a new OAuth certificate, publish it, clear the previous one and rerun the Hybrid Configuration Wizard.', remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
  }
  if (days < warnDays) {
    return [{ code: 'hma.oauth-certificate.expiring', severity: 'warning', title: `The OAuth certificate ${cert.thumbprint} expires in ${days} day(s), on ${date}`, evidence: [cert.notAfter.ref], why: `Renew it before it expires (this check warns ${warnDays} days ahead); a new certificate takes time to be published and picked up by Exchange Online.`, fix: 'Create a new OAuth certificate, publish it, clear the previous one and rerun the Hybrid Configuration Wizard.', remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
  }
  return [];
}
