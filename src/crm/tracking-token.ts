/**
 * The tracking token Dovetail appends to the subject of email it sends, so a reply can be
 * correlated even when the client dropped In-Reply-To. Format as in Dynamics' email settings:
 * a prefix (default "CRM:") followed by a fixed number of digits.
 */
export type TokenFormat = { prefix: string; digits: number };

export const defaultTokenFormat: TokenFormat = { prefix: 'CRM:', digits: 7 };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tokenPattern(format: TokenFormat, flags: string): RegExp {
  // The digits must not continue: "CRM:00000123" is not a 7-digit token.
  return new RegExp(`${escapeRegExp(format.prefix)}(\\d{${format.digits}})(?!\\d)`, flags);
}

/** The token for sequence number `n`; wraps modulo 10^digits so it always fits the format. */
export function formatToken(n: number, format: TokenFormat = defaultTokenFormat): string {
  const modulo = 10 ** format.digits;
  const value = ((Math.trunc(n) % modulo) + modulo) % modulo;
  return `${format.prefix}${String(value).padStart(format.digits, '0')}`;
}

/** The last token in the subject (replies prepend "RE:", so the token stays at the end). */
export function findToken(subject: string, format: TokenFormat = defaultTokenFormat): string | null {
  const all = [...subject.matchAll(tokenPattern(format, 'g'))];
  const last = all.at(-1);
  return last === undefined ? null : last[0];
}

export function appendToken(subject: string, token: string): string {
  return subject.includes(token) ? subject : `${subject.trimEnd()} ${token}`.trimStart();
}

export function stripTokens(subject: string, format: TokenFormat = defaultTokenFormat): string {
  return subject.replace(tokenPattern(format, 'g'), ' ').replace(/\s+/g, ' ').trim();
}
