/**
 * Removes credentials from text that diagnostics show (Test Connection details and traces):
 * Authorization headers and NTLM/Bearer blobs, password/secret/token/assertion fields in JSON, form
 * and XML bodies, JWTs wherever they appear, PEM private keys, and any secret the caller knows the
 * exact value of (the profile's own secrets). What is left still says what happened.
 */
const MASK = '[redacted]';

const SECRET_NAMES =
  'password|passwd|pwd|client_secret|clientsecret|secret|keyvaultclientsecret|certificatepassword|access_token|refresh_token|id_token|token|client_assertion|assertion|private_?key|certificate|' +
  // Opaque tokens in Graph delta, paging and upload URLs: not credentials alone, but kept out of messages like them.
  'deltatoken|skiptoken|authtoken|sig';

const rules: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // PEM private keys of any kind (RSA, EC, ENCRYPTED, OpenSSH).
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, `-----BEGIN PRIVATE KEY----- ${MASK}`],
  // Header lines: "Authorization: NTLM TlRM…", "Proxy-Authorization: Bearer …", "Cookie: …".
  [/\b((?:proxy-)?authorization|cookie|set-cookie|x-ms-client-secret)(["']?\s*[:=]\s*["']?)([^\r\n"']*)/gi, (_m, name, sep) => `${name}${sep}${MASK}`],
  // Schemes with a credential after them, wherever they appear (WWW-Authenticate NTLM challenges too);
  // a lower-case word is prose ("the Basic credentials of …"), not a credential.
  [/\b(Bearer|Basic|NTLM|Negotiate)\s+(?![a-z]+(?![A-Za-z0-9+/=._~-]))[A-Za-z0-9+/=._~-]{8,}/g, (_m, scheme) => `${scheme} ${MASK}`],
  // JWTs (tokens, client assertions), even inside URLs or other words.
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MASK],
  // JSON: "password": "…"
  [new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), (_m, head) => `${head}"${MASK}"`],
  // Form bodies and query strings: client_secret=…&
  [new RegExp(`\\b(${SECRET_NAMES})=([^&\\s"'<]+)`, 'gi'), (_m, name) => `${name}=${MASK}`],
  // XML elements: <Password>…</Password>, <t:Token>…</t:Token>
  [new RegExp(`<((?:\\w+:)?(?:${SECRET_NAMES}))(\\s[^>]*)?>[^<]*</\\1>`, 'gi'), (_m, tag, attrs) => `<${tag}${attrs ?? ''}>${MASK}</${tag}>`],
];

export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Exact values first, longest first, so a secret that contains another is removed whole.
  for (const secret of [...knownSecrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of rules) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement as (...m: string[]) => string);
  }
  return out;
}

/** The exact secret values worth looking for: each secret, and the forms it travels in. */
export function secretVariants(secrets: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const value of Object.values(secrets)) {
    if (value === undefined || value === '') continue;
    out.push(value, encodeURIComponent(value), Buffer.from(value, 'utf8').toString('base64'));
  }
  return out;
}
