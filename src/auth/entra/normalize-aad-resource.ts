import { AppError } from '../../errors.ts';

/**
 * The HMA profile's "AAD resource id" -> the resource part of the scope. Administrators paste it in
 * several forms; Entra matches it against the service principal names of "Office 365 Exchange Online",
 * which the Hybrid Configuration Wizard registers as origins (https://mail.contoso.com/). So:
 * - a bare host ("mail.contoso.com", optionally with :port) becomes https://<host>;
 * - a URL (even the whole EWS URL, https://mail.contoso.com/EWS/Exchange.asmx) becomes its origin:
 *   path, query and trailing slash are dropped, the host is lower-cased;
 * - an application id GUID is kept as is (Entra accepts "<appId>/.default").
 * @see https://learn.microsoft.com/microsoft-365/enterprise/configure-exchange-server-for-hybrid-modern-authentication
 */
export function normalizeAadResource(input: string): string {
  const value = input.trim();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return value.toLowerCase();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    throw invalid(input);
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') throw invalid(input);
  return url.origin;
}

/** "<resource>/.default", the app-only scope for the HMA resource. */
export function hmaScope(aadResourceId: string): string {
  return `${normalizeAadResource(aadResourceId)}/.default`;
}

function invalid(input: string): AppError {
  return new AppError('hma_resource_invalid', `"${input}" is not a valid AAD resource id: use the Exchange host (mail.contoso.com) or its https URL.`, {
    kind: 'invalid-input',
    status: 400,
  });
}
