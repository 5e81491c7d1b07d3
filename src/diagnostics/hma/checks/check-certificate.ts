import type { CertificateInfo } from '../inventory.ts';
import type { HmaFinding } from '../types.ts';
import { clientAccessServers, psQuote, type CheckContext } from './check-context.ts';

const warnDays = 60;
const dayMs = 86_400_000;
/** One certificate record per server, each naming its server (a calculated Server property). */
export const collectPerServer =
  "Get-ExchangeServer | where { $_.ServerRole -ne 'Edge' } | ForEach-Object { $s = $_.Name; Get-ExchangeCertificate -Server $s -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint -ErrorAction SilentlyContinue | fl @{n='Server';e={$s}},Thumbprint,Subject,NotAfter }";
const collect = `Get-AuthConfig | fl CurrentCertificateThumbprint; ${collectPerServer}`;

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

/** The servers that sign and validate OAuth tokens: every Exchange server but Edge, else every server the output named. */
function oauthServers(ctx: CheckContext): string[] {
  const listed = ctx.inv.exchangeServers.filter((e) => !/edge/i.test(e.role ?? '')).map((e) => e.name);
  return (listed.length > 0 ? listed : clientAccessServers(ctx.inv)).sort();
}

/** The certificate Get-AuthConfig names (or, without its output, the one Auth certificate given), on every server that reported it. */
function oauthCertificate(ctx: CheckContext): { thumbprint: string; copies: CertificateInfo[] } | HmaFinding[] {
  const { inv } = ctx;
  const thumb = inv.authConfigThumbprint;
  if (thumb) {
    if (thumb.value === '') {
      return [{ code: 'hma.oauth-certificate.not-configured', severity: 'error', title: 'No OAuth certificate is configured (CurrentCertificateThumbprint is empty)', evidence: [thumb.ref], why: 'Exchange signs and validates server-to-server OAuth with this certificate; hybrid OAuth and HMA depend on it.', fix: 'Create and publish a new OAuth certificate, then rerun the Hybrid Configuration Wizard.', remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
    }
    const copies = inv.certificates.filter((c) => c.thumbprint === thumb.value);
    if (copies.length > 0) return { thumbprint: thumb.value, copies };
    if (inv.certificates.length === 0) {
      return [{ code: 'hma.input.oauth-certificate-missing', severity: 'error', title: 'The OAuth certificate itself was not provided', evidence: [thumb.ref], why: 'Its expiry date decides whether HMA keeps working.', fix: `Run and add the output: ${collect}` }];
    }
    return [{ code: 'hma.oauth-certificate.missing', severity: 'error', title: `The OAuth certificate ${thumb.value} named by Get-AuthConfig is not among the certificates provided`, evidence: [thumb.ref, ...inv.certificates.map((c) => c.ref)], why: 'If the certificate is missing from the server, Exchange cannot sign or validate OAuth tokens.', fix: `Check that it exists on every server (${collect}); if not, create and publish a new one.`, remediation: { step: 'oauth-certificate', shell: 'exchange', script: renewScript } }];
  }
  const auth = inv.certificates.filter((c) => /Microsoft Exchange Server Auth Certificate/i.test(c.subject ?? ''));
  const thumbprints = new Set((auth.length > 0 ? auth : inv.certificates).map((c) => c.thumbprint));
  if (thumbprints.size === 1) {
    const [thumbprint] = thumbprints;
    return { thumbprint: thumbprint!, copies: inv.certificates.filter((c) => c.thumbprint === thumbprint) };
  }
  return [
    inv.certificates.length === 0
      ? { code: 'hma.input.oauth-certificate-missing', severity: 'error', title: 'The OAuth certificate was not provided', evidence: [], why: 'The OAuth certificate must be present and valid for HMA (step 5 of Microsoft\'s HMA procedure).', fix: `Run and add the output: ${collect}` }
      : { code: 'hma.input.auth-config-missing', severity: 'error', title: 'Cannot tell which certificate is the OAuth certificate', evidence: inv.certificates.map((c) => c.ref), why: 'Several certificates were provided and none is named by Get-AuthConfig.', fix: `Run and add the output: ${collect}` },
  ];
}

/**
 * Get-ExchangeCertificate reads one server's certificate store, so the certificate is proven
 * present only on the servers whose output says so. With one server, output that names none is
 * that server's; with several, it could be any of them, and the check says it cannot tell.
 */
function checkPresence(ctx: CheckContext, thumbprint: string, copies: CertificateInfo[]): HmaFinding[] {
  const servers = oauthServers(ctx);
  const located = new Map(copies.filter((c) => c.server !== undefined).map((c) => [c.server!, c]));
  const unlocated = copies.filter((c) => c.server === undefined);
  if (servers.length <= 1 && located.size === 0) return [];
  const absent = servers.filter((s) => !located.has(s));
  if (absent.length === 0) return [];
  if (unlocated.length > 0) {
    return [{
      code: 'hma.oauth-certificate.server-unverified',
      severity: 'error',
      title: `Cannot tell whether the OAuth certificate ${thumbprint} is on ${absent.join(', ')}: the certificate output does not say which server it came from`,
      evidence: unlocated.map((c) => c.ref),
      why: 'Get-ExchangeCertificate shows the certificates of one server only (the one the shell runs on, or -Server). Every Exchange server signs and validates OAuth tokens with this certificate, so its presence must be seen on each.',
      fix: `Run and add the output, which names each server: ${collectPerServer}`,
    }];
  }
  const source = [...located.keys()][0]!;
  return absent.map((server) => ({
    code: 'hma.oauth-certificate.missing',
    severity: 'error' as const,
    server,
    title: `The OAuth certificate ${thumbprint} is not on ${server}`,
    evidence: [...located.values()].map((c) => c.ref),
    why: `The certificate output shows it on ${[...located.keys()].join(', ')} but not on ${server}. Every Exchange server signs and validates OAuth tokens with it; requests ${server} handles fail OAuth, and so HMA and hybrid free/busy.`,
    fix: `Check with Get-ExchangeCertificate -Server ${server} -Thumbprint ${thumbprint}; if it is not there, export it with its private key from ${source} (Export-ExchangeCertificate) and import it on ${server} (Import-ExchangeCertificate). If the key cannot be exported, create and publish a new OAuth certificate and rerun the Hybrid Configuration Wizard.`,
    remediation: {
      step: 'oauth-certificate',
      shell: 'exchange',
      script: [
        `# ${server}: copy the OAuth certificate, with its private key, from ${source}.`,
        '$thumbprint = (Get-AuthConfig).CurrentCertificateThumbprint',
        `if (-not (Get-ExchangeCertificate -Server ${psQuote(server)} -Thumbprint $thumbprint -ErrorAction SilentlyContinue)) {`,
        "    $password = Read-Host -AsSecureString -Prompt 'A password to protect the exported OAuth certificate'",
        `    $export = Export-ExchangeCertificate -Server ${psQuote(source)} -Thumbprint $thumbprint -BinaryEncoded -Password $password`,
        `    Import-ExchangeCertificate -Server ${psQuote(server)} -FileData $export.FileData -Password $password -PrivateKeyExportable $true`,
        '}',
      ].join('\n'),
    },
  }));
}

export function checkCertificate(ctx: CheckContext): HmaFinding[] {
  const found = oauthCertificate(ctx);
  if (Array.isArray(found)) return found;
  const { thumbprint, copies } = found;
  const findings = checkPresence(ctx, thumbprint, copies);
  // Every copy is the same certificate (same thumbprint) and should say the same date; if the
  // pasted output disagrees, the earliest date is the one to act on.
  const dated = copies.filter((c) => c.notAfter).sort((a, b) => a.notAfter!.value.getTime() - b.notAfter!.value.getTime());
  const cert = dated[0] ?? copies[0]!;
  return [...findings, ...checkExpiry(ctx, cert)];
}

function checkExpiry(ctx: CheckContext, cert: CertificateInfo): HmaFinding[] {
  const { now } = ctx;
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
